#!/usr/bin/env bash
# phantun-doctor at kube-proxy scale, against the tools that read the same rules, in one run:
#
#   bash tests/bench/doctor_scale.sh           the full run: writes tests/bench/doctor_scale.md
#   bash tests/bench/doctor_scale.sh --quick   small rulesets, 3 rounds: only checks the script works
#
# Two network namespaces of this run (names end in the shell's PID), each with lo and a veth pair
# (wan0 <-> wan1, 198.18.0.0/15 addresses only, no route out):
#   nft   NFT_RULES nftables rules (tests/bench/doctor_scale_rules.py nft: a filter table with sets
#         and jumps, a NAT table of kube-proxy's nftables shape: services -> service-N ->
#         endpoint-N-E, numgen load balancing, DNAT, masquerade)
#   ipt   IPT_RULES iptables-nft rules (doctor_scale_rules.py iptables, loaded with
#         iptables-nft-restore: kube-proxy's iptables mode, KUBE-SERVICES -> KUBE-SVC-* ->
#         KUBE-SEP-*, -m comment, -m statistic, DNAT, MARK, MASQUERADE)
# In each namespace, ROUNDS rounds, the commands in a rotated order each round (so that drift of
# the machine hits each alike), each command once per round, stdout to /dev/null:
#   doctor             phantun-doctor --mode server --port 4567 --tun tun0 --wan wan0   (its full run)
#   nft list ruleset
#   iptables-nft-save
#   iptables-save      (Debian's alternative: iptables-nft-save again, unless switched to legacy)
# and reports the median wall time of each and the ratios doctor/peer. The target (issue 13):
# the doctor takes at most half the time of `nft list ruleset` on the nft ruleset and of
# `iptables-nft-save` on the iptables-nft one. Targets are reported (met / missed), never enforced:
# the exit status says only whether every measurement could be made.
#
# Usage (as root):
#   doctor_scale.sh [--quick] [--runtime PATH [--built-from TEXT]] [--out DIR] [--rounds N]
#                   [--nft-rules N] [--ipt-rules N]
# Without --runtime it builds //cmd:phantun-runtime with Bazel and names the commit (and whether
# cmd/ or runtime/ had changes) in the report; --built-from says what a given binary was built
# from. --out defaults to tests/bench when it builds, else the test's undeclared-outputs folder,
# else a temp folder.
# Ends with "doctor_scale: PASS" (exit 0) or "doctor_scale: FAIL: <reason>" (non-zero).
set -Eeuo pipefail
exec 2>&1

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" # a Bazel test's PATH lacks sbin

QUICK=no OUT="" RUNTIME_BIN="" BUILT_FROM="" ROUNDS="" NFT_RULES="" IPT_RULES=""
usage() { sed -n '/^# Usage/,/^# Ends with/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=yes; shift ;;
    --runtime) RUNTIME_BIN=${2:?--runtime needs a path}; shift 2 ;;
    --built-from) BUILT_FROM=${2:?}; shift 2 ;;
    --out) OUT=${2:?--out needs a folder}; shift 2 ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --nft-rules) NFT_RULES=${2:?}; shift 2 ;;
    --ipt-rules) IPT_RULES=${2:?}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; echo "doctor_scale: FAIL: unknown argument '$1'"; exit 64 ;;
  esac
done
if [ "$QUICK" = yes ]; then
  : "${ROUNDS:=3}" "${NFT_RULES:=400}" "${IPT_RULES:=2000}"
else
  : "${ROUNDS:=15}" "${NFT_RULES:=10000}" "${IPT_RULES:=100000}"
fi

readonly NFT_NS="ptscale-nft-$$" IPT_NS="ptscale-ipt-$$"
NAMESPACES=() # the namespaces this run created, removed on exit
WORK=""
reason=""
t_start=$(date +%s)
say() { printf '  %s\n' "$*"; }
fail() {
  reason=$1
  exit 1
}
on_err() { [ -n "$reason" ] || reason="'$3' failed with status $1 (doctor_scale.sh line $2)"; }
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
trap 'reason="interrupted (SIGINT)"; exit 130' INT
trap 'reason="terminated (SIGTERM)"; exit 143' TERM
on_exit() {
  local rc=$? ns
  set +e
  trap - ERR INT TERM
  [ "$rc" -eq 0 ] || [ -n "$reason" ] || reason="exit status $rc"
  for ns in "${NAMESPACES[@]}"; do ip netns delete "$ns" 2>/dev/null; done
  [ -z "$WORK" ] || rm -rf -- "$WORK"
  echo
  echo "doctor_scale: took $(($(date +%s) - t_start)) s"
  if [ -z "$reason" ]; then
    echo "doctor_scale: PASS (every measurement ran; targets are in $OUT/doctor_scale.md)"
    exit 0
  fi
  echo "doctor_scale: FAIL: $reason"
  [ "$rc" -ne 0 ] || rc=1
  exit "$rc"
}
trap on_exit EXIT

[ "$(id -u)" -eq 0 ] || fail "must run as root (network namespaces, nftables)"
for tool in ip nft iptables-nft-restore iptables-nft-save iptables-save python3; do
  command -v "$tool" >/dev/null || fail "$tool not found (Debian: iproute2 nftables iptables python3)"
done
WORK=$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/phantun-doctor-scale.XXXXXX")

echo "[0] Inputs"
if [ -z "$RUNTIME_BIN" ]; then
  repo=$(cd "$here/../.." && pwd)
  cd "$repo"
  say "\$ bazel build //cmd:phantun-runtime"
  bazel build //cmd:phantun-runtime >"$WORK/build.log" 2>&1 || fail "bazel build failed: $(tail -n 5 "$WORK/build.log")"
  RUNTIME_BIN=$(bazel info bazel-bin 2>/dev/null)/cmd/phantun-runtime
  OUT=${OUT:-$([ "$QUICK" = yes ] || echo "$repo/tests/bench")}
fi
[ -x "$RUNTIME_BIN" ] || fail "$RUNTIME_BIN: not an executable file"
if [ -z "$OUT" ]; then
  OUT=${TEST_UNDECLARED_OUTPUTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/phantun-doctor-scale-results.XXXXXX")}
fi
mkdir -p "$OUT"
OUT=$(readlink -f -- "$OUT")
# The doctor as installed: phantun-runtime and its applet links, in the work folder.
cp -- "$RUNTIME_BIN" "$WORK/phantun-runtime"
"$WORK/phantun-runtime" --install "$WORK" >/dev/null
[ -x "$WORK/phantun-doctor" ] || fail "$RUNTIME_BIN has no phantun-doctor applet"
say "phantun-runtime: $RUNTIME_BIN ($(stat -c %s "$RUNTIME_BIN") bytes)"
say "mode: $([ "$QUICK" = yes ] && echo quick || echo full), $ROUNDS rounds; results to $OUT"

echo "[1] Namespaces and rulesets ($NFT_RULES nft rules, $IPT_RULES iptables-nft rules)"
make_namespace() { # name address/prefix
  ip netns add "$1"
  NAMESPACES+=("$1")
  ip -n "$1" link set lo up
  ip -n "$1" link add wan0 type veth peer name wan1
  ip -n "$1" addr add "$2" dev wan0
  ip -n "$1" link set wan0 up
  ip -n "$1" link set wan1 up
}
make_namespace "$NFT_NS" 198.18.0.1/30
make_namespace "$IPT_NS" 198.18.0.5/30
python3 "$here/doctor_scale_rules.py" nft "$NFT_RULES" >"$WORK/nft.rules"
python3 "$here/doctor_scale_rules.py" iptables "$IPT_RULES" >"$WORK/ipt.rules"
t0=$(date +%s%N)
ip netns exec "$NFT_NS" nft -f "$WORK/nft.rules"
t1=$(date +%s%N)
ip netns exec "$IPT_NS" iptables-nft-restore <"$WORK/ipt.rules"
t2=$(date +%s%N)
say "loaded: nft -f in $(((t1 - t0) / 1000000)) ms, iptables-nft-restore in $(((t2 - t1) / 1000000)) ms"
# What the kernel holds is what was meant, counted by the peers themselves.
nft_count=$(ip netns exec "$NFT_NS" nft -a list ruleset | grep '# handle [0-9]*$' |
  grep -cvE '^[[:space:]]*(table|chain|set|map) ' || true)
ipt_count=$(ip netns exec "$IPT_NS" iptables-nft-save | grep -c '^-A ' || true)
[ "$nft_count" -eq "$NFT_RULES" ] || fail "the nft namespace holds $nft_count rules, not $NFT_RULES"
[ "$ipt_count" -eq "$IPT_RULES" ] || fail "the iptables-nft namespace holds $ipt_count rules, not $IPT_RULES"
say "counted: $nft_count nft rules, $ipt_count iptables-nft rules"

# Every command must run (and the doctor must have read the rules) before it is timed. The
# doctor exits 1 here (these namespaces forward nothing): only 0 and 1 are reports.
for ns in "$NFT_NS" "$IPT_NS"; do
  status=0
  ip netns exec "$ns" "$WORK/phantun-doctor" --mode server --port 4567 --tun tun0 --wan wan0 >"$WORK/doctor-$ns.txt" || status=$?
  [ "$status" -le 1 ] || fail "phantun-doctor in $ns exited with $status: $(head -c 400 "$WORK/doctor-$ns.txt")"
  # A backend it could not read is named in the report as "nftables (why)" (UnreadableBackends).
  # The full run traces phantun's packets through every rule: a report without traces is no run.
  ! grep -q 'not traced' "$WORK/doctor-$ns.txt" || fail "phantun-doctor in $ns traced nothing: $(grep -m 1 'not traced' "$WORK/doctor-$ns.txt")"
  ! grep -q 'not fully readable\|nftables (' "$WORK/doctor-$ns.txt" ||
    fail "phantun-doctor in $ns did not read the rules: $(grep -m 2 'not fully readable\|nftables (' "$WORK/doctor-$ns.txt")"
  for peer in "nft list ruleset" iptables-nft-save iptables-save; do
    # shellcheck disable=SC2086 # the peer's words
    ip netns exec "$ns" $peer >/dev/null || fail "'$peer' failed in $ns"
  done
done
say "ok: the doctor and every peer run in both namespaces"

echo "[2] Timing: $ROUNDS rounds, commands rotated"
{
  printf 'mode\t%s\n' "$([ "$QUICK" = yes ] && echo quick || echo full)"
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'machine\t%s\n' "$(uname -m)"
  printf 'cpu\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  printf 'cores\t%s\n' "$(nproc)"
  printf 'load_before\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck source=/dev/null
  printf 'os\t%s\n' "$(. /etc/os-release && echo "$PRETTY_NAME")"
  if [ -n "${repo:-}" ]; then
    printf 'commit\t%s%s\n' "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')" \
      "$(git -C "$repo" diff --quiet HEAD -- cmd runtime 2>/dev/null || echo ' (cmd/ or runtime/ modified)')"
  elif [ -n "$BUILT_FROM" ]; then
    printf 'commit\t%s\n' "$BUILT_FROM"
  fi
  printf 'runtime_version\t%s\n' "$("$WORK/phantun-runtime" --version 2>&1 | head -n 1)"
  printf 'runtime_bytes\t%s\n' "$(stat -c %s "$RUNTIME_BIN")"
  printf 'nft_version\t%s\n' "$(nft --version)"
  printf 'iptables_version\t%s\n' "$(iptables-nft-save --version 2>&1 | head -n 1)"
  printf 'iptables-save\t%s\n' "$(readlink -f "$(command -v iptables-save)")"
  printf 'rounds\t%s\n' "$ROUNDS"
  printf 'nft_rules\t%s\n' "$NFT_RULES"
  printf 'ipt_rules\t%s\n' "$IPT_RULES"
} >"$WORK/meta.tsv"
: >"$WORK/times.jsonl"
for ((r = 0; r < ROUNDS; r++)); do
  # The namespaces alternate too; inside each, the commands rotate.
  if ((r % 2)); then order=("$IPT_NS" "$NFT_NS"); else order=("$NFT_NS" "$IPT_NS"); fi
  for ns in "${order[@]}"; do
    kind=nft
    [ "$ns" = "$NFT_NS" ] || kind=ipt
    ip netns exec "$ns" python3 "$here/doctor_scale.py" time --round "$r" --namespace "$kind" \
      --doctor "$WORK/phantun-doctor" >>"$WORK/times.jsonl"
  done
  say "round $((r + 1))/$ROUNDS done"
done
printf 'load_after\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/meta.tsv"

echo "[3] Report"
python3 "$here/doctor_scale.py" report --meta "$WORK/meta.tsv" --times "$WORK/times.jsonl" \
  --out "$OUT/doctor_scale.md"
sed 's/^/  /' "$OUT/doctor_scale.md"
