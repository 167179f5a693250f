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
# Every address is in 198.18.0.0/15 (reserved for benchmarking, RFC 2544). The namespaces have no
# default route and no IPv6, so nothing can be sent anywhere else; an nftables guard in each one
# drops and counts any packet to another address, and the run fails unless it counted none. Both
# namespaces are private to this run (their names hold its PID) and are deleted on exit, success or
# not; deleting them also removes the veth pair, the TUN devices and the nftables rules. Nothing is
# changed outside them (ip netns itself may create /run/netns on first use).
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
# The lab: names and addresses.
readonly CLI_NS="ptrt-cli-$$" SRV_NS="ptrt-srv-$$"
readonly CLI_VETH=veth-cli SRV_VETH=veth-srv           # exist only inside the namespaces
readonly CLI_ADDR=198.18.0.1 SRV_ADDR=198.18.0.2 WIRE_PREFIX=30
readonly CLI_TUN=ptrt-tun-c CLI_TUN_LOCAL=198.19.200.1 CLI_TUN_PEER=198.19.200.2
readonly SRV_TUN=ptrt-tun-s SRV_TUN_LOCAL=198.19.201.1 SRV_TUN_PEER=198.19.201.2
readonly PHANTUN_PORT=4567                              # phantun's fake-TCP port on the server
readonly CLIENT_UDP=127.0.0.1:1234                      # where phantun_client takes UDP in
readonly ECHO_UDP=127.0.0.1:5000                        # the UDP service behind phantun_server
readonly NFT_TABLE=phantun_demo                         # the host admin's rules
readonly GUARD_TABLE=ptrt_lab_guard                     # the lab's own fence, see below
# The fence loaded into every lab namespace (table ptrt_lab_guard); see that file.
readonly LAB_GUARD="$(cd "$(dirname "${BASH_SOURCE[0]}")/../lab" && pwd)/address_guard.nft"
readonly PING_COUNT=20 PING_TIMEOUT_MS=5000             # per datagram, resent up to 5 times
readonly READY_TIMEOUT_MS=10000                         # for each "is it up yet" condition
readonly STOP_TIMEOUT_MS=5000                           # SIGTERM to exit, per process

# ------------------------------------------------------------------------------------------------
# State that the EXIT trap cleans up. Only what this script created is ever in these lists.
WORK=""             # private temp folder
NAMESPACES=()       # namespaces this script created
declare -A PIDS=()  # pid -> name, for background processes started and not yet reaped
reason=""
step_no=0
# shellcheck source=../lab/log.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lab/log.sh"
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

# True while pid runs (a zombie, exited but not yet reaped, counts as gone).
alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# Polls a condition (a command) until it holds, every 50 ms, for at most timeout_ms. Fails early if
# the watched process (if any) is gone, since then the condition will never hold.
wait_for() { # what timeout_ms watch_pid command...
  local what=$1 timeout_ms=$2 watch=$3
  shift 3
  now_ms
  local t0=$NOW_MS
  until "$@" >/dev/null 2>&1; do
    if [ -n "$watch" ] && ! alive "$watch"; then
      local name=${PIDS[$watch]} status=0
      wait "$watch" || status=$?
      unset "PIDS[$watch]"
      fail "$what: $name exited first, with status $status (its log is shown below)"
    fi
    now_ms
    ((NOW_MS - t0 < timeout_ms)) || fail "$what: not within $timeout_ms ms"
    sleep 0.05
  done
  now_ms
  say "ok: $what ($((NOW_MS - t0)) ms)"
}

# Starts a command in the background in a namespace, from $WORK, output to $WORK/<name>.log.
# `ip netns exec` and `env` both exec, so the recorded PID is the command's own PID.
start_in() { # name netns [VAR=value...] command args...
  local name=$1 ns=$2
  shift 2
  printf '    $ (cd %s && ip netns exec %s env %s) &\n' "$WORK" "$ns" "$*"
  (cd "$WORK" && exec ip netns exec "$ns" env "$@") >"$WORK/$name.log" 2>&1 &
  PIDS[$!]=$name
  LAST_PID=$!
  say "$name: pid $LAST_PID, log $WORK/$name.log"
}

# Sends SIGTERM to a process started above, waits (bounded) for it to end, reaps it and checks its
# exit status.
stop_and_check() { # pid expected_status
  local pid=$1 want=$2 name=${PIDS[$1]}
  say "$name: kill -TERM $pid"
  now_ms
  local t0=$NOW_MS
  kill -TERM "$pid"
  while alive "$pid"; do
    now_ms
    ((NOW_MS - t0 < STOP_TIMEOUT_MS)) || fail "$name (pid $pid) still runs $STOP_TIMEOUT_MS ms after SIGTERM"
    sleep 0.01
  done
  local status=0
  wait "$pid" || status=$?
  now_ms
  unset "PIDS[$pid]"
  say "$name: exited with status $status, $((NOW_MS - t0)) ms after SIGTERM"
  [ "$status" -eq "$want" ] || fail "$name exited with status $status after SIGTERM, want $want (128+15)"
}

# Conditions polled by wait_for.
tun_ready() { # netns tun local_addr
  ip -n "$1" -o link show dev "$2" | grep -q '[<,]UP[,>]' &&
    ip -n "$1" -o -4 addr show dev "$2" | grep -q "inet $3 "
}
link_ready() { # netns dev
  ip -n "$1" -o link show dev "$2" | grep -q '[<,]LOWER_UP[,>]'
}
wire_ready() {
  link_ready "$CLI_NS" "$CLI_VETH" && link_ready "$SRV_NS" "$SRV_VETH"
}
udp_listening() { # netns addr:port
  ip netns exec "$1" ss -Hlun "sport = :${2##*:}" | grep -qF " $2 "
}

nft_counter() { # netns chain -> packets counted by the chain's rule
  ip netns exec "$1" nft list chain ip "$NFT_TABLE" "$2" |
    sed -n 's/.*counter packets \([0-9][0-9]*\) .*/\1/p' | head -n 1
}
guard_count() { # netns -> packets the lab guard dropped
  ip netns exec "$1" nft list table inet "$GUARD_TABLE" |
    sed -n 's/.*counter packets \([0-9][0-9]*\) .*/\1/p' | awk '{ n += $1 } END { print n + 0 }'
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
  local pid ns
  for pid in "${!PIDS[@]}"; do
    if alive "$pid"; then
      say "${PIDS[$pid]}: kill -TERM $pid"
      kill -TERM "$pid" 2>/dev/null
      now_ms
      local t0=$NOW_MS
      while alive "$pid"; do
        now_ms
        if ((NOW_MS - t0 >= STOP_TIMEOUT_MS)); then
          say "${PIDS[$pid]}: still running, kill -KILL $pid"
          kill -KILL "$pid" 2>/dev/null
          break
        fi
        sleep 0.01
      done
    fi
    wait "$pid" 2>/dev/null
  done
  # Anything still inside our namespaces was started by what this script started (phantun under
  # phantun-run); a namespace outlives its deletion while a process is in it.
  for ns in "${NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      say "left in $ns: pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)), kill -KILL"
      kill -KILL "$pid" 2>/dev/null
      [ -n "$reason" ] || reason="process $pid was left running in $ns"
    done
    now_ms
    local t1=$NOW_MS
    while [ -n "$(ip netns pids "$ns" 2>/dev/null)" ]; do
      now_ms
      if ((NOW_MS - t1 >= STOP_TIMEOUT_MS)); then
        say "processes still in $ns: $(ip netns pids "$ns" | tr '\n' ' ')"
        break
      fi
      sleep 0.01
    done
  done

  if [ -n "$WORK" ] && { [ "$rc" -ne 0 ] || [ -n "$reason" ]; }; then
    local log
    for log in "$WORK"/*.log; do
      [ -s "$log" ] || continue
      say "log $(basename "$log"):"
      indent <"$log"
    done
  fi

  for ns in "${NAMESPACES[@]}"; do
    run ip netns del "$ns" || reason=${reason:-"could not delete namespace $ns"}
  done
  for ns in "${NAMESPACES[@]}"; do
    if [ -e "/run/netns/$ns" ] || ip netns list | grep -q "^$ns\b"; then
      reason=${reason:-"namespace $ns is still there after deletion"}
    else
      say "ok: namespace $ns is gone (with its veth end, TUN device and nftables rules)"
    fi
  done
  if [ -n "$WORK" ]; then
    rm -rf -- "$WORK"
    if [ -e "$WORK" ]; then
      reason=${reason:-"temp folder $WORK is still there"}
    else
      say "ok: removed $WORK"
    fi
  fi

  now_ms
  printf '\n'
  if [ -z "$reason" ]; then
    echo "tunnel demo: took $((NOW_MS - START_MS)) ms"
    echo "tunnel demo: PASS"
    exit 0
  fi
  echo "tunnel demo: took $((NOW_MS - START_MS)) ms"
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
# Administration tools live in sbin, which a test's PATH (Bazel: /bin:/usr/bin:/usr/local/bin) lacks.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
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
run ip netns add "$CLI_NS"
NAMESPACES+=("$CLI_NS")
run ip netns add "$SRV_NS"
NAMESPACES+=("$SRV_NS")
for ns in "$CLI_NS" "$SRV_NS"; do
  # No IPv6 at all in the lab (no link-local addresses, no router or neighbour solicitations), so
  # that only the 198.18.0.0/15 addresses below are ever used.
  if ip netns exec "$ns" test -e /proc/sys/net/ipv6; then
    run ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  fi
  run ip -n "$ns" link set lo up
done
for ns in "$CLI_NS" "$SRV_NS"; do
  # The lab's fence, part of this test and of no deployment: whatever is sent or forwarded in the
  # lab to an address outside 127.0.0.0/8 and 198.18.0.0/15, or over IPv6, is dropped and counted.
  # It must count nothing (checked at the end).
  run ip netns exec "$ns" nft -f "$LAB_GUARD"
done
run ip -n "$CLI_NS" link add "$CLI_VETH" type veth peer name "$SRV_VETH" netns "$SRV_NS"
run ip -n "$CLI_NS" addr add "$CLI_ADDR/$WIRE_PREFIX" dev "$CLI_VETH"
run ip -n "$SRV_NS" addr add "$SRV_ADDR/$WIRE_PREFIX" dev "$SRV_VETH"
run ip -n "$CLI_NS" link set "$CLI_VETH" up
run ip -n "$SRV_NS" link set "$SRV_VETH" up
wait_for "the veth link is up at both ends" "$READY_TIMEOUT_MS" "" wire_ready
say "routes in $CLI_NS (no default route: nothing can leave the lab):"
ip -n "$CLI_NS" -4 route | indent

step "Client host: IP forwarding and masquerading for phantun_client's TUN (the host admin's job, never the runtime's)"
# The host admin's job, never the runtime's: phantun-run changes no sysctl and no firewall rule.
# phantun_client speaks fake TCP from its end of the TUN ($CLI_TUN_PEER). The kernel forwards those
# packets from the TUN out of the real interface, and must rewrite their source to the host's own
# address there, so that the server's replies find their way back.
run ip netns exec "$CLI_NS" sysctl -w net.ipv4.ip_forward=1
printf '    $ ip netns exec %s nft -f - <<EOF\n' "$CLI_NS"
ip netns exec "$CLI_NS" nft -f - <<EOF
table ip $NFT_TABLE {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname "$CLI_TUN" oifname "$CLI_VETH" ip saddr $CLI_TUN_PEER counter masquerade
  }
}
EOF
ip netns exec "$CLI_NS" nft list table ip "$NFT_TABLE" | indent

step "Server host: IP forwarding and DNAT of tcp/$PHANTUN_PORT to phantun_server's TUN (the host admin's job, never the runtime's)"
# The host admin's job, never the runtime's, as on the client host.
# Clients connect to the host's address, port $PHANTUN_PORT. The kernel rewrites the destination to
# phantun_server's end of the TUN ($SRV_TUN_PEER) and forwards the packets into the TUN.
run ip netns exec "$SRV_NS" sysctl -w net.ipv4.ip_forward=1
printf '    $ ip netns exec %s nft -f - <<EOF\n' "$SRV_NS"
ip netns exec "$SRV_NS" nft -f - <<EOF
table ip $NFT_TABLE {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "$SRV_VETH" ip daddr $SRV_ADDR tcp dport $PHANTUN_PORT counter dnat to $SRV_TUN_PEER
  }
}
EOF
ip netns exec "$SRV_NS" nft list table ip "$NFT_TABLE" | indent

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
status=0
run ip netns exec "$CLI_NS" "$WORK/udp_echo" ping "$CLIENT_UDP" "$PING_COUNT" "$PING_TIMEOUT_MS" || status=$?
[ "$status" -eq 0 ] || fail "the datagrams did not all come back through the tunnel (udp_echo ping: status $status)"
masq=$(nft_counter "$CLI_NS" postrouting)
dnat=$(nft_counter "$SRV_NS" prerouting)
say "fake-TCP connections masqueraded in $CLI_NS: ${masq:-?}, DNATed to phantun_server in $SRV_NS: ${dnat:-?}"
if ! [ "${masq:-0}" -ge 1 ] || ! [ "${dnat:-0}" -ge 1 ]; then
  fail "the datagrams came back, but not over the fake-TCP path (nft counters: masquerade ${masq:-?}, DNAT ${dnat:-?})"
fi
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
for ns in "$CLI_NS" "$SRV_NS"; do
  dropped=$(guard_count "$ns")
  [ "$dropped" -eq 0 ] || {
    ip netns exec "$ns" nft list table inet "$GUARD_TABLE" | indent
    fail "$dropped packet(s) in $ns were addressed outside 127.0.0.0/8 and 198.18.0.0/15 (dropped by the lab guard)"
  }
done
say "ok: the lab guard saw no packet to any address outside 127.0.0.0/8 and 198.18.0.0/15"
say "phantun-run server log:"
indent <"$WORK/phantun-run-server.log"
say "phantun-run client log:"
indent <"$WORK/phantun-run-client.log"
# The EXIT trap deletes the namespaces and the folder, checks, and prints the verdict.
