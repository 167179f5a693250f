# The network lab of the test scripts (tests/tunnel/tunnel.sh, tests/image/image_test.sh,
# tests/bench/run.sh), sourced: two network namespaces private to the run, joined by a veth pair,
# with only 198.18.0.0/15 addresses (RFC 2544, benchmarking), no default route, no IPv6, and the
# address guard (address_guard.nft) in each; the host admin's forwarding and NAT for phantun inside
# them; the processes a script starts there; and the waits for what they bring about.
#
#   client namespace                                     server namespace
#   UDP in on 127.0.0.1:1234                             UDP service on 127.0.0.1:5000
#     phantun_client (TUN ptrt-tun-c,                      phantun_server --local 4567 (TUN ptrt-tun-s,
#       198.19.200.1 <-> 198.19.200.2)                       198.19.201.1 <-> 198.19.201.2)
#     nft masquerade: TUN -> veth                          nft DNAT: tcp/4567 -> 198.19.201.2
#   veth-cli 198.18.0.1/30  <========== veth ==========>  veth-srv 198.18.0.2/30
#
# The caller names the namespaces (CLI_NS, SRV_NS; unique per run, e.g. with $$), owns `reason`,
# `step_no` and WORK (its temp folder: start_in runs from there and logs there), and calls
# lab_remove from its EXIT trap: that stops what start_in started and deletes what lab_create
# created, also after a failure half-way; deleting a namespace removes its veth end, TUN devices and
# nftables rules with it. Nothing is changed outside the namespaces (ip netns may create /run/netns).
#
# Waits poll their condition every 20 ms up to a deadline and end early when the process that
# should bring the condition about has ended; nothing here sleeps in place of a condition.

# shellcheck source=log.sh
. "$(dirname "${BASH_SOURCE[0]}")/log.sh"

LAB_GUARD="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/address_guard.nft"
readonly LAB_GUARD GUARD_TABLE=ptrt_lab_guard
readonly CLI_VETH=veth-cli SRV_VETH=veth-srv # exist only inside the namespaces
readonly CLI_ADDR=198.18.0.1 SRV_ADDR=198.18.0.2 WIRE_PREFIX=30
readonly CLI_TUN=ptrt-tun-c CLI_TUN_LOCAL=198.19.200.1 CLI_TUN_PEER=198.19.200.2
readonly SRV_TUN=ptrt-tun-s SRV_TUN_LOCAL=198.19.201.1 SRV_TUN_PEER=198.19.201.2
readonly PHANTUN_PORT=4567         # phantun's fake-TCP port on the server
readonly CLIENT_UDP=127.0.0.1:1234 # where phantun_client takes UDP in
readonly ECHO_UDP=127.0.0.1:5000   # the UDP service behind phantun_server
readonly NFT_TABLE=phantun_demo    # the host admin's rules
readonly LAB_STOP_MS=5000          # SIGTERM to exit, per process, before SIGKILL

# What lab_remove cleans up: only what this run created is ever listed.
NAMESPACES=()      # namespaces lab_create made
declare -gA PIDS=() # pid -> name, for processes start_in started and not yet reaped

# Administration tools live in sbin, which a test's PATH (Bazel: /bin:/usr/bin:/usr/local/bin) lacks.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# True while pid runs (a zombie, exited but not yet reaped, counts as gone).
alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# wait_for WHAT TIMEOUT_MS WATCH CONDITION...: until the command CONDITION holds, for at most
# TIMEOUT_MS, then says how long it took. WATCH is what brings the condition about: "" for nothing
# in particular, the PID of a process start_in started, or a command (one string of words, such as
# "ctr_up NAME") that holds while that thing runs. Once it has gone the condition never will, so
# the wait fails at once, naming it.
wait_for() {
  local what=$1 timeout_ms=$2 watch=$3 t0 status name watch_cmd=()
  shift 3
  [[ $watch =~ ^[0-9]*$ ]] || read -ra watch_cmd <<<"$watch"
  now_ms
  t0=$NOW_MS
  until "$@" >/dev/null 2>&1; do
    if [[ $watch =~ ^[0-9]+$ ]] && ! alive "$watch"; then
      status=0 name=${PIDS[$watch]:-pid $watch}
      wait "$watch" 2>/dev/null || status=$?
      unset "PIDS[$watch]"
      fail "$what: $name exited first, with status $status"
    elif ((${#watch_cmd[@]} > 0)) && ! "${watch_cmd[@]}"; then
      fail "$what: '$watch' no longer holds"
    fi
    now_ms
    ((NOW_MS - t0 < timeout_ms)) || fail "$what: not within $timeout_ms ms"
    sleep 0.02
  done
  now_ms
  say "ok: $what ($((NOW_MS - t0)) ms)"
}

# start_in NAME NETNS [VAR=value...] COMMAND ARGS...: runs COMMAND in the background in NETNS,
# from $WORK, output to $WORK/NAME.log; sets LAST_PID. `ip netns exec` and `env` both exec, so the
# PID recorded is the command's own.
start_in() {
  local name=$1 ns=$2
  shift 2
  printf '    $ (cd %s && ip netns exec %s env %s) &\n' "$WORK" "$ns" "$*"
  (cd "$WORK" && exec ip netns exec "$ns" env "$@") >"$WORK/$name.log" 2>&1 &
  PIDS[$!]=$name
  LAST_PID=$!
  say "$name: pid $LAST_PID, log $WORK/$name.log"
}

# stop_pid PID [TIMEOUT_MS]: SIGTERM to a process start_in started, up to TIMEOUT_MS (LAB_STOP_MS)
# for it to end, SIGKILL after that; reaps it. Sets STATUS (its exit status), STOP_MS (from the
# SIGTERM to its end) and KILLED (yes when it needed the SIGKILL).
stop_pid() {
  local pid=$1 timeout_ms=${2:-$LAB_STOP_MS} t0
  now_ms
  t0=$NOW_MS
  KILLED=no
  kill -TERM "$pid" 2>/dev/null || true
  while alive "$pid"; do
    now_ms
    if ((NOW_MS - t0 >= timeout_ms)); then
      say "${PIDS[$pid]:-pid $pid}: still running $timeout_ms ms after SIGTERM, kill -KILL $pid"
      kill -KILL "$pid" 2>/dev/null || true
      KILLED=yes
      break
    fi
    sleep 0.01
  done
  STATUS=0
  wait "$pid" 2>/dev/null || STATUS=$?
  now_ms
  STOP_MS=$((NOW_MS - t0))
  unset "PIDS[$pid]"
}

# Conditions for wait_for.
tun_ready() { # netns tun local_addr
  ip -n "$1" -o link show dev "$2" | grep -q '[<,]UP[,>]' &&
    ip -n "$1" -o -4 addr show dev "$2" | grep -q "inet $3 "
}
link_ready() { # netns dev
  ip -n "$1" -o link show dev "$2" | grep -q '[<,]LOWER_UP[,>]'
}
wire_ready() { link_ready "$CLI_NS" "$CLI_VETH" && link_ready "$SRV_NS" "$SRV_VETH"; }
udp_listening() { # netns addr:port
  ip netns exec "$1" ss -Hlun "sport = :${2##*:}" | grep -qF " $2 "
}

# The two hosts and the wire: CLI_NS and SRV_NS, each with lo up, no IPv6 and the address guard,
# joined by the veth pair; returns once the link is up at both ends.
lab_create() {
  local ns
  for ns in "$CLI_NS" "$SRV_NS"; do
    run ip netns add "$ns"
    NAMESPACES+=("$ns")
  done
  for ns in "$CLI_NS" "$SRV_NS"; do
    # No IPv6 at all (no link-local addresses, no router or neighbour solicitations), so that only
    # the 198.18.0.0/15 addresses below are ever used.
    if ip netns exec "$ns" test -e /proc/sys/net/ipv6; then
      run ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
    run ip -n "$ns" link set lo up
    # The lab's fence, part of the test and of no deployment: whatever is sent or forwarded to an
    # address outside 127.0.0.0/8 and 198.18.0.0/15, or over IPv6, is dropped and counted.
    # lab_guard_check requires the count to stay at zero.
    run ip netns exec "$ns" nft -f "$LAB_GUARD"
  done
  run ip -n "$CLI_NS" link add "$CLI_VETH" type veth peer name "$SRV_VETH" netns "$SRV_NS"
  run ip -n "$CLI_NS" addr add "$CLI_ADDR/$WIRE_PREFIX" dev "$CLI_VETH"
  run ip -n "$SRV_NS" addr add "$SRV_ADDR/$WIRE_PREFIX" dev "$SRV_VETH"
  run ip -n "$CLI_NS" link set "$CLI_VETH" up
  run ip -n "$SRV_NS" link set "$SRV_VETH" up
  wait_for "the veth link is up at both ends" "${READY_TIMEOUT_MS:-10000}" "" wire_ready
}

# Applies nftables rules in a namespace, showing them as a here-document.
nft_in() { # netns rules
  printf '    $ ip netns exec %s nft -f - <<EOF\n' "$1"
  printf '%s\nEOF\n' "$2" | indent
  ip netns exec "$1" nft -f - <<<"$2"
}

# The host admin's job on the client host, never the runtime's: phantun_client speaks fake TCP from
# its end of the TUN (CLI_TUN_PEER); the kernel forwards those packets out of the veth and must
# rewrite their source to the host's own address there, so that the replies find their way back.
lab_host_admin_client() {
  run ip netns exec "$CLI_NS" sysctl -w net.ipv4.ip_forward=1
  nft_in "$CLI_NS" "table ip $NFT_TABLE {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname \"$CLI_TUN\" oifname \"$CLI_VETH\" ip saddr $CLI_TUN_PEER counter masquerade
  }
}"
}

# The same on the server host: clients connect to the host's address, port PHANTUN_PORT; the kernel
# rewrites the destination to phantun_server's end of the TUN (SRV_TUN_PEER) and forwards the
# packets into the TUN.
lab_host_admin_server() {
  run ip netns exec "$SRV_NS" sysctl -w net.ipv4.ip_forward=1
  nft_in "$SRV_NS" "table ip $NFT_TABLE {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"$SRV_VETH\" ip daddr $SRV_ADDR tcp dport $PHANTUN_PORT counter dnat to $SRV_TUN_PEER
  }
}"
}

nat_count() { # netns chain -> packets counted by the chain's rule
  ip netns exec "$1" nft list chain ip "$NFT_TABLE" "$2" |
    sed -n 's/.*counter packets \([0-9][0-9]*\) .*/\1/p' | head -n 1
}

# lab_echo_through UDP_ECHO COUNT TIMEOUT_MS: COUNT datagrams from the client namespace into
# phantun_client (CLIENT_UDP), echoed by the service behind phantun_server; every one must come
# back, and over the fake-TCP path (the NAT rules counted it).
lab_echo_through() {
  local status=0 masq dnat
  run ip netns exec "$CLI_NS" "$1" ping "$CLIENT_UDP" "$2" "$3" || status=$?
  [ "$status" -eq 0 ] || fail "the datagrams did not all come back through the tunnel (udp_echo ping: status $status)"
  masq=$(nat_count "$CLI_NS" postrouting)
  dnat=$(nat_count "$SRV_NS" prerouting)
  say "fake-TCP connections masqueraded in $CLI_NS: ${masq:-?}, DNATed to phantun_server in $SRV_NS: ${dnat:-?}"
  if ! [ "${masq:-0}" -ge 1 ] || ! [ "${dnat:-0}" -ge 1 ]; then
    fail "the datagrams came back, but not over the fake-TCP path (nft counters: masquerade ${masq:-?}, DNAT ${dnat:-?})"
  fi
}

# The guard must have dropped nothing in either namespace.
lab_guard_check() {
  local ns dropped
  for ns in "$CLI_NS" "$SRV_NS"; do
    dropped=$(ip netns exec "$ns" nft list table inet "$GUARD_TABLE" |
      sed -n 's/.*counter packets \([0-9][0-9]*\) .*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
    if [ "$dropped" -ne 0 ]; then
      ip netns exec "$ns" nft list table inet "$GUARD_TABLE" | indent
      fail "$dropped packet(s) in $ns were addressed outside 127.0.0.0/8 and 198.18.0.0/15 (dropped by the lab guard)"
    fi
  done
  say "ok: the lab guard saw no packet to any address outside 127.0.0.0/8 and 198.18.0.0/15"
}

# Stops every process start_in started and not yet stopped, ends what is still inside the
# namespaces (started by those, such as phantun under phantun-run; a namespace outlives its
# deletion while a process is in it), deletes them and checks that they are gone. Sets `reason` when
# something was left behind. For the EXIT trap (set +e), and for a script done with its lab.
lab_remove() {
  local pid ns t0
  for pid in "${!PIDS[@]}"; do
    say "${PIDS[$pid]}: kill -TERM $pid"
    stop_pid "$pid"
  done
  for ns in "${NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      say "left in $ns: pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)), kill -KILL"
      kill -KILL "$pid" 2>/dev/null || true
      [ -n "$reason" ] || reason="process $pid was left running in $ns"
    done
    now_ms
    t0=$NOW_MS
    while [ -n "$(ip netns pids "$ns" 2>/dev/null)" ]; do
      now_ms
      if ((NOW_MS - t0 >= LAB_STOP_MS)); then
        say "processes still in $ns: $(ip netns pids "$ns" | tr '\n' ' ')"
        break
      fi
      sleep 0.01
    done
    run ip netns del "$ns" || reason=${reason:-"could not delete namespace $ns"}
    if [ -e "/run/netns/$ns" ] || ip netns list | grep -q "^$ns\b"; then
      reason=${reason:-"namespace $ns is still there after deletion"}
    else
      say "ok: namespace $ns is gone (with its veth end, TUN devices and nftables rules)"
    fi
  done
  NAMESPACES=()
}

# A test's two folders: RUN_DIR, what the run leaves to read (under Bazel the test's undeclared
# outputs, NAME below them; else a new temporary folder), and BIN, the binaries laid out as in the
# image, phantun-runtime and its applet links beside upstream phantun and udp_echo (a folder of
# its own, so that the outputs hold no copies of them; the caller removes it).
lab_run_folders() { # name runtime-binary phantun-bin-dir udp-echo-binary
  if [ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]; then
    RUN_DIR="$TEST_UNDECLARED_OUTPUTS_DIR/$1"
    rm -rf -- "$RUN_DIR"
    mkdir -p "$RUN_DIR"
  else
    RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/phantun-$1.XXXXXX")
  fi
  BIN=$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/phantun-$1-bin.XXXXXX")
  chmod 0755 "$RUN_DIR" "$BIN"
  cp -- "$2" "$BIN/phantun-runtime"
  cp -- "$3/phantun_client" "$3/phantun_server" "$BIN/"
  cp -- "$4" "$BIN/udp_echo"
  chmod 0755 "$BIN"/*
  "$BIN/phantun-runtime" --install "$BIN" >/dev/null
}
