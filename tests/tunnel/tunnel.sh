#!/usr/bin/env bash
# A real phantun tunnel, end to end, on one machine: UDP datagrams go from a client network
# namespace, through phantun's fake TCP over a veth "wire", to an echo server in a server network
# namespace, and back. Upstream phantun_client and phantun_server are started by phantun-run
# (MODE=client / MODE=server), as in the container image.
#
# It is the Bazel test //tests/tunnel:tunnel_test and the operator demo (tests/tunnel/demo.sh).
# It prints every step; the steps marked "host admin" are what an operator does on a real host,
# and never something phantun-runtime does for you.
#
#   client namespace                                     server namespace
#   udp_echo ping -> 127.0.0.1:1234                      udp_echo serve 127.0.0.1:5000
#     phantun_client (TUN ptrt-tun-c,                      phantun_server --local 4567 (TUN ptrt-tun-s,
#       198.19.200.1 <-> 198.19.200.2)                       198.19.201.1 <-> 198.19.201.2)
#     nft masquerade: TUN -> veth                          nft DNAT: tcp/4567 -> 198.19.201.2
#   veth-cli 198.18.0.1/30  <========== veth ==========>  veth-srv 198.18.0.2/30
#
# The lab is tests/lab/netns.sh's, shared with the image test and the benchmark. Every address is
# in 198.18.0.0/15 (reserved for benchmarking, RFC 2544). The namespaces have no default route and
# no IPv6, so nothing can be sent anywhere else; an nftables guard in each one drops and counts any
# packet to another address, and the run fails unless it counted none. Both namespaces are private
# to this run (their names hold its PID) and are deleted on exit, success or not; deleting them also
# removes the veth pair, the TUN devices and the nftables rules. Nothing is changed outside them
# (ip netns itself may create /run/netns on first use).
#
# Usage (as root):
#   tunnel.sh [--runtime PATH] [--phantun-bin-dir DIR] [--udp-echo PATH]
# or the same through the environment: RUNTIME_BIN, PHANTUN_BIN_DIR, UDP_ECHO.
#   RUNTIME_BIN      the phantun-runtime binary (it must have the phantun-run applet)
#   PHANTUN_BIN_DIR  the folder holding upstream phantun_client and phantun_server
#   UDP_ECHO         the udp_echo tool built from tests/tunnel/udp_echo.cc
# Ends with "tunnel demo: PASS" (exit 0) or "tunnel demo: FAIL: <reason>" (non-zero).
set -Eeuo pipefail
exec 2>&1 # one log, in order

# ------------------------------------------------------------------------------------------------
# The lab (tests/lab/netns.sh): addresses, TUN names and ports are its own; the namespaces are ours.
readonly CLI_NS="ptrt-cli-$$" SRV_NS="ptrt-srv-$$"
readonly PING_COUNT=20 PING_TIMEOUT_MS=5000             # per datagram, resent up to 5 times
readonly READY_TIMEOUT_MS=10000                         # for each "is it up yet" condition
WORK=""                                                 # private temp folder
reason=""
step_no=0
# shellcheck source=../lab/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lab/netns.sh"
now_ms
readonly START_MS=$NOW_MS

usage() {
  sed -n '/^# Usage/,/^# Ends with/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

on_err() { # status line command
  [ -n "$reason" ] || reason="'$3' failed with status $1 (tunnel.sh line $2)"
}
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
trap 'reason="interrupted (SIGINT)"; exit 130' INT
trap 'reason="terminated (SIGTERM)"; exit 143' TERM

# SIGTERM to a process started in the lab: it must end within LAB_STOP_MS with status `want`.
stop_and_check() { # pid want
  local name=${PIDS[$1]}
  say "$name: kill -TERM $1"
  stop_pid "$1"
  [ "$KILLED" = no ] || fail "$name (pid $1) still ran $LAB_STOP_MS ms after SIGTERM"
  say "$name: exited with status $STATUS, $STOP_MS ms after SIGTERM"
  [ "$STATUS" -eq "$2" ] || fail "$name exited with status $STATUS after SIGTERM, want $2 (128+15)"
}

# ------------------------------------------------------------------------------------------------
# Clean-up, always: stop what was started, delete the namespaces, remove the temp folder, check.
on_exit() {
  local rc=$?
  set +e
  trap - ERR INT TERM
  [ "$rc" -ne 0 ] || [ -z "$reason" ] || rc=1
  [ "$rc" -eq 0 ] || [ -n "$reason" ] || reason="exit status $rc"
  cd /
  if ((${#PIDS[@]} > 0)) || ((${#NAMESPACES[@]} > 0)) || [ -n "$WORK" ]; then
    printf '\n[cleanup]\n'
  fi
  lab_remove
  if [ -n "$WORK" ]; then
    [ -z "$reason" ] || show_logs "$WORK"
    rm -rf -- "$WORK"
    if [ -e "$WORK" ]; then
      reason=${reason:-"temp folder $WORK is still there"}
    else
      say "ok: removed $WORK"
    fi
  fi

  now_ms
  printf '\n'
  echo "tunnel demo: took $((NOW_MS - START_MS)) ms"
  if [ -z "$reason" ]; then
    echo "tunnel demo: PASS"
    exit 0
  fi
  echo "tunnel demo: FAIL: $reason"
  [ "$rc" -ne 0 ] || rc=1
  exit "$rc"
}
trap on_exit EXIT

# ------------------------------------------------------------------------------------------------
# Inputs.
RUNTIME_BIN=${RUNTIME_BIN:-}
PHANTUN_BIN_DIR=${PHANTUN_BIN_DIR:-}
UDP_ECHO=${UDP_ECHO:-}
while [ $# -gt 0 ]; do
  case $1 in
    --runtime) RUNTIME_BIN=${2:?--runtime needs a path}; shift 2 ;;
    --phantun-bin-dir) PHANTUN_BIN_DIR=${2:?--phantun-bin-dir needs a folder}; shift 2 ;;
    --udp-echo) UDP_ECHO=${2:?--udp-echo needs a path}; shift 2 ;;
    -h | --help) usage; trap - EXIT; exit 0 ;;
    *) usage >&2; fail "unknown argument '$1'" ;;
  esac
done

step "Checks"
[ "$(id -u)" -eq 0 ] ||
  fail "must run as root: it creates network namespaces, TUN devices and nftables rules"
[ -n "$RUNTIME_BIN" ] || fail "no phantun-runtime binary given (--runtime or RUNTIME_BIN)"
[ -n "$PHANTUN_BIN_DIR" ] || fail "no phantun folder given (--phantun-bin-dir or PHANTUN_BIN_DIR)"
[ -n "$UDP_ECHO" ] || fail "no udp_echo given (--udp-echo or UDP_ECHO)"
# Relative paths are taken from the current folder (for the Bazel test: the runfiles tree).
for f in "$RUNTIME_BIN" "$PHANTUN_BIN_DIR/phantun_client" "$PHANTUN_BIN_DIR/phantun_server" "$UDP_ECHO"; do
  if ! [ -f "$f" ] || ! [ -x "$f" ]; then fail "$f: not an executable file"; fi
done
RUNTIME_BIN=$(readlink -f -- "$RUNTIME_BIN")
PHANTUN_BIN_DIR=$(readlink -f -- "$PHANTUN_BIN_DIR")
UDP_ECHO=$(readlink -f -- "$UDP_ECHO")
for tool in ip nft ss sysctl; do
  command -v "$tool" >/dev/null || fail "$tool not found (Debian: iproute2, nftables, procps)"
done
[ -c /dev/net/tun ] || fail "/dev/net/tun is missing: phantun needs TUN devices"
say "phantun-runtime: $RUNTIME_BIN"
say "phantun:         $PHANTUN_BIN_DIR ($("$PHANTUN_BIN_DIR/phantun_client" --version))"
say "udp_echo:        $UDP_ECHO"
say "kernel:          $(uname -sr)"

step "A private folder laid out as in the image: phantun-runtime, phantun-run -> phantun-runtime, phantun_client, phantun_server"
WORK=$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/phantun-tunnel.XXXXXX")
chmod 0755 "$WORK"
cp -- "$RUNTIME_BIN" "$WORK/phantun-runtime"
cp -- "$PHANTUN_BIN_DIR/phantun_client" "$PHANTUN_BIN_DIR/phantun_server" "$UDP_ECHO" "$WORK/"
chmod 0755 "$WORK"/*
ln -s phantun-runtime "$WORK/phantun-run"
# shellcheck disable=SC2012 # a listing for people to read
ls -l "$WORK" | indent
applets=$("$WORK/phantun-runtime" --list 2>&1) || true
grep -qw 'phantun-run' <<<"$applets" ||
  fail "$RUNTIME_BIN has no phantun-run applet ('phantun-runtime --list' printed: ${applets:0:200})"
say "ok: phantun-runtime --list names phantun-run"

step "Two hosts and a wire (the test lab): namespaces $CLI_NS and $SRV_NS joined by a veth pair"
lab_create
say "routes in $CLI_NS (no default route: nothing can leave the lab):"
ip -n "$CLI_NS" -4 route | indent

step "Client host: IP forwarding and masquerading for phantun_client's TUN (the host admin's job, never the runtime's)"
# phantun-run changes no sysctl and no firewall rule: this is what an operator sets up on a real host.
lab_host_admin_client

step "Server host: IP forwarding and DNAT of tcp/$PHANTUN_PORT to phantun_server's TUN (the host admin's job, never the runtime's)"
lab_host_admin_server

step "Server host: the UDP service to reach through the tunnel (udp_echo on $ECHO_UDP)"
start_in udp_echo "$SRV_NS" ./udp_echo serve "$ECHO_UDP"
ECHO_PID=$LAST_PID
wait_for "udp_echo listens on $ECHO_UDP" "$READY_TIMEOUT_MS" "$ECHO_PID" udp_listening "$SRV_NS" "$ECHO_UDP"

step "Server host: MODE=server phantun-run (runs phantun_server)"
start_in phantun-run-server "$SRV_NS" MODE=server RUST_LOG=info ./phantun-run \
  --local "$PHANTUN_PORT" --remote "$ECHO_UDP" \
  --tun "$SRV_TUN" --tun-local "$SRV_TUN_LOCAL" --tun-peer "$SRV_TUN_PEER" --ipv4-only
SERVER_PID=$LAST_PID
wait_for "TUN $SRV_TUN is up with $SRV_TUN_LOCAL in $SRV_NS" "$READY_TIMEOUT_MS" "$SERVER_PID" \
  tun_ready "$SRV_NS" "$SRV_TUN" "$SRV_TUN_LOCAL"

step "Client host: MODE=client phantun-run (runs phantun_client)"
start_in phantun-run-client "$CLI_NS" MODE=client RUST_LOG=info ./phantun-run \
  --local "$CLIENT_UDP" --remote "$SRV_ADDR:$PHANTUN_PORT" \
  --tun "$CLI_TUN" --tun-local "$CLI_TUN_LOCAL" --tun-peer "$CLI_TUN_PEER" --ipv4-only
CLIENT_PID=$LAST_PID
wait_for "TUN $CLI_TUN is up with $CLI_TUN_LOCAL in $CLI_NS" "$READY_TIMEOUT_MS" "$CLIENT_PID" \
  tun_ready "$CLI_NS" "$CLI_TUN" "$CLI_TUN_LOCAL"
wait_for "phantun_client takes UDP on $CLIENT_UDP" "$READY_TIMEOUT_MS" "$CLIENT_PID" \
  udp_listening "$CLI_NS" "$CLIENT_UDP"

step "Through the tunnel: $PING_COUNT UDP datagrams from $CLI_NS to the echo service in $SRV_NS and back"
lab_echo_through "$WORK/udp_echo" "$PING_COUNT" "$PING_TIMEOUT_MS"
say "veth traffic seen from $CLI_NS:"
ip -n "$CLI_NS" -s link show dev "$CLI_VETH" | indent

step "Stop: SIGTERM to each phantun-run; phantun has no SIGTERM handler, so each must exit 128+15 = 143"
stop_and_check "$CLIENT_PID" 143
stop_and_check "$SERVER_PID" 143
stop_and_check "$ECHO_PID" 143
for ns in "$CLI_NS" "$SRV_NS"; do
  left=$(ip netns pids "$ns" | tr '\n' ' ')
  left=${left% }
  [ -z "$left" ] || fail "processes left in $ns after phantun-run exited: $left"
done
say "ok: no process left in either namespace"
lab_guard_check
say "phantun-run server log:"
indent <"$WORK/phantun-run-server.log"
say "phantun-run client log:"
indent <"$WORK/phantun-run-client.log"
# The EXIT trap deletes the namespaces and the folder, checks, and prints the verdict.
