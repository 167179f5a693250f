#!/usr/bin/env bash
# Benchmarks of phantun-run against its peers, all measured in one run on one machine, as ratios.
#
#   bash tests/bench/run.sh          the full run: writes tests/bench/results.md and results.json
#   bash tests/bench/run.sh --quick  a few runs of everything, only to check that the script works
#
# The launchers compared ("peers", PEERS and peer_cmd below), each starting the same static child:
#   phantun-run   this project (MODE=client; the child is copied next to it as phantun_client)
#   tini-musl, dumb-init-musl, catatonit-musl
#                 the same three as static musl binaries, built by musl_peers.sh with musl-gcc
#                 from Debian's source packages of the versions below: the fair anchors for a
#                 static musl launcher, and the headline launch target
#   tini          Debian's tini-static, with -s (child subreaper, as phantun-run when not PID 1)
#   dumb-init     Debian's dumb-init (dynamically linked: that is how Debian ships it)
#   catatonit     Debian's catatonit (static)
#   sh-exec       a shell entrypoint that execs the child: /bin/sh -c 'exec "$@"' sh CHILD
#   floor         floor_supervisor.c: posix_spawn + signal forwarding + waitpid, nothing else
#   direct        the child itself, no launcher
# The children: exit_now.c (exits at once) and wait_child.c (says "ready", exits at the end of its
# stdin), tiny on purpose so that what is measured is the launcher.
#
# What is measured (section numbers as in results.md):
#   1 launch      hyperfine: wall time to start exit_now and return its status; the runs are split
#                 into rounds with the peers in a rotated order, so drift hits every peer alike
#     Ir          valgrind --tool=callgrind --trace-children=yes: instructions of the launcher
#                 process and of the child, a figure that noise does not move
#   2 memory      VmRSS and Pss of the launcher process while wait_child runs (phantun-run in its
#                 final wait, after it gave back its start-up memory), and where phantun-run's
#                 resident pages are (bench_probe mem, /proc/PID/smaps), page by page with the
#                 symbols in each (resident_pages.py, on a build of the same code with symbols)
#   3 size        stripped size of phantun-runtime for every release architecture
#                 (tests/release/arches.sh) and of every peer binary
#   4 stop        SIGTERM to the launcher until it has exited, child dying of SIGTERM at once
#                 (bench_probe stop); then the same with the launcher as PID 1 of a new PID
#                 namespace, where a PID 1 without a SIGTERM handler never sees the signal: bounded
#                 by a timeout, after which it gets SIGKILL
#   5 data path   UDP through the real phantun tunnel in the lab of tests/lab/netns.sh at a fixed
#                 offered load, phantun started by phantun-run or directly, interleaved rounds
#                 (udp_bench)
#   6 doctor      wall time of `phantun-doctor` and `phantun-doctor --json`
#
# Targets are reported in results.md (met / missed), never enforced: the exit status says only
# whether every measurement could be made. The lab's namespaces (198.18.0.0/15 only, no default
# route, no IPv6, the address guard), every process started and the temp folder are removed on
# exit, success or not.
#
# Usage (as root):
#   run.sh [--quick] [--out DIR] [--phantun-bin-dir DIR] [--musl-peers DIR]
#          [--runtime PATH --floor PATH --exit-now PATH --wait-child PATH --probe PATH --udp-bench PATH]
# Without the six binaries it runs third_party/setup.sh and builds them with Bazel, and
# phantun-runtime for every release architecture too, and the static musl peers (musl_peers.sh,
# into third_party/.cache/musl-peers). With them (the Bazel test bench_smoke) it builds nothing,
# sizes only the binary it was given, and runs the musl peers only from --musl-peers DIR. --out defaults to tests/bench (full run)
# or the test's undeclared-outputs folder, else a temp folder printed at the end (--quick).
# Ends with "bench: PASS" (exit 0) or "bench: FAIL: <reason>" (non-zero).
set -Eeuo pipefail
exec 2>&1

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ------------------------------------------------------------------------------------------------
# Options.
QUICK=no OUT="" PHANTUN_BIN_DIR=${PHANTUN_BIN_DIR:-} MUSL_PEERS=""
readonly BINS=(RUNTIME_BIN FLOOR_BIN EXIT_NOW_BIN WAIT_CHILD_BIN PROBE_BIN UDP_BENCH_BIN)
RUNTIME_BIN="" FLOOR_BIN="" EXIT_NOW_BIN="" WAIT_CHILD_BIN="" PROBE_BIN="" UDP_BENCH_BIN=""
usage() { sed -n '/^# Usage/,/^# Ends with/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=yes; shift ;;
    --out) OUT=${2:?--out needs a folder}; shift 2 ;;
    --phantun-bin-dir) PHANTUN_BIN_DIR=${2:?}; shift 2 ;;
    --musl-peers) MUSL_PEERS=${2:?--musl-peers needs a folder}; shift 2 ;;
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
  DATA_ROUNDS=1 DATA_WARMUP_MS=200 DATA_WINDOW_MS=500
  DOCTOR_RUNS=3 DOCTOR_WARMUP=1
else
  LAUNCH_ROUNDS=5 LAUNCH_RUNS=300 LAUNCH_WARMUP=30 # 1500 runs per peer in all
  ICOUNT_RUNS=3
  MEM_RUNS=5
  STOP_ROUNDS=100 PIDNS_ROUNDS=30 PIDNS_STUCK_ROUNDS=3
  DATA_ROUNDS=5 DATA_WARMUP_MS=300 DATA_WINDOW_MS=2000
  DOCTOR_RUNS=100 DOCTOR_WARMUP=5
fi
readonly STOP_TIMEOUT_MS=1000 # the bound of section 4: "did not stop within 1 s"
readonly DATA_SIZE=1200       # UDP payload bytes: fits phantun's fake TCP in a 1500-byte MTU
# The data path is offered a fixed load (about 96 Mbit/s), below what phantun carries on a busy
# 2-core machine: a saturating sender competes for the same two cores, and then other jobs on the
# machine swing the result by a factor of two between rounds.
readonly DATA_RATE_PPS=10000

# ------------------------------------------------------------------------------------------------
# The lab (tests/lab/netns.sh) and the state cleaned up on exit.
readonly CLI_NS="ptbench-cli-$$" SRV_NS="ptbench-srv-$$"
readonly READY_TIMEOUT_MS=10000
WORK=""
reason=""
step_no=0
# shellcheck source=../lab/netns.sh
. "$here/../lab/netns.sh"
now_ms
readonly START_MS=$NOW_MS
section() { printf '\n[%s] %s\n' "$1" "$2"; }
on_err() { [ -n "$reason" ] || reason="'$3' failed with status $1 (run.sh line $2)"; }
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
trap 'reason="interrupted (SIGINT)"; exit 130' INT
trap 'reason="terminated (SIGTERM)"; exit 143' TERM

on_exit() {
  local rc=$?
  set +e
  trap - ERR INT TERM
  [ "$rc" -eq 0 ] || [ -n "$reason" ] || reason="exit status $rc"
  cd /
  lab_remove
  if [ -n "$WORK" ]; then
    [ -z "$reason" ] || show_logs "$WORK" 15
    rm -rf -- "$WORK"
  fi
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
WORK=$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/phantun-bench.XXXXXX")
chmod 0755 "$WORK"

# ------------------------------------------------------------------------------------------------
section 0 "Inputs"
BUILT_HERE=no
declare -a ARCH_ROWS=() # "name|triple|path[|first error]" of the phantun-runtime builds to size
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
  # The same code with its symbols (zig strips at -Os; -g at link keeps them; the sections keep
  # their addresses and sizes, which resident_pages.py checks), for resident_pages.py.
  say "\$ bazel build --platform_suffix=syms --features=-strip_all --linkopt=-g //cmd:phantun-runtime"
  bazel build --platform_suffix=syms --features=-strip_all --linkopt=-g //cmd:phantun-runtime
  SYMBOLS_BIN=$(bazel info --platform_suffix=syms bazel-bin 2>/dev/null)/cmd/phantun-runtime
  MUSL_PEERS=${MUSL_PEERS:-$repo/third_party/.cache/musl-peers}
  say "\$ tests/bench/musl_peers.sh $MUSL_PEERS"
  bash "$here/musl_peers.sh" "$MUSL_PEERS"
  RUNTIME_BIN=$bin/cmd/phantun-runtime
  FLOOR_BIN=$bin/tests/bench/floor_supervisor
  EXIT_NOW_BIN=$bin/tests/bench/exit_now
  WAIT_CHILD_BIN=$bin/tests/bench/wait_child
  PROBE_BIN=$bin/tests/bench/bench_probe
  UDP_BENCH_BIN=$bin/tests/bench/udp_bench
  # Every release architecture is a --config of .bazelrc; x86_64 is the default build above.
  # shellcheck source=../release/arches.sh
  . tests/release/arches.sh
  for arch in "${release_arches[@]}"; do
    if [ "$arch" = x86_64 ]; then
      ARCH_ROWS+=("$arch|$(release_triple "$arch")|$RUNTIME_BIN")
      continue
    fi
    say "\$ bazel build --config=$arch //cmd:phantun-runtime"
    if bazel build --config="$arch" //cmd:phantun-runtime >"$WORK/build-$arch.log" 2>&1; then
      ARCH_ROWS+=("$arch|$(release_triple "$arch")|$(bazel info --config="$arch" bazel-bin 2>/dev/null)/cmd/phantun-runtime")
    else
      # An architecture that does not build is reported as such (with its first error), not fatal.
      first_error=$({ grep -m 1 ' error: ' "$WORK/build-$arch.log" || grep -m 1 'ERROR:' "$WORK/build-$arch.log"; } | cut -c 1-200 || true)
      say "build failed: ${first_error:-see the bazel output}"
      ARCH_ROWS+=("$arch|$(release_triple "$arch")|BUILD-FAILED|${first_error//|//}")
    fi
  done
  # shellcheck source=/dev/null
  PHANTUN_BIN_DIR=${PHANTUN_BIN_DIR:-$repo/third_party/.cache/phantun-$(. third_party/pins.sh && echo "$PHANTUN_CRATE_VERSION")/bin}
  OUT=${OUT:-$([ "$QUICK" = yes ] || echo "$repo/tests/bench")}
else
  for v in "${BINS[@]}"; do
    [ -n "${!v}" ] || fail "given some binaries but not ${v%_BIN} (give all six, or none)"
  done
  ARCH_ROWS+=("(given)||$RUNTIME_BIN")
fi
[ -n "$PHANTUN_BIN_DIR" ] || fail "no phantun folder (--phantun-bin-dir or PHANTUN_BIN_DIR)"
for v in "${BINS[@]}"; do
  [ -x "${!v}" ] || fail "${!v}: not an executable file"
  printf -v "$v" '%s' "$(readlink -f -- "${!v}")"
done
PHANTUN_BIN_DIR=$(readlink -f -- "$PHANTUN_BIN_DIR")
for f in phantun_client phantun_server; do
  [ -x "$PHANTUN_BIN_DIR/$f" ] || fail "$PHANTUN_BIN_DIR/$f: not an executable file"
done
TINI=/usr/bin/tini-static DUMB_INIT=/usr/bin/dumb-init CATATONIT=/usr/bin/catatonit SH=/bin/sh
for tool in hyperfine valgrind python3 ip nft ss sysctl readelf strip "$TINI" "$DUMB_INIT" "$CATATONIT" "$SH"; do
  command -v "$tool" >/dev/null ||
    fail "$tool not found (third_party/setup.sh installs tini dumb-init catatonit hyperfine valgrind python3 iproute2 nftables)"
done
[ -c /dev/net/tun ] || fail "/dev/net/tun is missing: phantun needs TUN devices"
SYMBOLS_BIN=${SYMBOLS_BIN:-}
if [ -n "$MUSL_PEERS" ]; then
  for peer in tini dumb-init catatonit; do
    [ -x "$MUSL_PEERS/$peer" ] || fail "$MUSL_PEERS/$peer: not an executable file (tests/bench/musl_peers.sh builds it)"
  done
fi

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
"$RUNTIME_BIN" --list | grep -qx phantun-run || fail "$RUNTIME_BIN has no phantun-run applet"
for child in exit_now wait_child; do
  d=$WORK/run-$child
  mkdir "$d"
  cp -- "$RUNTIME_BIN" "$d/phantun-runtime"
  src=EXIT_NOW_BIN
  [ "$child" = exit_now ] || src=WAIT_CHILD_BIN
  cp -- "${!src}" "$d/phantun_client"
  "$d/phantun-runtime" --install "$d" >/dev/null
done

# A new peer is one name here and one line in peer_cmd (and its label in report.py's PEERS).
PEERS=(phantun-run)
[ -z "$MUSL_PEERS" ] || PEERS+=(tini-musl dumb-init-musl catatonit-musl)
PEERS+=(tini dumb-init catatonit sh-exec floor direct)
# The command line of a peer starting CHILD (exit_now or wait_child), into the array CMD.
peer_cmd() { # peer child_name
  local child=$EXIT_NOW_BIN
  [ "$2" = exit_now ] || child=$WAIT_CHILD_BIN
  case $1 in
    phantun-run) CMD=("$WORK/run-$2/phantun-run") ;;
    tini-musl) CMD=("$MUSL_PEERS/tini" -s -- "$child") ;;
    dumb-init-musl) CMD=("$MUSL_PEERS/dumb-init" "$child") ;;
    catatonit-musl) CMD=("$MUSL_PEERS/catatonit" -- "$child") ;;
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
  printf 'load\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
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
  if [ -n "$MUSL_PEERS" ]; then
    printf 'musl_peers\t%s\n' "$(sed -n 's/^  "\([^ ]*\) \([^ ]*\) .*/\1 \2/p' "$here/musl_peers.sh" | paste -sd, | sed 's/,/, /g')"
    printf 'musl_version\t%s\n' "$(pkg_version musl-dev)"
  fi
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
  for p in "${PEERS[@]}"; do
    peer_cmd "$p" exit_now
    # Commands as a reader would type them: CHILD for the child, DIR for phantun-run's folder.
    cmd=$(display "${CMD[@]}")
    cmd=${cmd//"$WORK/run-exit_now/"/DIR/}
    cmd=${cmd//"$EXIT_NOW_BIN"/CHILD}
    [ -z "$MUSL_PEERS" ] || cmd=${cmd//"$MUSL_PEERS/"/MUSL/}
    printf 'cmd_%s\t%s\n' "$p" "${cmd//"$FLOOR_BIN"/floor_supervisor}"
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
  final=()
  [ "$p" != phantun-run ] || final=(--final-read)
  "$PROBE_BIN" mem --runs "$MEM_RUNS" --smaps "$WORK/smaps-$p.txt" "${final[@]}" -- "${CMD[@]}" >"$WORK/mem-$p.json" ||
    fail "bench_probe mem failed for $p"
  say "$p: $(cat "$WORK/mem-$p.json")"
done
# Where each of phantun-run's resident pages comes from: the symbols in it.
if [ -n "$SYMBOLS_BIN" ]; then
  python3 "$here/resident_pages.py" --smaps "$WORK/smaps-phantun-run.txt" --symbols "$SYMBOLS_BIN" \
    --stripped "$RUNTIME_BIN" >"$WORK/resident-pages.md" || fail "resident_pages.py failed"
  indent <"$WORK/resident-pages.md"
fi

# ------------------------------------------------------------------------------------------------
section 3 "Binary sizes (stripped)"
# One line of sizes.tsv: kind, name, arch, path, bytes, stripped bytes, linkage, ELF machine, note.
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
  IFS='|' read -r arch triple path note <<<"$row"
  size_row runtime "phantun-runtime $arch" "$triple" "$path" "$note"
done
if [ -n "$MUSL_PEERS" ]; then
  for peer in tini dumb-init catatonit; do size_row peer "$peer-musl" "" "$MUSL_PEERS/$peer"; done
fi
size_row peer tini "" "$TINI"
size_row peer dumb-init "" "$DUMB_INIT"
size_row peer catatonit "" "$CATATONIT"
size_row peer sh-exec "" "$SH"
size_row peer floor "" "$FLOOR_BIN"
# What the dynamically linked peers load besides themselves.
for lib in $(ldd "$DUMB_INIT" "$(readlink -f "$SH")" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' | sort -u); do
  size_row lib "$(basename "$lib")" "" "$lib"
done
indent <"$WORK/sizes.tsv"
# What each part of phantun-runtime costs (x86_64, from the symbols build).
if [ -n "$SYMBOLS_BIN" ]; then
  python3 "$here/size_parts.py" --symbols "$SYMBOLS_BIN" >"$WORK/size-parts.md" || fail "size_parts.py failed"
  indent <"$WORK/size-parts.md"
fi

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
# phantun-runtime, its applet links and phantun, as in the image, in $WORK (start_in runs from it).
cp -- "$RUNTIME_BIN" "$WORK/phantun-runtime"
cp -- "$PHANTUN_BIN_DIR/phantun_client" "$PHANTUN_BIN_DIR/phantun_server" "$WORK/"
"$WORK/phantun-runtime" --install "$WORK" >/dev/null
lab_create
lab_host_admin_client
lab_host_admin_server
# Liberal TCP window tracking in the lab's conntrack. phantun's fake TCP acknowledges rarely (an
# ACK every 128 MB without data flowing back), so with one-way traffic strict tracking marks
# everything beyond the first 64 KiB of a flow invalid, NAT skips it and the server answers RST.
# (In real use the traffic flowing back carries fresh ACKs.) The lab's own setting, like its NAT.
for ns in "$CLI_NS" "$SRV_NS"; do
  run ip netns exec "$ns" sysctl -q -w net.netfilter.nf_conntrack_tcp_be_liberal=1
done

: >"$WORK/datapath.jsonl"
data_round() { # variant round
  local variant=$1 round=$2 server client
  # phantun started directly, or by phantun-run, which picks it by MODE.
  local server_cmd=(./phantun_server) client_cmd=(./phantun_client)
  if [ "$variant" = phantun-run ]; then
    server_cmd=(MODE=server ./phantun-run) client_cmd=(MODE=client ./phantun-run)
  fi
  start_in "server-$variant-$round" "$SRV_NS" RUST_LOG=error "${server_cmd[@]}" \
    --local "$PHANTUN_PORT" --remote "$ECHO_UDP" --tun "$SRV_TUN" \
    --tun-local "$SRV_TUN_LOCAL" --tun-peer "$SRV_TUN_PEER" --ipv4-only
  server=$LAST_PID
  wait_for "phantun_server's TUN" "$READY_TIMEOUT_MS" "$server" tun_ready "$SRV_NS" "$SRV_TUN" "$SRV_TUN_LOCAL"
  start_in "client-$variant-$round" "$CLI_NS" RUST_LOG=error "${client_cmd[@]}" \
    --local "$CLIENT_UDP" --remote "$SRV_ADDR:$PHANTUN_PORT" --tun "$CLI_TUN" \
    --tun-local "$CLI_TUN_LOCAL" --tun-peer "$CLI_TUN_PEER" --ipv4-only
  client=$LAST_PID
  wait_for "phantun_client's TUN" "$READY_TIMEOUT_MS" "$client" tun_ready "$CLI_NS" "$CLI_TUN" "$CLI_TUN_LOCAL"
  wait_for "phantun_client's UDP socket" "$READY_TIMEOUT_MS" "$client" udp_listening "$CLI_NS" "$CLIENT_UDP"
  # CPU time is counted over every process of the data path: phantun, and phantun-run when used.
  local cpu=() pid child kids
  for pid in "$client" "$server"; do
    cpu+=(--cpu-pid "$pid")
    kids=()
    read -ra kids <"/proc/$pid/task/$pid/children" || true
    for child in "${kids[@]}"; do cpu+=(--cpu-pid "$child"); done
  done
  local result
  result=$("$UDP_BENCH_BIN" --recv-netns "$SRV_NS" --recv "$ECHO_UDP" --send-netns "$CLI_NS" \
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
lab_guard_check
lab_remove
[ -z "$reason" ] || fail "$reason"

# ------------------------------------------------------------------------------------------------
section 6 "phantun-doctor"
d=$WORK/run-exit_now
# Its exit status reports what it found on this host (non-zero when a check fails): ignored.
hyperfine -N -i --style basic --warmup "$DOCTOR_WARMUP" --runs "$DOCTOR_RUNS" --export-json "$WORK/doctor.json" \
  --command-name "phantun-doctor" "$(words "$d/phantun-doctor")" \
  --command-name "phantun-doctor --json" "$(words "$d/phantun-doctor" --json)" >"$WORK/doctor.log" 2>&1 ||
  fail "hyperfine failed for phantun-doctor (log: $WORK/doctor.log)"
say "measured ($DOCTOR_RUNS runs each)"

# ------------------------------------------------------------------------------------------------
section 7 "Report"
python3 "$here/report.py" --work "$WORK" --out "$OUT"
say "wrote $OUT/results.md and $OUT/results.json"
if [ "$QUICK" = yes ]; then indent <"$OUT/results.md"; fi
