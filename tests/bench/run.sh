#!/usr/bin/env bash
# Benchmarks of phantun-run against its peers, all measured in one run on one machine, as ratios.
#
#   bash tests/bench/run.sh          the full run: writes tests/bench/results.md and results.json
#   bash tests/bench/run.sh --quick  a few runs of everything, only to check that the script works
#
# The launchers compared ("peers"), each starting the same static child:
#   phantun-run   this project (MODE=client; the child is copied next to it as phantun_client)
#   tini          Debian's tini-static, with -s (child subreaper, as phantun-run when not PID 1)
#   dumb-init     Debian's dumb-init (dynamically linked: that is how Debian ships it)
#   catatonit     Debian's catatonit (static)
#   sh-exec       a shell entrypoint that execs the child: /bin/sh -c 'exec "$@"' sh CHILD
#   floor         floor_supervisor.c: posix_spawn + signal forwarding + waitpid, nothing else
#   direct        the child itself, no launcher
#
# What is measured (section numbers as in results.md):
#   1 launch      hyperfine: wall time to start exit_now and return its status; the runs are split
#                 into rounds with the peers in a rotated order, so drift hits every peer alike
#     Ir          valgrind --tool=callgrind --trace-children=yes: instructions of the launcher
#                 process and of the child, a figure that noise does not move
#   2 memory      VmRSS and Pss of the launcher process while wait_child runs (bench_probe mem)
#   3 size        stripped size of phantun-runtime for every architecture config (see arch_configs
#                 below) and of every peer binary
#   4 stop        SIGTERM to the launcher until it has exited, child dying of SIGTERM at once
#                 (bench_probe stop); then the same with the launcher as PID 1 of a new PID
#                 namespace, where a PID 1 without a SIGTERM handler never sees the signal: bounded
#                 by a timeout, after which it gets SIGKILL
#   5 data path   UDP throughput through the real phantun tunnel between two network namespaces,
#                 phantun started by phantun-run or directly, interleaved rounds (udp_bench)
#   6 doctor      wall time of `phantun-doctor` and `phantun-doctor --json`, when the binary has
#                 that applet (phantun-runtime --list); "not available" otherwise
#
# Targets are reported in results.md (met / missed), never enforced: the exit status says only
# whether every measurement could be made.
#
# The data path uses the lab of tests/tunnel/tunnel.sh: two namespaces private to this run (their
# names hold its PID), a veth pair, addresses only in 198.18.0.0/15, no default route, no IPv6, a
# guard that drops and counts any packet to another address (the run fails unless it counted none),
# and the host admin's NAT (nftables) inside the namespaces. Traffic never leaves the lab. The
# namespaces, every process started and the temp folder are removed on exit, success or not.
#
# Usage (as root):
#   run.sh [--quick] [--out DIR] [--phantun-bin-dir DIR]
#          [--runtime PATH --floor PATH --exit-now PATH --wait-child PATH --probe PATH --udp-bench PATH]
# Without the six binaries it runs third_party/setup.sh and builds them with Bazel, and
# phantun-runtime for every architecture config too. With them (the Bazel test bench_smoke) it
# builds nothing and sizes only the binary it was given. --out defaults to tests/bench (full run)
# or the test's undeclared-outputs folder, else a temp folder printed at the end (--quick).
# Ends with "bench: PASS" (exit 0) or "bench: FAIL: <reason>" (non-zero).
set -Eeuo pipefail
exec 2>&1

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ------------------------------------------------------------------------------------------------
# Options.
QUICK=no OUT="" PHANTUN_BIN_DIR=${PHANTUN_BIN_DIR:-}
RUNTIME_BIN="" FLOOR_BIN="" EXIT_NOW_BIN="" WAIT_CHILD_BIN="" PROBE_BIN="" UDP_BENCH_BIN=""
usage() { sed -n '/^# Usage/,/^# Ends with/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=yes; shift ;;
    --out) OUT=${2:?--out needs a folder}; shift 2 ;;
    --phantun-bin-dir) PHANTUN_BIN_DIR=${2:?}; shift 2 ;;
    --runtime) RUNTIME_BIN=${2:?}; shift 2 ;;
    --floor) FLOOR_BIN=${2:?}; shift 2 ;;
    --exit-now) EXIT_NOW_BIN=${2:?}; shift 2 ;;
    --wait-child) WAIT_CHILD_BIN=${2:?}; shift 2 ;;
    --probe) PROBE_BIN=${2:?}; shift 2 ;;
    --udp-bench) UDP_BENCH_BIN=${2:?}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; echo "bench: FAIL: unknown argument '$1'"; exit 64 ;;
  esac
done

# How much of everything: full run / --quick.
if [ "$QUICK" = yes ]; then
  LAUNCH_ROUNDS=2 LAUNCH_RUNS=10 LAUNCH_WARMUP=3   # runs per round and peer
  ICOUNT_RUNS=1
  MEM_RUNS=2
  STOP_ROUNDS=3 PIDNS_ROUNDS=2 PIDNS_STUCK_ROUNDS=1
  DATA_ROUNDS=1 DATA_WARMUP_MS=200 DATA_WINDOW_MS=500 DATA_RATE_PPS=10000
  DOCTOR_RUNS=3 DOCTOR_WARMUP=1
else
  LAUNCH_ROUNDS=5 LAUNCH_RUNS=300 LAUNCH_WARMUP=30 # 1500 runs per peer in all
  ICOUNT_RUNS=3
  MEM_RUNS=5
  STOP_ROUNDS=100 PIDNS_ROUNDS=30 PIDNS_STUCK_ROUNDS=3
  DATA_ROUNDS=5 DATA_WARMUP_MS=300 DATA_WINDOW_MS=2000 DATA_RATE_PPS=10000
  DOCTOR_RUNS=100 DOCTOR_WARMUP=5
fi
readonly STOP_TIMEOUT_MS=1000       # the bound of section 4: "did not stop within 1 s"
readonly DATA_SIZE=1200             # UDP payload bytes: fits phantun's fake TCP in a 1500-byte MTU
# The data path is offered a fixed load (DATA_RATE_PPS datagrams a second, about 96 Mbit/s), below
# what phantun carries on a busy 2-core machine: a saturating sender competes for the same two
# cores, and then other jobs on the machine swing the result by a factor of two between rounds.

# ------------------------------------------------------------------------------------------------
# Lab names and addresses (see tests/tunnel/tunnel.sh for the same lab, step by step).
readonly CLI_NS="ptbench-cli-$$" SRV_NS="ptbench-srv-$$"
readonly CLI_VETH=veth-cli SRV_VETH=veth-srv
readonly CLI_ADDR=198.18.0.1 SRV_ADDR=198.18.0.2 WIRE_PREFIX=30
readonly CLI_TUN=ptb-tun-c CLI_TUN_LOCAL=198.19.200.1 CLI_TUN_PEER=198.19.200.2
readonly SRV_TUN=ptb-tun-s SRV_TUN_LOCAL=198.19.201.1 SRV_TUN_PEER=198.19.201.2
readonly PHANTUN_PORT=4567 CLIENT_UDP=127.0.0.1:1234 SINK_UDP=127.0.0.1:5000
readonly NFT_TABLE=phantun_bench GUARD_TABLE=ptrt_lab_guard
# The fence loaded into every lab namespace (table ptrt_lab_guard); see that file.
readonly LAB_GUARD="$(cd "$(dirname "${BASH_SOURCE[0]}")/../lab" && pwd)/address_guard.nft"
readonly READY_TIMEOUT_MS=10000 PROC_STOP_TIMEOUT_MS=5000

# ------------------------------------------------------------------------------------------------
# State cleaned up on exit.
WORK=""
NAMESPACES=()
declare -A PIDS=()
reason=""
now_ms() { local t=${EPOCHREALTIME/[.,]/}; NOW_MS=$((t / 1000)); }
now_ms
readonly START_MS=$NOW_MS

say() { printf '    %s\n' "$*"; }
section() { printf '\n[%s] %s\n' "$1" "$2"; }
fail() { reason=$1; exit 1; }
on_err() { [ -n "$reason" ] || reason="'$3' failed with status $1 (run.sh line $2)"; }
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
trap 'reason="interrupted (SIGINT)"; exit 130' INT
trap 'reason="terminated (SIGTERM)"; exit 143' TERM

# True while pid runs (a zombie counts as gone).
alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# SIGTERM, then up to PROC_STOP_TIMEOUT_MS for the process to end, then SIGKILL. Sets STATUS.
stop_pid() { # pid
  local pid=$1 t0
  kill -TERM "$pid" 2>/dev/null || true
  now_ms
  t0=$NOW_MS
  while alive "$pid"; do
    now_ms
    if ((NOW_MS - t0 >= PROC_STOP_TIMEOUT_MS)); then
      say "${PIDS[$pid]:-pid $pid}: still running ${PROC_STOP_TIMEOUT_MS} ms after SIGTERM, SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.01
  done
  STATUS=0
  wait "$pid" 2>/dev/null || STATUS=$?
  unset "PIDS[$pid]"
}

on_exit() {
  local rc=$?
  set +e
  trap - ERR INT TERM
  [ "$rc" -eq 0 ] || [ -n "$reason" ] || reason="exit status $rc"
  cd /
  local pid ns
  for pid in "${!PIDS[@]}"; do stop_pid "$pid"; done
  for ns in "${NAMESPACES[@]}"; do
    # Whatever is left in our namespaces was started by this script (phantun under a launcher).
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      say "left in $ns: pid $pid, SIGKILL"
      kill -KILL "$pid" 2>/dev/null
    done
    ip netns del "$ns" 2>/dev/null || reason=${reason:-"could not delete namespace $ns"}
    if [ -e "/run/netns/$ns" ]; then
      reason=${reason:-"namespace $ns is still there after deletion"}
    fi
  done
  if [ -n "$reason" ] && [ -n "$WORK" ]; then
    local log
    for log in "$WORK"/*.log; do
      [ -s "$log" ] || continue
      say "log $(basename "$log") (last lines):"
      tail -n 15 "$log" | sed 's/^/      | /'
    done
  fi
  [ -z "$WORK" ] || rm -rf -- "$WORK"
  now_ms
  echo
  echo "bench: took $(((NOW_MS - START_MS) / 1000)) s"
  if [ -z "$reason" ]; then
    echo "bench: PASS (every measurement ran; targets are in $OUT/results.md)"
    exit 0
  fi
  echo "bench: FAIL: $reason"
  [ "$rc" -ne 0 ] || rc=1
  exit "$rc"
}
trap on_exit EXIT

[ "$(id -u)" -eq 0 ] || fail "must run as root (PID and network namespaces, TUN devices, nftables)"
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
WORK=$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/phantun-bench.XXXXXX")
chmod 0755 "$WORK"

# ------------------------------------------------------------------------------------------------
# Architectures: the default build, plus every `build:NAME ... --cpu=CPU` config of .bazelrc that
# keeps the project's cross toolchain (a config that swaps --crosstool_top, such as asan, is another
# compiler, not another architecture). A config added later is measured without editing this file.
arch_configs() { # .bazelrc -> "NAME CPU" lines
  awk '
    $1 ~ /^build:[A-Za-z0-9_.-]+$/ {
      name = substr($1, 7)
      for (i = 2; i <= NF; i++) {
        if ($i ~ /^--cpu=/) cpu[name] = substr($i, 7)
        if ($i ~ /^--crosstool_top/) other[name] = 1
      }
      if (!(name in seen)) { seen[name] = 1; order[n++] = name }
    }
    END { for (i = 0; i < n; i++) if ((order[i] in cpu) && !(order[i] in other)) print order[i], cpu[order[i]] }
  ' "$1"
}

# The target triple the toolchain maps a --cpu value to (third_party/zig/repository.bzl), else CPU.
triple_of() { # repo cpu
  local t
  t=$(sed -n "s/^ *\"$2\": *(\{0,1\}\"\([^\"]*\)\".*/\1/p" "$1/third_party/zig/repository.bzl" 2>/dev/null | head -n 1)
  echo "${t:-$2}"
}

# ------------------------------------------------------------------------------------------------
section 0 "Inputs"
BUILT_HERE=no
declare -a ARCH_ROWS=() # "config|triple|path" of phantun-runtime builds to size
if [ -z "$RUNTIME_BIN$FLOOR_BIN$EXIT_NOW_BIN$WAIT_CHILD_BIN$PROBE_BIN$UDP_BENCH_BIN" ]; then
  BUILT_HERE=yes
  repo=$(cd "$here/../.." && pwd)
  cd "$repo"
  say "\$ third_party/setup.sh"
  bash third_party/setup.sh
  targets=(//cmd:phantun-runtime //tests/bench:floor_supervisor //tests/bench:exit_now
    //tests/bench:wait_child //tests/bench:bench_probe //tests/bench:udp_bench)
  say "\$ bazel build ${targets[*]}"
  bazel build "${targets[@]}"
  bin=$(bazel info bazel-bin 2>/dev/null)
  RUNTIME_BIN=$bin/cmd/phantun-runtime
  FLOOR_BIN=$bin/tests/bench/floor_supervisor
  EXIT_NOW_BIN=$bin/tests/bench/exit_now
  WAIT_CHILD_BIN=$bin/tests/bench/wait_child
  PROBE_BIN=$bin/tests/bench/bench_probe
  UDP_BENCH_BIN=$bin/tests/bench/udp_bench
  default_cpu=$(sed -n 's/^build[[:space:]][[:space:]]*--cpu=\([^[:space:]]*\).*/\1/p' .bazelrc | tail -n 1)
  ARCH_ROWS+=("(default)|$(triple_of "$repo" "${default_cpu:-k8}")|$RUNTIME_BIN")
  while read -r config cpu; do
    # A config for the default's own CPU builds the very same binary.
    if [ -z "$config" ] || [ "$cpu" = "${default_cpu:-k8}" ]; then continue; fi
    say "\$ bazel build --config=$config //cmd:phantun-runtime"
    if bazel build --config="$config" //cmd:phantun-runtime >"$WORK/build-$config.log" 2>&1; then
      ARCH_ROWS+=("$config|$(triple_of "$repo" "$cpu")|$(bazel info --config="$config" bazel-bin 2>/dev/null)/cmd/phantun-runtime")
    else
      # A config that does not build is reported as such (with its first error), not fatal.
      first_error=$({ grep -m 1 ' error: ' "$WORK/build-$config.log" || grep -m 1 'ERROR:' "$WORK/build-$config.log"; } | cut -c 1-200 || true)
      say "build failed: ${first_error:-see the bazel output}"
      ARCH_ROWS+=("$config|$(triple_of "$repo" "$cpu")|BUILD-FAILED|${first_error//|//}")
    fi
  done < <(arch_configs .bazelrc)
  # shellcheck source=/dev/null
  PHANTUN_BIN_DIR=${PHANTUN_BIN_DIR:-$repo/third_party/.cache/phantun-$(. third_party/pins.sh && echo "$PHANTUN_CRATE_VERSION")/bin}
  OUT=${OUT:-$([ "$QUICK" = yes ] || echo "$repo/tests/bench")}
else
  for v in RUNTIME_BIN FLOOR_BIN EXIT_NOW_BIN WAIT_CHILD_BIN PROBE_BIN UDP_BENCH_BIN; do
    [ -n "${!v}" ] || fail "given some binaries but not ${v%_BIN} (give all six, or none)"
  done
  ARCH_ROWS+=("(given)||$RUNTIME_BIN")
fi
[ -n "$PHANTUN_BIN_DIR" ] || fail "no phantun folder (--phantun-bin-dir or PHANTUN_BIN_DIR)"
for f in "$RUNTIME_BIN" "$FLOOR_BIN" "$EXIT_NOW_BIN" "$WAIT_CHILD_BIN" "$PROBE_BIN" "$UDP_BENCH_BIN" \
  "$PHANTUN_BIN_DIR/phantun_client" "$PHANTUN_BIN_DIR/phantun_server"; do
  if ! [ -f "$f" ] || ! [ -x "$f" ]; then fail "$f: not an executable file"; fi
done
for v in RUNTIME_BIN FLOOR_BIN EXIT_NOW_BIN WAIT_CHILD_BIN PROBE_BIN UDP_BENCH_BIN PHANTUN_BIN_DIR; do
  printf -v "$v" '%s' "$(readlink -f -- "${!v}")"
done
TINI=/usr/bin/tini-static DUMB_INIT=/usr/bin/dumb-init CATATONIT=/usr/bin/catatonit SH=/bin/sh
for tool in hyperfine valgrind python3 ip nft ss sysctl readelf strip "$TINI" "$DUMB_INIT" "$CATATONIT" "$SH"; do
  command -v "$tool" >/dev/null ||
    fail "$tool not found (third_party/setup.sh installs tini dumb-init catatonit hyperfine valgrind python3 iproute2 nftables)"
done
[ -c /dev/net/tun ] || fail "/dev/net/tun is missing: phantun needs TUN devices"

if [ -z "$OUT" ]; then
  OUT=${TEST_UNDECLARED_OUTPUTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/phantun-bench-quick.XXXXXX")}
fi
mkdir -p "$OUT"
OUT=$(readlink -f -- "$OUT")
say "phantun-runtime: $RUNTIME_BIN"
say "phantun:         $PHANTUN_BIN_DIR ($("$PHANTUN_BIN_DIR/phantun_client" --version))"
say "mode:            $([ "$QUICK" = yes ] && echo quick || echo full); results to $OUT"

# phantun-run finds its child in the folder of its own executable: one folder per child, laid out
# as in the image (phantun-runtime, the applet links from --install, phantun_client).
for child in exit_now wait_child; do
  d=$WORK/run-$child
  mkdir "$d"
  cp -- "$RUNTIME_BIN" "$d/phantun-runtime"
  src=EXIT_NOW_BIN
  [ "$child" = exit_now ] || src=WAIT_CHILD_BIN
  cp -- "${!src}" "$d/phantun_client"
  "$d/phantun-runtime" --install "$d" >/dev/null
done
"$RUNTIME_BIN" --list | grep -qx phantun-run || fail "$RUNTIME_BIN has no phantun-run applet"

PEERS=(phantun-run tini dumb-init catatonit sh-exec floor direct)
# The command line of a peer starting CHILD (exit_now or wait_child), into the array CMD.
peer_cmd() { # peer child_name
  local child=$EXIT_NOW_BIN
  [ "$2" = exit_now ] || child=$WAIT_CHILD_BIN
  case $1 in
    phantun-run) CMD=("$WORK/run-$2/phantun-run") ;;
    tini) CMD=("$TINI" -s -- "$child") ;;
    dumb-init) CMD=("$DUMB_INIT" "$child") ;;
    catatonit) CMD=("$CATATONIT" -- "$child") ;;
    sh-exec) CMD=("$SH" -c 'exec "$@"' sh "$child") ;;
    floor) CMD=("$FLOOR_BIN" "$child") ;;
    direct) CMD=("$child") ;;
  esac
}
# One string for hyperfine -N (shell-words splitting): each word in single quotes.
words() {
  local out="" w q="'\\''"
  for w in "$@"; do out+=" '${w//\'/$q}'"; done
  printf '%s' "${out# }"
}
# The same for people: only the words that need it are quoted.
display() {
  local out="" w
  for w in "$@"; do
    if [[ $w =~ ^[A-Za-z0-9_./=:-]+$ ]]; then out+=" $w"; else out+=" $(words "$w")"; fi
  done
  printf '%s' "${out# }"
}
export MODE=client # read by phantun-run only; the other peers pass it on to the child untouched

# Everything the report needs to know about this run, as key<TAB>value lines.
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
{
  printf 'mode\t%s\n' "$([ "$QUICK" = yes ] && echo quick || echo full)"
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'machine\t%s\n' "$(uname -m)"
  printf 'cpu\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  printf 'cores\t%s\n' "$(nproc)"
  # shellcheck source=/dev/null
  printf 'os\t%s\n' "$(. /etc/os-release && echo "$PRETTY_NAME")"
  if [ "$BUILT_HERE" = yes ]; then
    printf 'commit\t%s%s\n' "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')" \
      "$(git -C "$repo" diff --quiet HEAD -- cmd runtime 2>/dev/null || echo ' (cmd/ or runtime/ modified)')"
  fi
  printf 'runtime_version\t%s\n' "$("$RUNTIME_BIN" --version 2>&1 | head -n 1)"
  printf 'phantun_version\t%s\n' "$("$PHANTUN_BIN_DIR/phantun_client" --version 2>&1 | head -n 1)"
  printf 'tini_version\t%s\n' "$(pkg_version tini)"
  printf 'dumb-init_version\t%s\n' "$(pkg_version dumb-init)"
  printf 'catatonit_version\t%s\n' "$(pkg_version catatonit)"
  sh_real=$(readlink -f "$SH")
  sh_pkg=$(dpkg -S "$sh_real" 2>/dev/null || dpkg -S "/bin/$(basename "$sh_real")" 2>/dev/null || true)
  printf 'sh-exec_version\t%s %s\n' "$(basename "$sh_real")" "$(pkg_version "${sh_pkg%%:*}")"
  printf 'hyperfine_version\t%s\n' "$(hyperfine --version | cut -d' ' -f2)"
  printf 'valgrind_version\t%s\n' "$(valgrind --version)"
  printf 'launch_runs\t%s\n' "$((LAUNCH_ROUNDS * LAUNCH_RUNS))"
  printf 'launch_rounds\t%s\n' "$LAUNCH_ROUNDS"
  printf 'stop_timeout_ms\t%s\n' "$STOP_TIMEOUT_MS"
  printf 'data_window_ms\t%s\n' "$DATA_WINDOW_MS"
  printf 'data_size\t%s\n' "$DATA_SIZE"
  printf 'data_rate_pps\t%s\n' "$DATA_RATE_PPS"
  printf 'exit_now_path\t%s\n' "$EXIT_NOW_BIN"
  printf 'floor_path\t%s\n' "$FLOOR_BIN"
  for p in "${PEERS[@]}"; do
    peer_cmd "$p" exit_now
    printf 'cmd_%s\t%s\n' "$p" "$(display "${CMD[@]}")"
  done
} >"$WORK/meta.tsv"

# Every peer must start the child and return its status before it is timed.
for p in "${PEERS[@]}"; do
  peer_cmd "$p" exit_now
  status=0
  "${CMD[@]}" 42 >"$WORK/check-$p.log" 2>&1 || status=$?
  [ "$status" -eq 42 ] || fail "$p: '${CMD[*]} 42' exited with $status, want 42 (log: $(head -c 300 "$WORK/check-$p.log"))"
done
say "ok: every peer runs exit_now and returns its status (42)"

# ------------------------------------------------------------------------------------------------
section 1 "Launch: ${LAUNCH_ROUNDS} rounds x ${LAUNCH_RUNS} runs per peer (hyperfine -N, ${LAUNCH_WARMUP} warm-up runs per round)"
n=${#PEERS[@]}
for ((r = 0; r < LAUNCH_ROUNDS; r++)); do
  args=()
  for ((i = 0; i < n; i++)); do
    p=${PEERS[$(((i + r) % n))]}
    peer_cmd "$p" exit_now
    args+=(--command-name "$p" "$(words "${CMD[@]}")")
  done
  hyperfine -N --style basic --warmup "$LAUNCH_WARMUP" --runs "$LAUNCH_RUNS" \
    --export-json "$WORK/launch-$r.json" "${args[@]}" >"$WORK/launch-$r.log" 2>&1 ||
    fail "hyperfine failed in launch round $r (log: $WORK/launch-$r.log)"
  say "round $((r + 1)): done ($(grep -c '^Benchmark' "$WORK/launch-$r.log") peers)"
done

section 1b "Instructions: valgrind --tool=callgrind --trace-children=yes, ${ICOUNT_RUNS} run(s) per peer"
# Dumps before fork and execve (where the binary has symbols to find them) so that a process that
# execs away (the shell) is counted, and a forked child does not count its parent's instructions.
for p in "${PEERS[@]}"; do
  peer_cmd "$p" exit_now
  for ((i = 0; i < ICOUNT_RUNS; i++)); do
    d=$WORK/icount/$p/$i
    mkdir -p "$d"
    valgrind -q --tool=callgrind --trace-children=yes --dump-before='*fork*' --dump-before=execve \
      --callgrind-out-file="$d/cg.%p" "${CMD[@]}" >"$WORK/icount-$p.log" 2>&1 ||
      fail "$p under callgrind failed (log: $WORK/icount-$p.log)"
  done
  say "$p: $(cat "$WORK/icount/$p/0"/cg.* | sed -n 's/^totals: //p' | awk '{ s += $1 } END { print s }') instructions"
done

# ------------------------------------------------------------------------------------------------
section 2 "Memory: VmRSS and Pss of the launcher while wait_child runs (${MEM_RUNS} runs per peer)"
for p in "${PEERS[@]}"; do
  peer_cmd "$p" wait_child
  "$PROBE_BIN" mem --runs "$MEM_RUNS" --smaps "$WORK/smaps-$p.txt" -- "${CMD[@]}" >"$WORK/mem-$p.json" ||
    fail "bench_probe mem failed for $p"
  say "$p: $(cat "$WORK/mem-$p.json")"
done

# ------------------------------------------------------------------------------------------------
section 3 "Binary sizes (stripped)"
# kind | name | arch | path | bytes | stripped bytes | linkage
size_row() { # kind name arch path [note]
  local kind=$1 name=$2 arch=$3 path=$4 note=${5:-} bytes stripped linkage machine
  if [ "$path" = BUILD-FAILED ]; then
    printf '%s\t%s\t%s\t%s\t\t\tbuild failed\t\t%s\n' "$kind" "$name" "$arch" "$path" "${note//$'\t'/ }" >>"$WORK/sizes.tsv"
    return
  fi
  path=$(readlink -f -- "$path")
  bytes=$(stat -c %s "$path")
  cp -- "$path" "$WORK/strip.tmp"
  chmod u+w "$WORK/strip.tmp"
  if strip --strip-all "$WORK/strip.tmp" 2>/dev/null; then stripped=$(stat -c %s "$WORK/strip.tmp"); else stripped=""; fi
  rm -f "$WORK/strip.tmp"
  if readelf -lW "$path" | grep -c 'INTERP' >/dev/null; then linkage=dynamic; else linkage=static; fi
  machine=$(readelf -h "$path" | sed -n 's/^ *Machine: *//p')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$name" "${arch:-$machine}" "$path" "$bytes" "$stripped" "$linkage" "$machine" >>"$WORK/sizes.tsv"
}
: >"$WORK/sizes.tsv"
for row in "${ARCH_ROWS[@]}"; do
  IFS='|' read -r config triple path note <<<"$row"
  size_row runtime "phantun-runtime $config" "$triple" "$path" "$note"
done
size_row peer tini "" "$TINI"
size_row peer dumb-init "" "$DUMB_INIT"
size_row peer catatonit "" "$CATATONIT"
size_row peer sh-exec "" "$SH"
size_row peer floor "" "$FLOOR_BIN"
# What the dynamically linked peers load besides themselves.
for lib in $(ldd "$DUMB_INIT" "$(readlink -f "$SH")" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' | sort -u); do
  size_row lib "$(basename "$lib")" "" "$lib"
done
sed 's/^/      | /' "$WORK/sizes.tsv"

# ------------------------------------------------------------------------------------------------
section 4 "Stop latency: SIGTERM to the launcher until it has exited (${STOP_ROUNDS} rounds), then as PID 1 of a PID namespace"
for p in "${PEERS[@]}"; do
  peer_cmd "$p" wait_child
  "$PROBE_BIN" stop --rounds "$STOP_ROUNDS" --timeout-ms "$STOP_TIMEOUT_MS" -- "${CMD[@]}" >"$WORK/stop-$p.json" ||
    fail "bench_probe stop failed for $p"
  rounds=$PIDNS_ROUNDS
  # The launcher-less PID 1 ignores SIGTERM: each of its rounds costs the whole timeout.
  case $p in sh-exec | direct) rounds=$PIDNS_STUCK_ROUNDS ;; esac
  "$PROBE_BIN" stop --pidns --rounds "$rounds" --timeout-ms "$STOP_TIMEOUT_MS" -- "${CMD[@]}" >"$WORK/stop-pidns-$p.json" ||
    fail "bench_probe stop --pidns failed for $p"
  say "$p: $(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); print("stopped %d/%d, as PID 1: %d/%d" % (a["stopped"], a["rounds"], b["stopped"], b["rounds"]))' "$WORK/stop-$p.json" "$WORK/stop-pidns-$p.json")"
done

# ------------------------------------------------------------------------------------------------
section 5 "Data path: UDP through the phantun tunnel at ${DATA_RATE_PPS} datagrams/s, phantun-run vs direct, ${DATA_ROUNDS} interleaved round(s) each"
LAB=$WORK/lab
mkdir "$LAB"
cp -- "$RUNTIME_BIN" "$LAB/phantun-runtime"
cp -- "$PHANTUN_BIN_DIR/phantun_client" "$PHANTUN_BIN_DIR/phantun_server" "$LAB/"
"$LAB/phantun-runtime" --install "$LAB" >/dev/null

say "namespaces $CLI_NS and $SRV_NS, veth $CLI_ADDR <-> $SRV_ADDR"
ip netns add "$CLI_NS"
NAMESPACES+=("$CLI_NS")
ip netns add "$SRV_NS"
NAMESPACES+=("$SRV_NS")
for ns in "$CLI_NS" "$SRV_NS"; do
  if ip netns exec "$ns" test -e /proc/sys/net/ipv6; then
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  fi
  ip -n "$ns" link set lo up
  # The lab's fence: anything sent or forwarded to an address outside 127.0.0.0/8 and
  # 198.18.0.0/15, or over IPv6, is dropped and counted (checked at the end).
  ip netns exec "$ns" nft -f "$LAB_GUARD"
  ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=1
done
ip -n "$CLI_NS" link add "$CLI_VETH" type veth peer name "$SRV_VETH" netns "$SRV_NS"
ip -n "$CLI_NS" addr add "$CLI_ADDR/$WIRE_PREFIX" dev "$CLI_VETH"
ip -n "$SRV_NS" addr add "$SRV_ADDR/$WIRE_PREFIX" dev "$SRV_VETH"
ip -n "$CLI_NS" link set "$CLI_VETH" up
ip -n "$SRV_NS" link set "$SRV_VETH" up
# The host admin's NAT, as in tests/tunnel/tunnel.sh: masquerade on the client, DNAT on the server.
ip netns exec "$CLI_NS" nft -f - <<EOF
table ip $NFT_TABLE {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname "$CLI_TUN" oifname "$CLI_VETH" ip saddr $CLI_TUN_PEER counter masquerade
  }
}
EOF
ip netns exec "$SRV_NS" nft -f - <<EOF
table ip $NFT_TABLE {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "$SRV_VETH" ip daddr $SRV_ADDR tcp dport $PHANTUN_PORT counter dnat to $SRV_TUN_PEER
  }
}
EOF

# Liberal TCP window tracking in the lab's conntrack. phantun's fake TCP acknowledges rarely (an
# ACK every 128 MB without data flowing back), so with one-way traffic strict tracking marks
# everything beyond the first 64 KiB of a flow invalid, NAT skips it and the server answers RST.
# (In real use the traffic flowing back carries fresh ACKs.) The lab's own setting, like its NAT.
for ns in "$CLI_NS" "$SRV_NS"; do
  ip netns exec "$ns" sysctl -q -w net.netfilter.nf_conntrack_tcp_be_liberal=1
done

# Polls a condition every 20 ms until it holds, for at most READY_TIMEOUT_MS; fails early when the
# watched process is gone, as the condition can then never hold.
wait_for() { # what watch_pid command...
  local what=$1 watch=$2 t0
  shift 2
  now_ms
  t0=$NOW_MS
  until "$@" >/dev/null 2>&1; do
    alive "$watch" || fail "$what: ${PIDS[$watch]:-pid $watch} exited first"
    now_ms
    ((NOW_MS - t0 < READY_TIMEOUT_MS)) || fail "$what: not within $READY_TIMEOUT_MS ms"
    sleep 0.02
  done
}
link_ready() { ip -n "$1" -o link show dev "$2" | grep -q '[<,]LOWER_UP[,>]'; }
tun_ready() { # netns tun local_addr
  ip -n "$1" -o link show dev "$2" | grep -q '[<,]UP[,>]' && ip -n "$1" -o -4 addr show dev "$2" | grep -q "inet $3 "
}
udp_listening() { ip netns exec "$1" ss -Hlun "sport = :${2##*:}" | grep -qF " $2 "; }
wait_for "veth up" "$$" link_ready "$SRV_NS" "$SRV_VETH"
wait_for "veth up" "$$" link_ready "$CLI_NS" "$CLI_VETH"

start_in() { # name netns command...
  local name=$1 ns=$2
  shift 2
  (cd "$LAB" && exec ip netns exec "$ns" env RUST_LOG=error "$@") >"$WORK/$name.log" 2>&1 &
  PIDS[$!]=$name
  LAST_PID=$!
}

: >"$WORK/datapath.jsonl"
data_round() { # variant round
  local variant=$1 round=$2 server client
  local server_args=(--local "$PHANTUN_PORT" --remote "$SINK_UDP" --tun "$SRV_TUN"
    --tun-local "$SRV_TUN_LOCAL" --tun-peer "$SRV_TUN_PEER" --ipv4-only)
  local client_args=(--local "$CLIENT_UDP" --remote "$SRV_ADDR:$PHANTUN_PORT" --tun "$CLI_TUN"
    --tun-local "$CLI_TUN_LOCAL" --tun-peer "$CLI_TUN_PEER" --ipv4-only)
  if [ "$variant" = phantun-run ]; then
    start_in "server-$variant-$round" "$SRV_NS" MODE=server ./phantun-run "${server_args[@]}"
  else
    start_in "server-$variant-$round" "$SRV_NS" ./phantun_server "${server_args[@]}"
  fi
  server=$LAST_PID
  wait_for "phantun_server's TUN" "$server" tun_ready "$SRV_NS" "$SRV_TUN" "$SRV_TUN_LOCAL"
  if [ "$variant" = phantun-run ]; then
    start_in "client-$variant-$round" "$CLI_NS" MODE=client ./phantun-run "${client_args[@]}"
  else
    start_in "client-$variant-$round" "$CLI_NS" ./phantun_client "${client_args[@]}"
  fi
  client=$LAST_PID
  wait_for "phantun_client's TUN" "$client" tun_ready "$CLI_NS" "$CLI_TUN" "$CLI_TUN_LOCAL"
  wait_for "phantun_client's UDP socket" "$client" udp_listening "$CLI_NS" "$CLIENT_UDP"
  # CPU time is counted over every process of the data path: phantun, and phantun-run when used.
  local cpu=() pid child kids
  for pid in "$client" "$server"; do
    cpu+=(--cpu-pid "$pid")
    kids=()
    read -ra kids <"/proc/$pid/task/$pid/children" || true
    for child in "${kids[@]}"; do cpu+=(--cpu-pid "$child"); done
  done
  local result
  result=$("$UDP_BENCH_BIN" --recv-netns "$SRV_NS" --recv "$SINK_UDP" --send-netns "$CLI_NS" \
    --send "$CLIENT_UDP" --size "$DATA_SIZE" --warmup-ms "$DATA_WARMUP_MS" --window-ms "$DATA_WINDOW_MS" \
    --rate-pps "$DATA_RATE_PPS" "${cpu[@]}") ||
    fail "udp_bench failed in round $round ($variant)"
  printf '{"variant":"%s","round":%d,"result":%s}\n' "$variant" "$round" "$result" >>"$WORK/datapath.jsonl"
  for pid in "$client" "$server"; do
    stop_pid "$pid"
    # phantun has no SIGTERM handler: killed directly, or through phantun-run, both end in 143.
    [ "$STATUS" -eq 143 ] || fail "$variant round $round: phantun ended with $STATUS after SIGTERM, want 143"
  done
  say "round $round, $variant: $result"
}
for ((r = 1; r <= DATA_ROUNDS; r++)); do
  # ABBA order, so that a drift of the machine's speed hits both alike.
  if ((r % 2)); then order=(direct phantun-run); else order=(phantun-run direct); fi
  for v in "${order[@]}"; do data_round "$v" "$r"; done
done
for ns in "$CLI_NS" "$SRV_NS"; do
  dropped=$(ip netns exec "$ns" nft list table inet "$GUARD_TABLE" |
    sed -n 's/.*counter packets \([0-9][0-9]*\) .*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
  [ "$dropped" -eq 0 ] || fail "$dropped packet(s) in $ns were addressed outside the lab (dropped by its guard)"
done
say "ok: the lab guard saw no packet to any address outside 127.0.0.0/8 and 198.18.0.0/15"
for ns in "$CLI_NS" "$SRV_NS"; do ip netns del "$ns"; done
NAMESPACES=()

# ------------------------------------------------------------------------------------------------
section 6 "phantun-doctor"
if "$RUNTIME_BIN" --list | grep -qx phantun-doctor; then
  d=$WORK/run-exit_now
  # Its exit status reports what it found on this host (non-zero when a check fails): ignored.
  hyperfine -N -i --style basic --warmup "$DOCTOR_WARMUP" --runs "$DOCTOR_RUNS" --export-json "$WORK/doctor.json" \
    --command-name "phantun-doctor" "$(words "$d/phantun-doctor")" \
    --command-name "phantun-doctor --json" "$(words "$d/phantun-doctor" --json)" >"$WORK/doctor.log" 2>&1 ||
    fail "hyperfine failed for phantun-doctor (log: $WORK/doctor.log)"
  say "measured ($DOCTOR_RUNS runs each)"
else
  say "not available: '$RUNTIME_BIN --list' does not list phantun-doctor"
fi

# ------------------------------------------------------------------------------------------------
section 7 "Report"
python3 "$here/report.py" --work "$WORK" --out "$OUT"
say "wrote $OUT/results.md and $OUT/results.json"
if [ "$QUICK" = yes ]; then sed 's/^/      | /' "$OUT/results.md"; fi
