#!/usr/bin/env bash
# The doctor's truth matrix (issue 13, item 7): for each host set-up in the list below, a real
# phantun tunnel is built in two fresh network namespaces, UDP is echoed through it, and then
# phantun-doctor runs on both hosts. What must hold, per scenario:
#   - the echo works exactly when the scenario says it should (a working recipe whose echo fails,
#     or a broken set-up whose echo works, is a bug of this harness, reported as such);
#   - echo fails: the doctor on the side the scenario broke exits 1, and every check id the
#     scenario names (a glob such as route.*, or alternatives a|b) is among its failed checks;
#     the doctor on the other, healthy, side fails nothing (exit 0);
#   - echo works: neither doctor fails anything (exit 0, never 1).
# In the issue's words: the doctor FAILs on the broken side exactly when the echo fails, and
# fails nowhere when it works. So that an echo cannot fail for a reason of the harness's own, the
# counters must also show where the datagrams went: for a broken set-up, that the tunnel's SYN got
# as far as the scenario says and no further (the NAT rules' counters, the TUNs' tx counts); for a
# working recipe, that both phantuns got packets through their TUNs.
#
# Each scenario starts from the lab's baseline (tests/lab/netns.sh: forwarding on, the lab's nft
# masquerade on the client and DNAT on the server) and changes only what it says it changes.
# Upstream phantun_client and phantun_server are started by phantun-run as in tests/tunnel/tunnel.sh,
# the echo is tests/tunnel/udp_echo, and the doctor is run with the options that describe its side:
#   server: --mode server --port 4567 --tun ptrt-tun-s --tun-local 198.19.201.1
#           --tun-peer 198.19.201.2 --wan veth-srv --remote 198.18.0.1
#   client: --mode client --tun ptrt-tun-c --tun-local 198.19.200.1 --tun-peer 198.19.200.2
#           --wan veth-cli --remote 198.18.0.2:4567
# (--remote is left out when the doctor's --help does not list it; --doctor-remote on|off forces it.)
#
# Every scenario gets namespaces of its own, named ptrm<PID>-c-NN and ptrm<PID>-s-NN, with only
# 198.18.0.0/15 addresses on veths and 198.19.0.0/16 on the TUNs; they are deleted when the scenario
# ends, and whatever is left of this run's namespaces is deleted on exit, also after a failure or a
# Ctrl-C. Nothing is changed outside them.
#
# Usage (as root):
#   matrix.sh [--runtime PATH] [--phantun-bin-dir DIR] [--udp-echo PATH]
#             [--only REGEX] [--list] [--keep] [--doctor-remote auto|on|off]
#             [--write-results FILE] [--schema FILE]
# or the inputs through the environment: RUNTIME_BIN, PHANTUN_BIN_DIR, UDP_ECHO. Run by hand in a
# checkout, they default to bazel-out/k8-opt/bin's phantun-runtime and udp_echo and to the
# PHANTUN_BIN_DIR in .bazelrc.local, so after `bazel build //cmd:phantun-runtime //tests/tunnel:udp_echo`
#   bash tests/doctor/matrix/matrix.sh --write-results tests/doctor/matrix/results.md
# regenerates the committed results.
#   --only REGEX           run only the scenarios whose name matches (bash regex)
#   --list                 print the scenarios and exit
#   --keep                 keep the work folder (logs, doctor reports) when not under Bazel
#   --write-results FILE   also write the results table there (e.g. tests/doctor/matrix/results.md)
#   --schema FILE          docs/doctor-report.schema.json: every --json report must match it
# Under Bazel the table (matrix-results.md), every scenario's logs and both doctor reports
# (matrix/NAME/) go to the test's undeclared outputs.
# Ends with "doctor matrix: PASS" (exit 0) when every scenario matches, else
# "doctor matrix: FAIL: ..." (exit 1).
set -Eeuo pipefail
exec 2>&1

MATRIX_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The checkout this script lives in (under Bazel, the runfiles link leads back to it).
SOURCE_DIR=$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")
readonly MATRIX_DIR SOURCE_DIR
readonly ECHO_COUNT=3 ECHO_TIMEOUT_MS=3000 # per datagram; a broken tunnel ends after 3 s
readonly READY_TIMEOUT_MS=10000
# The echo with a printed fix in place may first wait for phantun_client: it connects a new UDP
# peer in its main loop, up to 3 SYNs a second apart, and the failed echo's last datagrams may still
# be queued behind an attempt begun before the fix. So each datagram gets longer there.
readonly FIX_ECHO_TIMEOUT_MS=8000
readonly NS_PREFIX="ptrm$$"
WORK=""
reason=""
step_no=0
# shellcheck source=../../lab/netns.sh
. "$MATRIX_DIR/../../lab/netns.sh"

# Addresses the scenarios use besides the lab's own (all in 198.18.0.0/15 or 198.19.0.0/16).
readonly WRONG_SRV_PEER=${SRV_TUN_PEER%.*}.3 # a DNAT target where nothing answers
readonly SRV_TUN_NET=${SRV_TUN_PEER%.*}.0/24  # the server TUN's subnet, for the policy routes
readonly OTHER_CLI_SRC=${CLI_TUN_PEER%.*}.9   # a source address the client never sends from
readonly FOREIGN_ADDR=198.18.0.5              # an address neither host has
readonly OTHER_IF=veth-other OTHER_IF_PEER=veth-other-p OTHER_ADDR=198.18.0.9
readonly POLICY_TABLE=100

# ------------------------------------------------------------------------------------------------
# The scenarios. Each is `scenario NAME SIDE ECHO FAIL_IDS DESCRIPTION` plus a function
# setup_NAME (dashes as underscores) that sets both hosts up. SIDE: server, client or none (a
# working recipe); ECHO: ok or fail; FAIL_IDS: the check ids that must fail on SIDE, space
# separated, each a glob or alternatives a|b; "-" for none.
SCENARIOS=()
declare -A S_SIDE=() S_ECHO=() S_IDS=() S_DESC=()
scenario() {
  SCENARIOS+=("$1")
  S_SIDE[$1]=$2 S_ECHO[$1]=$3 S_IDS[$1]=$4 S_DESC[$1]=$5
}
# What a broken scenario's printed fix must also look like, besides making the echo work:
# `fix_must NAME REGEX WHAT` (a Python regular expression searched in the fix text; WHAT says it in
# words, for the table).
declare -A S_FIX_MUST=() S_FIX_MUST_WHAT=()
fix_must() { S_FIX_MUST[$1]=$2 S_FIX_MUST_WHAT[$1]=$3; }

# What a scenario's setup may set, besides the hosts' rules.
SRV_WRAP=()         # command words phantun-run and the server's doctor are started under (no lone --)
ALLOW_SRV_NO_START= # yes: phantun_server may fail to start (the scenario's point)
CLI_WRAP=()         # the same for the client
ALLOW_CLI_NO_START=

# Helpers for the setups.
fwd() { run ip netns exec "$1" sysctl -q -w "net.ipv4.ip_forward=$2"; } # ns 0|1
in_ns() { run ip netns exec "$@"; }                                      # ns command...
nft_srv() { nft_in "$SRV_NS" "$1"; }
nft_cli() { nft_in "$CLI_NS" "$1"; }
lab_client() { lab_host_admin_client; }
lab_server() { lab_host_admin_server; }
# A forward chain with policy drop and the given rules (nft), on one host.
nft_forward_drop() { # ns rules
  nft_in "$1" "table inet ptrm_filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
$2
  }
}"
}

# Evidence: a broken scenario may define evidence_NAME, run right after the echo, to show that the
# tunnel broke where the scenario says (and not for a reason of the harness's own): each `want`
# names a fact the counters must show. A fact that does not hold is a harness problem.
EVIDENCE_MISSING=()
want() { # fact command... (the command must succeed)
  if "${@:2}"; then say "evidence: $1"; else EVIDENCE_MISSING+=("$1"); say "evidence MISSING: $1"; fi
}
nft_count() { # ns text: packets counted by the first nft rule holding text (fixed string); "" if none
  { ip netns exec "$1" nft list ruleset | grep -F -- "$2" | sed -n 's/.*counter packets \([0-9][0-9]*\) .*/\1/p' | head -n 1; } || true
}
ipt_count() { # ns iptables-variant text: packets counted by the first rule holding text; "" if none
  { ip netns exec "$1" "$2-save" -c | grep -F -- "$3" | sed -n 's/^\[\([0-9][0-9]*\):.*/\1/p' | head -n 1; } || true
}
tun_tx() { # ns dev: packets the kernel passed to phantun through its TUN
  ip netns exec "$1" cat "/sys/class/net/$2/statistics/tx_packets" 2>/dev/null || echo none
}
some() { [[ ${1:-} =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ]; }
none() { [ "${1:-}" = 0 ]; }
# The facts most scenarios rest on.
no_link() { ! ip -n "$1" link show dev "$2" >/dev/null 2>&1; } # ns dev
srv_lab_dnat() { nft_count "$SRV_NS" "dnat to $SRV_TUN_PEER"; }
cli_lab_masq() { nft_count "$CLI_NS" "masquerade"; }
server_tun_got_nothing() {
  local n
  n=$(tun_tx "$SRV_NS" "$SRV_TUN")
  want "nothing reached phantun_server through $SRV_TUN (TUN tx $n)" none "$n"
}
client_tun_got_nothing() {
  local n
  n=$(tun_tx "$CLI_NS" "$CLI_TUN")
  want "nothing came back to phantun_client through $CLI_TUN (TUN tx $n)" none "$n"
}
# A working recipe: both phantuns got packets from the kernel through their TUNs.
working_tunnel() {
  local n
  n=$(tun_tx "$SRV_NS" "$SRV_TUN")
  want "phantun_server got the tunnel's packets through $SRV_TUN (TUN tx $n)" some "$n"
  n=$(tun_tx "$CLI_NS" "$CLI_TUN")
  want "phantun_client got the answers through $CLI_TUN (TUN tx $n)" some "$n"
}
# A server-side break: the SYN left the client, phantun_server never saw it.
server_break() {
  local n
  n=$(cli_lab_masq)
  want "the SYN left the client (lab masquerade counted ${n:-?})" some "$n"
  server_tun_got_nothing
}
# A client-side break: phantun_client never got an answer.
client_break() { client_tun_got_nothing; }

# --- Broken on the server side -------------------------------------------------------------------
scenario srv-nft-wrong-dnat-first server fail nat.dnat \
  "nft: a DNAT of tcp/$PHANTUN_PORT to $WRONG_SRV_PEER placed before the right one (the first DNAT wins)"
setup_srv_nft_wrong_dnat_first() {
  lab_client
  fwd "$SRV_NS" 1
  nft_srv "table ip $NFT_TABLE {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"$SRV_VETH\" tcp dport $PHANTUN_PORT counter dnat to $WRONG_SRV_PEER
    iifname \"$SRV_VETH\" ip daddr $SRV_ADDR tcp dport $PHANTUN_PORT counter dnat to $SRV_TUN_PEER
  }
}"
}
evidence_srv_nft_wrong_dnat_first() {
  server_break
  local n
  n=$(nft_count "$SRV_NS" "dnat to $WRONG_SRV_PEER")
  want "the wrong DNAT took the SYN (counted ${n:-?})" some "$n"
  n=$(nft_count "$SRV_NS" "dnat to $SRV_TUN_PEER")
  want "the right DNAT saw nothing (counted ${n:-?})" none "$n"
}

scenario srv-nft-return-first server fail nat.dnat \
  "nft: 'tcp dport $PHANTUN_PORT return' ahead of the DNAT (return in a base chain ends it)"
setup_srv_nft_return_first() {
  lab_client
  fwd "$SRV_NS" 1
  nft_srv "table ip $NFT_TABLE {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    tcp dport $PHANTUN_PORT return
    iifname \"$SRV_VETH\" ip daddr $SRV_ADDR tcp dport $PHANTUN_PORT counter dnat to $SRV_TUN_PEER
  }
}"
}
evidence_srv_nft_return_first() {
  server_break
  local n
  n=$(srv_lab_dnat)
  want "the DNAT behind the return saw nothing (counted ${n:-?})" none "$n"
}

scenario srv-nft-accept-first server fail nat.dnat \
  "nft: 'iifname $SRV_VETH tcp dport $PHANTUN_PORT accept' ahead of the DNAT in the same chain"
setup_srv_nft_accept_first() {
  lab_client
  fwd "$SRV_NS" 1
  nft_srv "table ip $NFT_TABLE {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"$SRV_VETH\" tcp dport $PHANTUN_PORT accept
    iifname \"$SRV_VETH\" ip daddr $SRV_ADDR tcp dport $PHANTUN_PORT counter dnat to $SRV_TUN_PEER
  }
}"
}
evidence_srv_nft_accept_first() {
  server_break
  local n
  n=$(srv_lab_dnat)
  want "the DNAT behind the accept saw nothing (counted ${n:-?})" none "$n"
}

scenario srv-ipt-return-first server fail nat.dnat \
  "iptables (nft backend): -A PREROUTING -p tcp --dport $PHANTUN_PORT -j RETURN ahead of the DNAT"
setup_srv_ipt_return_first() {
  lab_client
  fwd "$SRV_NS" 1
  in_ns "$SRV_NS" iptables -t nat -A PREROUTING -p tcp --dport "$PHANTUN_PORT" -j RETURN
  in_ns "$SRV_NS" iptables -t nat -A PREROUTING -p tcp -i "$SRV_VETH" --dport "$PHANTUN_PORT" \
    -j DNAT --to-destination "$SRV_TUN_PEER"
}
evidence_srv_ipt_return_first() {
  server_break
  local n
  n=$(ipt_count "$SRV_NS" iptables "-j RETURN")
  want "the RETURN took the SYN (counted ${n:-?})" some "$n"
  n=$(ipt_count "$SRV_NS" iptables "-j DNAT")
  want "the DNAT behind it saw nothing (counted ${n:-?})" none "$n"
}

scenario srv-nft-jump-wrong-iif server fail nat.dnat \
  "nft: the DNAT sits in a user chain reached only by 'iifname \"eth0\" jump' (no eth0 on this host)"
setup_srv_nft_jump_wrong_iif() {
  lab_client
  fwd "$SRV_NS" 1
  nft_srv "table ip $NFT_TABLE {
  chain phantun_dnat {
    tcp dport $PHANTUN_PORT counter dnat to $SRV_TUN_PEER
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"eth0\" jump phantun_dnat
  }
}"
}
evidence_srv_nft_jump_wrong_iif() {
  server_break
  local n
  n=$(srv_lab_dnat)
  want "the DNAT in the user chain saw nothing (counted ${n:-?})" none "$n"
}

scenario srv-readme-dnat-eth0 server fail nat.dnat \
  "nft: the README's DNAT copied with its example WAN name: 'iifname \"eth0\" tcp dport $PHANTUN_PORT dnat ip to $SRV_TUN_PEER' (the WAN here is $SRV_VETH)"
setup_srv_readme_dnat_eth0() {
  lab_client
  fwd "$SRV_NS" 1
  nft_srv "table inet nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"eth0\" tcp dport $PHANTUN_PORT dnat ip to $SRV_TUN_PEER
  }
}"
}
evidence_srv_readme_dnat_eth0() {
  server_break
}

scenario srv-nft-earlier-prio-dnat server fail nat.dnat \
  "nft: the lab's right DNAT, and another table's nat chain at priority -150 that DNATs tcp/$PHANTUN_PORT to $WRONG_SRV_PEER first"
setup_srv_nft_earlier_prio_dnat() {
  lab_client
  lab_server
  nft_srv "table ip ptrm_early {
  chain prerouting {
    type nat hook prerouting priority -150; policy accept;
    tcp dport $PHANTUN_PORT counter dnat to $WRONG_SRV_PEER
  }
}"
}
evidence_srv_nft_earlier_prio_dnat() {
  server_break
  local n
  n=$(nft_count "$SRV_NS" "dnat to $WRONG_SRV_PEER")
  want "the priority -150 DNAT took the SYN (counted ${n:-?})" some "$n"
  n=$(srv_lab_dnat)
  want "the lab's DNAT saw nothing (counted ${n:-?})" none "$n"
}

scenario srv-dnat-to-tun-local server fail nat.dnat \
  "nft: DNAT to the TUN's local address $SRV_TUN_LOCAL (the host's own) instead of its peer $SRV_TUN_PEER"
setup_srv_dnat_to_tun_local() {
  lab_client
  fwd "$SRV_NS" 1
  nft_srv "table ip $NFT_TABLE {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"$SRV_VETH\" ip daddr $SRV_ADDR tcp dport $PHANTUN_PORT counter dnat to $SRV_TUN_LOCAL
  }
}"
}
evidence_srv_dnat_to_tun_local() {
  server_break
  local n
  n=$(nft_count "$SRV_NS" "dnat to $SRV_TUN_LOCAL")
  want "the DNAT to the local address took the SYN (counted ${n:-?})" some "$n"
}

scenario srv-no-dnat server fail nat.dnat \
  "no DNAT at all on the server (forwarding on)"
setup_srv_no_dnat() {
  lab_client
  fwd "$SRV_NS" 1
}
evidence_srv_no_dnat() {
  server_break
}

scenario srv-dnat-wrong-port server fail nat.dnat \
  "nft: DNAT of tcp/$PHANTUN_PORT to the right address but another port ($SRV_TUN_PEER:$((PHANTUN_PORT + 1))), where phantun_server does not listen"
setup_srv_dnat_wrong_port() {
  lab_client
  fwd "$SRV_NS" 1
  nft_srv "table ip $NFT_TABLE {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"$SRV_VETH\" ip daddr $SRV_ADDR tcp dport $PHANTUN_PORT counter dnat to $SRV_TUN_PEER:$((PHANTUN_PORT + 1))
  }
}"
}
evidence_srv_dnat_wrong_port() {
  local n
  n=$(nft_count "$SRV_NS" "dnat to $SRV_TUN_PEER:$((PHANTUN_PORT + 1))")
  want "the DNAT to port $((PHANTUN_PORT + 1)) took the SYN (counted ${n:-?})" some "$n"
  n=$(tun_tx "$SRV_NS" "$SRV_TUN")
  want "the SYN reached $SRV_TUN (TUN tx $n), for a port phantun_server does not listen on" some "$n"
}

scenario srv-nft-forward-drop server fail fwd.chains \
  "nft: the lab's DNAT, and a forward chain with policy drop and nothing that accepts"
setup_srv_nft_forward_drop() {
  lab_client
  lab_server
  nft_forward_drop "$SRV_NS" ""
}
fix_must srv-nft-forward-drop "iifname \"$SRV_VETH\" oifname \"$SRV_TUN\".*; .*iifname \"$SRV_TUN\" oifname \"$SRV_VETH\"|iifname \"$SRV_TUN\" oifname \"$SRV_VETH\".*; .*iifname \"$SRV_VETH\" oifname \"$SRV_TUN\"" \
  "it accepts both ways (no established accept to carry the replies)"
evidence_srv_nft_forward_drop() {
  server_break
  local n
  n=$(srv_lab_dnat)
  want "the DNAT took the SYN (counted ${n:-?}) before the forward chain dropped it" some "$n"
}

scenario srv-iptlegacy-forward-drop server fail fwd.chains \
  "iptables-legacy -P FORWARD DROP, next to the lab's nft DNAT"
setup_srv_iptlegacy_forward_drop() {
  lab_client
  lab_server
  in_ns "$SRV_NS" iptables-legacy -P FORWARD DROP
}
evidence_srv_iptlegacy_forward_drop() {
  server_break
  local n
  n=$(srv_lab_dnat)
  want "the DNAT took the SYN (counted ${n:-?}) before FORWARD dropped it" some "$n"
}

scenario srv-docker-no-accept server fail fwd.chains \
  "Docker-style FORWARD (iptables: -P FORWARD DROP, -A FORWARD -j DOCKER-USER, DOCKER-USER only returns) without the tunnel's accepts, next to the lab's nft DNAT"
setup_srv_docker_no_accept() {
  lab_client
  lab_server
  in_ns "$SRV_NS" iptables -N DOCKER-USER
  in_ns "$SRV_NS" iptables -A DOCKER-USER -j RETURN
  in_ns "$SRV_NS" iptables -A FORWARD -j DOCKER-USER
  in_ns "$SRV_NS" iptables -P FORWARD DROP
}
evidence_srv_docker_no_accept() {
  server_break
  local n
  n=$(ipt_count "$SRV_NS" iptables "-A FORWARD -j DOCKER-USER")
  want "the SYN went through FORWARD's jump to DOCKER-USER (counted ${n:-?}) and met the DROP policy" some "$n"
}

scenario srv-stateful-no-new server fail fwd.chains \
  "nft: stateful forward firewall, policy drop, only 'ct state established,related accept' (the SYN is dropped)"
setup_srv_stateful_no_new() {
  lab_client
  lab_server
  nft_forward_drop "$SRV_NS" "    ct state established,related accept"
}
evidence_srv_stateful_no_new() {
  server_break
  local n
  n=$(srv_lab_dnat)
  want "the DNAT took the SYN (counted ${n:-?}) before the forward chain dropped it" some "$n"
}

scenario srv-nft-forward-one-way server fail fwd.chains \
  "nft: forward chain with policy drop that accepts the SYN's way in ($SRV_VETH to $SRV_TUN, tcp dport $PHANTUN_PORT) and nothing else, no 'ct state established' accept: the SYN+ACK back out is dropped"
setup_srv_nft_forward_one_way() {
  lab_client
  lab_server
  nft_forward_drop "$SRV_NS" "    iifname \"$SRV_VETH\" oifname \"$SRV_TUN\" tcp dport $PHANTUN_PORT counter accept"
}
fix_must srv-nft-forward-one-way "iifname \"$SRV_TUN\" oifname \"$SRV_VETH\"" \
  "it accepts the way back ($SRV_TUN to $SRV_VETH)"
evidence_srv_nft_forward_one_way() {
  local n
  n=$(cli_lab_masq)
  want "the SYN left the client (lab masquerade counted ${n:-?})" some "$n"
  n=$(nft_count "$SRV_NS" "tcp dport $PHANTUN_PORT counter packets")
  want "the forward chain let the SYN in (its accept counted ${n:-?})" some "$n"
  n=$(tun_tx "$SRV_NS" "$SRV_TUN")
  want "the SYN reached phantun_server through $SRV_TUN (TUN tx $n)" some "$n"
  client_tun_got_nothing
}

scenario srv-docker-user-empty server fail fwd.chains \
  "Docker's FORWARD as a recent Docker leaves it (iptables: -P FORWARD DROP; FORWARD jumps to an empty DOCKER-USER, then DOCKER-ISOLATION-STAGE-1, then docker0's accepts); no accept for the tunnel; the lab's nft DNAT"
setup_srv_docker_user_empty() {
  lab_client
  lab_server
  local chain
  for chain in DOCKER-USER DOCKER DOCKER-ISOLATION-STAGE-1; do in_ns "$SRV_NS" iptables -N "$chain"; done
  in_ns "$SRV_NS" iptables -A DOCKER-ISOLATION-STAGE-1 -j RETURN
  in_ns "$SRV_NS" iptables -A FORWARD -j DOCKER-USER
  in_ns "$SRV_NS" iptables -A FORWARD -j DOCKER-ISOLATION-STAGE-1
  in_ns "$SRV_NS" iptables -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  in_ns "$SRV_NS" iptables -A FORWARD -o docker0 -j DOCKER
  in_ns "$SRV_NS" iptables -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
  in_ns "$SRV_NS" iptables -A FORWARD -i docker0 -o docker0 -j ACCEPT
  in_ns "$SRV_NS" iptables -P FORWARD DROP
}
fix_must srv-docker-user-empty '^(?!.*FORWARD).*-I DOCKER-USER' \
  "it goes to DOCKER-USER (Docker rewrites FORWARD)"
evidence_srv_docker_user_empty() {
  server_break
  local n
  n=$(ipt_count "$SRV_NS" iptables "-A FORWARD -j DOCKER-USER")
  want "the SYN went through FORWARD's jump to the empty DOCKER-USER (counted ${n:-?}) and met the DROP policy" some "$n"
}

scenario srv-policy-route-blackhole server fail 'route.*' \
  "ip rule to $SRV_TUN_NET lookup $POLICY_TABLE; table $POLICY_TABLE: blackhole $SRV_TUN_NET (the DNATed SYN is routed into it)"
setup_srv_policy_route_blackhole() {
  lab_client
  lab_server
  in_ns "$SRV_NS" ip rule add to "$SRV_TUN_NET" lookup "$POLICY_TABLE" pref 1000
  in_ns "$SRV_NS" ip route add blackhole "$SRV_TUN_NET" table "$POLICY_TABLE"
}
evidence_srv_policy_route_blackhole() {
  server_break
  local n
  n=$(srv_lab_dnat)
  want "the DNAT took the SYN (counted ${n:-?}) before the blackhole" some "$n"
}

scenario srv-policy-route-other-if server fail 'route.*' \
  "ip rule to $SRV_TUN_NET lookup $POLICY_TABLE; table $POLICY_TABLE routes $SRV_TUN_NET out $OTHER_IF (another veth, nobody there), not the TUN"
setup_srv_policy_route_other_if() {
  lab_client
  lab_server
  in_ns "$SRV_NS" ip link add "$OTHER_IF" type veth peer name "$OTHER_IF_PEER"
  in_ns "$SRV_NS" ip addr add "$OTHER_ADDR/30" dev "$OTHER_IF"
  in_ns "$SRV_NS" ip link set "$OTHER_IF" up
  in_ns "$SRV_NS" ip link set "$OTHER_IF_PEER" up
  in_ns "$SRV_NS" ip rule add to "$SRV_TUN_NET" lookup "$POLICY_TABLE" pref 1000
  in_ns "$SRV_NS" ip route add "$SRV_TUN_NET" dev "$OTHER_IF" table "$POLICY_TABLE"
}
evidence_srv_policy_route_other_if() {
  server_break
  local n
  n=$(tun_tx "$SRV_NS" "$OTHER_IF")
  want "the SYN was routed out $OTHER_IF (tx $n)" some "$n"
}

scenario srv-ip-forward-0 server fail fwd.ipv4 \
  "the lab's DNAT, but net.ipv4.ip_forward=0 on the server"
setup_srv_ip_forward_0() {
  lab_client
  lab_server
  fwd "$SRV_NS" 0
}
evidence_srv_ip_forward_0() {
  server_break
  local n
  n=$(srv_lab_dnat)
  want "the DNAT took the SYN (counted ${n:-?}), which was then not forwarded" some "$n"
}

scenario srv-userns-net-admin server fail priv.net_admin \
  "phantun-run (and the doctor) under 'unshare --user --map-root-user' in the server namespace: CAP_NET_ADMIN only in a user namespace that does not own the network namespace, so phantun_server cannot create its TUN"
setup_srv_userns_net_admin() {
  lab_client
  lab_server
  SRV_WRAP=(unshare --user --map-root-user)
  ALLOW_SRV_NO_START=yes
}
evidence_srv_userns_net_admin() {
  want "phantun_server made no TUN $SRV_TUN" no_link "$SRV_NS" "$SRV_TUN"
  local n
  n=$(cli_lab_masq)
  want "the SYN left the client (lab masquerade counted ${n:-?})" some "$n"
}

scenario srv-no-net-admin server fail priv.net_admin \
  "phantun-run (and the doctor) on the server without CAP_NET_ADMIN at all (setpriv drops it from the inheritable and bounding sets): phantun_server cannot create its TUN"
setup_srv_no_net_admin() {
  lab_client
  lab_server
  SRV_WRAP=(setpriv --inh-caps=-net_admin --bounding-set=-net_admin)
  ALLOW_SRV_NO_START=yes
}
evidence_srv_no_net_admin() { evidence_srv_userns_net_admin; }

# --- Broken on the client side -------------------------------------------------------------------
scenario cli-no-masquerade client fail nat.masquerade \
  "no masquerade on the client (forwarding on): the SYN leaves with source $CLI_TUN_PEER"
setup_cli_no_masquerade() {
  fwd "$CLI_NS" 1
  lab_server
}
evidence_cli_no_masquerade() {
  client_break
  local n
  n=$(srv_lab_dnat)
  want "the SYN reached the server with its TUN source and was DNATed (counted ${n:-?}); the answer had no way back" some "$n"
}

scenario cli-masquerade-wrong-oif client fail nat.masquerade \
  "nft: the README's masquerade copied with its example WAN name: 'iifname $CLI_TUN oifname \"eth0\" masquerade' (the WAN here is $CLI_VETH)"
setup_cli_masquerade_wrong_oif() {
  fwd "$CLI_NS" 1
  lab_server
  nft_cli "table inet nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname \"$CLI_TUN\" oifname \"eth0\" masquerade
  }
}"
}
evidence_cli_masquerade_wrong_oif() {
  client_break
  local n
  n=$(nft_count "$CLI_NS" "masquerade")
  want "the masquerade for eth0 never matched (counted ${n:-0})" none "${n:-0}"
  n=$(srv_lab_dnat)
  want "the SYN reached the server untranslated and was DNATed (counted ${n:-?})" some "$n"
}

scenario cli-nft-return-first client fail nat.masquerade \
  "nft: 'ip saddr $CLI_TUN_PEER return' ahead of the masquerade"
setup_cli_nft_return_first() {
  fwd "$CLI_NS" 1
  lab_server
  nft_cli "table ip $NFT_TABLE {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr $CLI_TUN_PEER return
    iifname \"$CLI_TUN\" oifname \"$CLI_VETH\" ip saddr $CLI_TUN_PEER counter masquerade
  }
}"
}
evidence_cli_nft_return_first() {
  client_break
  local n
  n=$(cli_lab_masq)
  want "the masquerade behind the return saw nothing (counted ${n:-?})" none "$n"
}

scenario cli-ipt-return-first client fail nat.masquerade \
  "iptables (nft backend): -A POSTROUTING -s $CLI_TUN_PEER -j RETURN ahead of -o $CLI_VETH -j MASQUERADE"
setup_cli_ipt_return_first() {
  fwd "$CLI_NS" 1
  lab_server
  in_ns "$CLI_NS" iptables -t nat -A POSTROUTING -s "$CLI_TUN_PEER" -j RETURN
  in_ns "$CLI_NS" iptables -t nat -A POSTROUTING -o "$CLI_VETH" -j MASQUERADE
}
evidence_cli_ipt_return_first() {
  client_break
  local n
  n=$(ipt_count "$CLI_NS" iptables "-j RETURN")
  want "the RETURN took the SYN (counted ${n:-?})" some "$n"
  n=$(ipt_count "$CLI_NS" iptables "-j MASQUERADE")
  want "the MASQUERADE behind it saw nothing (counted ${n:-?})" none "$n"
}

scenario cli-nft-early-filter-drop client fail fwd.chains \
  "nft: the lab's masquerade, and a forward chain at priority -10 that drops tcp dport $PHANTUN_PORT"
setup_cli_nft_early_filter_drop() {
  lab_client
  lab_server
  nft_cli "table inet ptrm_early {
  chain forward {
    type filter hook forward priority -10; policy accept;
    tcp dport $PHANTUN_PORT drop
  }
}"
}
evidence_cli_nft_early_filter_drop() {
  client_break
  local n
  n=$(srv_lab_dnat)
  want "no SYN reached the server (DNAT counted ${n:-?})" none "$n"
}

scenario cli-snat-foreign client fail nat.masquerade \
  "iptables (nft backend): -o $CLI_VETH -j SNAT --to-source $FOREIGN_ADDR, an address the client does not have"
setup_cli_snat_foreign() {
  fwd "$CLI_NS" 1
  lab_server
  in_ns "$CLI_NS" iptables -t nat -A POSTROUTING -o "$CLI_VETH" -j SNAT --to-source "$FOREIGN_ADDR"
}
evidence_cli_snat_foreign() {
  client_break
  local n
  n=$(ipt_count "$CLI_NS" iptables "-j SNAT")
  want "the SNAT to $FOREIGN_ADDR took the SYN (counted ${n:-?})" some "$n"
  n=$(srv_lab_dnat)
  want "the SYN reached the server and was DNATed (counted ${n:-?}); the answer went to $FOREIGN_ADDR" some "$n"
}

scenario cli-nft-forward-drop client fail fwd.chains \
  "nft: the lab's masquerade, and a forward chain with policy drop and nothing that accepts"
setup_cli_nft_forward_drop() {
  lab_client
  lab_server
  nft_forward_drop "$CLI_NS" ""
}
fix_must cli-nft-forward-drop "iifname \"$CLI_TUN\" oifname \"$CLI_VETH\".*; .*iifname \"$CLI_VETH\" oifname \"$CLI_TUN\"|iifname \"$CLI_VETH\" oifname \"$CLI_TUN\".*; .*iifname \"$CLI_TUN\" oifname \"$CLI_VETH\"" \
  "it accepts both ways (no established accept to carry the replies)"
evidence_cli_nft_forward_drop() {
  client_break
  local n
  n=$(srv_lab_dnat)
  want "no SYN reached the server (DNAT counted ${n:-?})" none "$n"
}

scenario cli-iptlegacy-forward-drop client fail fwd.chains \
  "iptables-legacy -P FORWARD DROP on the client, next to the lab's nft masquerade"
setup_cli_iptlegacy_forward_drop() {
  lab_client
  lab_server
  in_ns "$CLI_NS" iptables-legacy -P FORWARD DROP
}
fix_must cli-iptlegacy-forward-drop "iptables-legacy .*-i $CLI_TUN -o $CLI_VETH.*; iptables-legacy .*-i $CLI_VETH -o $CLI_TUN|iptables-legacy .*-i $CLI_VETH -o $CLI_TUN.*; iptables-legacy .*-i $CLI_TUN -o $CLI_VETH" \
  "it accepts both ways with iptables-legacy"
evidence_cli_iptlegacy_forward_drop() {
  client_break
  local n
  n=$(srv_lab_dnat)
  want "no SYN reached the server (DNAT counted ${n:-?})" none "$n"
}

scenario cli-policy-route-blackhole client fail 'route.*' \
  "ip rule to $SRV_ADDR lookup $POLICY_TABLE; table $POLICY_TABLE: blackhole $SRV_ADDR (the server)"
setup_cli_policy_route_blackhole() {
  lab_client
  lab_server
  in_ns "$CLI_NS" ip rule add to "$SRV_ADDR/32" lookup "$POLICY_TABLE" pref 1000
  in_ns "$CLI_NS" ip route add blackhole "$SRV_ADDR/32" table "$POLICY_TABLE"
}
evidence_cli_policy_route_blackhole() {
  client_break
  local n
  n=$(srv_lab_dnat)
  want "no SYN reached the server (DNAT counted ${n:-?})" none "$n"
}

scenario cli-ip-forward-0 client fail fwd.ipv4 \
  "the lab's masquerade, but net.ipv4.ip_forward=0 on the client"
setup_cli_ip_forward_0() {
  lab_client
  lab_server
  fwd "$CLI_NS" 0
}
evidence_cli_ip_forward_0() {
  client_break
  local n
  n=$(srv_lab_dnat)
  want "no SYN reached the server (DNAT counted ${n:-?})" none "$n"
}

scenario cli-userns-net-admin client fail priv.net_admin \
  "phantun-run (and the doctor) under 'unshare --user --map-root-user' in the client namespace: CAP_NET_ADMIN only in a user namespace that does not own the network namespace, so phantun_client cannot create its TUN"
setup_cli_userns_net_admin() {
  lab_client
  lab_server
  CLI_WRAP=(unshare --user --map-root-user)
  ALLOW_CLI_NO_START=yes
}
evidence_cli_userns_net_admin() {
  want "phantun_client made no TUN $CLI_TUN" no_link "$CLI_NS" "$CLI_TUN"
  local n
  n=$(srv_lab_dnat)
  want "no SYN reached the server (DNAT counted ${n:-?})" none "$n"
}

# --- Working recipes ----------------------------------------------------------------------------
scenario ok-lab-nft none ok - \
  "the lab's own nft recipe (tests/lab/netns.sh)"
setup_ok_lab_nft() {
  lab_client
  lab_server
}

scenario ok-readme-nft none ok - \
  "README.md host setup, nftables: inet nat, 'iifname TUN oifname WAN masquerade' / 'iifname WAN tcp dport PORT dnat ip to PEER'"
setup_ok_readme_nft() {
  fwd "$CLI_NS" 1
  in_ns "$CLI_NS" nft add table inet nat
  in_ns "$CLI_NS" nft 'add chain inet nat postrouting { type nat hook postrouting priority srcnat; policy accept; }'
  in_ns "$CLI_NS" nft add rule inet nat postrouting iifname "$CLI_TUN" oifname "$CLI_VETH" masquerade
  fwd "$SRV_NS" 1
  in_ns "$SRV_NS" nft add table inet nat
  in_ns "$SRV_NS" nft 'add chain inet nat prerouting { type nat hook prerouting priority dstnat; policy accept; }'
  in_ns "$SRV_NS" nft add rule inet nat prerouting iifname "$SRV_VETH" tcp dport "$PHANTUN_PORT" dnat ip to "$SRV_TUN_PEER"
}

scenario ok-readme-iptables none ok - \
  "README.md host setup, iptables (nft backend): -o WAN -j MASQUERADE / -i WAN --dport PORT -j DNAT, and step 4's FORWARD accepts both ways"
setup_ok_readme_iptables() {
  fwd "$CLI_NS" 1
  in_ns "$CLI_NS" iptables -t nat -A POSTROUTING -o "$CLI_VETH" -j MASQUERADE
  in_ns "$CLI_NS" iptables -I FORWARD -i "$CLI_TUN" -o "$CLI_VETH" -j ACCEPT
  in_ns "$CLI_NS" iptables -I FORWARD -i "$CLI_VETH" -o "$CLI_TUN" -j ACCEPT
  fwd "$SRV_NS" 1
  in_ns "$SRV_NS" iptables -t nat -A PREROUTING -p tcp -i "$SRV_VETH" --dport "$PHANTUN_PORT" \
    -j DNAT --to-destination "$SRV_TUN_PEER"
  in_ns "$SRV_NS" iptables -I FORWARD -i "$SRV_TUN" -o "$SRV_VETH" -j ACCEPT
  in_ns "$SRV_NS" iptables -I FORWARD -i "$SRV_VETH" -o "$SRV_TUN" -j ACCEPT
}

scenario ok-upstream-nft-iif-oif none ok - \
  "upstream phantun's nft recipe: 'iifname TUN oif WAN masquerade' / 'iif WAN tcp dport PORT dnat ip to PEER' (oif/iif: interface indexes)"
setup_ok_upstream_nft_iif_oif() {
  fwd "$CLI_NS" 1
  nft_cli "table inet nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname \"$CLI_TUN\" oif \"$CLI_VETH\" masquerade
  }
}"
  fwd "$SRV_NS" 1
  nft_srv "table inet nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iif \"$SRV_VETH\" tcp dport $PHANTUN_PORT dnat ip to $SRV_TUN_PEER
  }
}"
}

# Upstream phantun's iptables recipe, with one iptables variant on both hosts.
upstream_iptables() { # iptables command
  fwd "$CLI_NS" 1
  in_ns "$CLI_NS" "$1" -t nat -A POSTROUTING -o "$CLI_VETH" -j MASQUERADE
  fwd "$SRV_NS" 1
  in_ns "$SRV_NS" "$1" -t nat -A PREROUTING -p tcp -i "$SRV_VETH" --dport "$PHANTUN_PORT" \
    -j DNAT --to-destination "$SRV_TUN_PEER"
}
scenario ok-iptables-legacy none ok - \
  "upstream phantun's iptables recipe with iptables-legacy on both hosts"
setup_ok_iptables_legacy() { upstream_iptables iptables-legacy; }

scenario ok-iptables-nft none ok - \
  "upstream phantun's iptables recipe with iptables-nft on both hosts"
setup_ok_iptables_nft() { upstream_iptables iptables-nft; }

# Docker's FORWARD chain as Docker leaves it, with the tunnel accepted in DOCKER-USER.
docker_user() { # ns tun wan
  in_ns "$1" iptables -N DOCKER-USER
  in_ns "$1" iptables -A DOCKER-USER -j RETURN
  in_ns "$1" iptables -A FORWARD -j DOCKER-USER
  in_ns "$1" iptables -P FORWARD DROP
  in_ns "$1" iptables -I DOCKER-USER -i "$2" -o "$3" -j ACCEPT
  in_ns "$1" iptables -I DOCKER-USER -i "$3" -o "$2" -j ACCEPT
}
scenario ok-docker-user none ok - \
  "Docker-style: -P FORWARD DROP, -A FORWARD -j DOCKER-USER, the tunnel accepted both ways in DOCKER-USER (iptables, both hosts), the lab's nft NAT"
setup_ok_docker_user() {
  lab_client
  lab_server
  docker_user "$CLI_NS" "$CLI_TUN" "$CLI_VETH"
  docker_user "$SRV_NS" "$SRV_TUN" "$SRV_VETH"
}

scenario ok-stateful-right none ok - \
  "nft stateful forward firewall done right on both hosts: policy drop, ct established,related accept, and an accept for the tunnel's new SYN"
setup_ok_stateful_right() {
  lab_client
  lab_server
  nft_forward_drop "$CLI_NS" "    ct state established,related accept
    iifname \"$CLI_TUN\" oifname \"$CLI_VETH\" tcp dport $PHANTUN_PORT ct state new accept"
  nft_forward_drop "$SRV_NS" "    ct state established,related accept
    iifname \"$SRV_VETH\" oifname \"$SRV_TUN\" tcp dport $PHANTUN_PORT ct state new accept"
}

scenario ok-rp-filter-strict none ok - \
  "the lab's nft recipe with strict reverse-path filtering (rp_filter=1: all and default) on both hosts: one uplink, so every packet comes in where its route back leaves"
setup_ok_rp_filter_strict() {
  lab_client
  lab_server
  local ns
  for ns in "$CLI_NS" "$SRV_NS"; do
    run ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=1
  done
}

scenario ok-snat-own-addr none ok - \
  "iptables (nft backend) on the client: -o $CLI_VETH -j SNAT --to-source $CLI_ADDR (its own address) instead of MASQUERADE; the lab's DNAT on the server"
setup_ok_snat_own_addr() {
  fwd "$CLI_NS" 1
  in_ns "$CLI_NS" iptables -t nat -A POSTROUTING -o "$CLI_VETH" -j SNAT --to-source "$CLI_ADDR"
  lab_server
}

scenario ok-mixed-backends none ok - \
  "the client masquerades with nft (the lab's), the server DNATs with iptables-legacy and has an empty iptables-nft filter table (policy ACCEPT)"
setup_ok_mixed_backends() {
  lab_client
  fwd "$SRV_NS" 1
  in_ns "$SRV_NS" iptables-legacy -t nat -A PREROUTING -p tcp -i "$SRV_VETH" --dport "$PHANTUN_PORT" \
    -j DNAT --to-destination "$SRV_TUN_PEER"
  in_ns "$SRV_NS" iptables-nft -P FORWARD ACCEPT
}

scenario ok-dnat-map none ok - \
  "nft on the server: the DNAT target looked up in a map ('dnat to tcp dport map { $PHANTUN_PORT : $SRV_TUN_PEER }'); the lab's masquerade on the client"
setup_ok_dnat_map() {
  lab_client
  fwd "$SRV_NS" 1
  nft_srv "table ip ptrm_map {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"$SRV_VETH\" dnat to tcp dport map { $PHANTUN_PORT : $SRV_TUN_PEER }
  }
}"
}

scenario ok-policy-rule-elsewhere none ok - \
  "the lab's recipe, and on both hosts an ip rule sending another subnet (198.18.8.0/24) to table $POLICY_TABLE, which blackholes it: the tunnel's packets are not concerned"
setup_ok_policy_rule_elsewhere() {
  lab_client
  lab_server
  local ns
  for ns in "$CLI_NS" "$SRV_NS"; do
    in_ns "$ns" ip rule add to 198.18.8.0/24 lookup "$POLICY_TABLE" pref 1000
    in_ns "$ns" ip route add blackhole 198.18.8.0/24 table "$POLICY_TABLE"
  done
}

scenario ok-user-chains none ok - \
  "nft: the NAT rule and the forward accepts each in a user chain reached by jump (forward policy drop), both hosts"
setup_ok_user_chains() {
  fwd "$CLI_NS" 1
  nft_cli "table ip ptrm_chains {
  chain tunnel_nat {
    masquerade
  }
  chain tunnel_ok {
    accept
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname \"$CLI_TUN\" oifname \"$CLI_VETH\" jump tunnel_nat
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    iifname \"$CLI_TUN\" jump tunnel_ok
    oifname \"$CLI_TUN\" jump tunnel_ok
  }
}"
  fwd "$SRV_NS" 1
  nft_srv "table ip ptrm_chains {
  chain tunnel_nat {
    tcp dport $PHANTUN_PORT dnat to $SRV_TUN_PEER
  }
  chain tunnel_ok {
    accept
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"$SRV_VETH\" jump tunnel_nat
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    iifname \"$SRV_TUN\" jump tunnel_ok
    oifname \"$SRV_TUN\" jump tunnel_ok
  }
}"
}

scenario ok-named-sets none ok - \
  "nft: the match held in named sets (iifname @tun_ifs oifname @wan_ifs masquerade; iifname @wan_ifs tcp dport @ports dnat)"
setup_ok_named_sets() {
  fwd "$CLI_NS" 1
  nft_cli "table ip ptrm_sets {
  set tun_ifs { type ifname; elements = { \"$CLI_TUN\" } }
  set wan_ifs { type ifname; elements = { \"$CLI_VETH\" } }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname @tun_ifs oifname @wan_ifs masquerade
  }
}"
  fwd "$SRV_NS" 1
  nft_srv "table ip ptrm_sets {
  set wan_ifs { type ifname; elements = { \"$SRV_VETH\" } }
  set ports { type inet_service; elements = { $PHANTUN_PORT } }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname @wan_ifs tcp dport @ports dnat to $SRV_TUN_PEER
  }
}"
}

scenario ok-anon-sets none ok - \
  "nft: the match held in anonymous sets (tcp dport { $PHANTUN_PORT, $((PHANTUN_PORT + 1)) }, iifname { ... }, oifname { ... })"
setup_ok_anon_sets() {
  fwd "$CLI_NS" 1
  nft_cli "table ip ptrm_sets {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname { \"$CLI_TUN\", \"tun9\" } oifname { \"$CLI_VETH\", \"eth0\" } masquerade
  }
}"
  fwd "$SRV_NS" 1
  nft_srv "table ip ptrm_sets {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname { \"$SRV_VETH\", \"eth0\" } tcp dport { $PHANTUN_PORT, $((PHANTUN_PORT + 1)) } dnat to $SRV_TUN_PEER
  }
}"
}

scenario ok-wrong-rule-cannot-match none ok - \
  "nft: a wrong rule that cannot match ahead of the right one (client: 'ip saddr $OTHER_CLI_SRC return'; server: 'tcp dport $((PHANTUN_PORT + 1)) dnat to $WRONG_SRV_PEER')"
setup_ok_wrong_rule_cannot_match() {
  fwd "$CLI_NS" 1
  nft_cli "table ip $NFT_TABLE {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr $OTHER_CLI_SRC return
    iifname \"$CLI_TUN\" oifname \"$CLI_VETH\" ip saddr $CLI_TUN_PEER counter masquerade
  }
}"
  fwd "$SRV_NS" 1
  nft_srv "table ip $NFT_TABLE {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"$SRV_VETH\" tcp dport $((PHANTUN_PORT + 1)) counter dnat to $WRONG_SRV_PEER
    iifname \"$SRV_VETH\" ip daddr $SRV_ADDR tcp dport $PHANTUN_PORT counter dnat to $SRV_TUN_PEER
  }
}"
}

# ------------------------------------------------------------------------------------------------
usage() {
  sed -n '/^# Usage/,/^# "doctor matrix: FAIL/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

on_err() { # status line command
  [ -n "$reason" ] || reason="'$3' failed with status $1 (matrix.sh line $2)"
}

# The namespaces of this run that are still there (a scenario removes its own; this is for a
# scenario that was killed before it could).
leftover_namespaces() {
  ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^${NS_PREFIX}-[cs]-[0-9]+$" || true
}

RUN_DIR=""
BIN=""
KEEP=no
on_exit() {
  local rc=$? ns pid
  set +e
  trap - ERR INT TERM
  for ns in $(leftover_namespaces); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
    say "removed leftover namespace $ns"
  done
  if [ -n "$(leftover_namespaces)" ]; then
    reason=${reason:-"namespaces left behind: $(leftover_namespaces | tr '\n' ' ')"}
  fi
  [ -z "$BIN" ] || rm -rf -- "$BIN"
  if [ -n "$RUN_DIR" ] && [ "$KEEP" = no ] && [ -z "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]; then
    rm -rf -- "$RUN_DIR"
  elif [ -n "$RUN_DIR" ]; then
    echo "doctor matrix: logs and reports kept in $RUN_DIR"
  fi
  if [ -z "$reason" ] && [ "$rc" -eq 0 ]; then
    echo "doctor matrix: PASS"
    exit 0
  fi
  echo "doctor matrix: FAIL: ${reason:-exit status $rc}"
  [ "$rc" -ne 0 ] || rc=1
  exit "$rc"
}

# ------------------------------------------------------------------------------------------------
# One scenario, in a subshell of its own: its lab, its setup, phantun, the echo, both doctors.
# Writes $WORK/meta (key=value lines) and the doctor reports; the report script judges them.
meta() { printf '%s=%s\n' "$1" "$2" >>"$WORK/meta"; }

# wait_for that returns non-zero instead of ending the scenario.
soft_wait() { (wait_for "$@"); }

# Reaps a process start_in started that has ended and logs its status.
reap_ended() { # pid
  local status=0
  alive "$1" && return 0
  wait "$1" 2>/dev/null || status=$?
  say "${PIDS[$1]:-pid $1} exited with status $status"
  unset "PIDS[$1]"
  return 0
}

run_doctor() { # tag ns wrap-words... -- doctor args... (tag: server, client, server_fixed, client_fixed)
  local side=$1 ns=$2 status=0 wrap=()
  shift 2
  while [ "$1" != -- ]; do wrap+=("$1"); shift; done
  shift
  printf '    $ ip netns exec %s %s phantun-doctor --json %s\n' "$ns" "${wrap[*]}" "$*"
  ip netns exec "$ns" "${wrap[@]}" env NO_COLOR=1 "$BIN/phantun-doctor" --json "$@" \
    >"$WORK/doctor-$side.json" 2>"$WORK/doctor-$side.stderr" || status=$?
  meta "${side}_exit" "$status"
  say "phantun-doctor ($side): exit $status"
  # The same in text, for people (with the packet traces when the doctor has --trace).
  ip netns exec "$ns" "${wrap[@]}" env NO_COLOR=1 "$BIN/phantun-doctor" "${TRACE_OPT[@]}" "$@" \
    >"$WORK/doctor-$side.txt" 2>&1 || true
  indent <"$WORK/doctor-$side.txt"
}

scenario_main() { # name index
  local name=$1 idx=$2 fn server_pid client_pid echo_pid status ns
  fn="setup_${name//-/_}"
  CLI_NS="$NS_PREFIX-c-$idx" SRV_NS="$NS_PREFIX-s-$idx"
  WORK="$RUN_DIR/$name"
  NAMESPACES=() PIDS=() SRV_WRAP=() ALLOW_SRV_NO_START= CLI_WRAP=() ALLOW_CLI_NO_START=
  reason=""
  trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
  trap 'reason="interrupted (SIGINT)"; exit 130' INT
  trap 'reason="terminated (SIGTERM)"; exit 143' TERM
  trap scenario_exit EXIT
  meta name "$name"

  step "$name: two fresh hosts ($CLI_NS, $SRV_NS) and the wire"
  lab_create

  step "$name: host setup: ${S_DESC[$name]}"
  "$fn"
  say "client ruleset:"
  ip netns exec "$CLI_NS" nft list ruleset | indent
  say "server ruleset:"
  ip netns exec "$SRV_NS" nft list ruleset | indent

  step "$name: the echo service, phantun_server and phantun_client (under phantun-run)"
  start_in udp_echo "$SRV_NS" "$BIN/udp_echo" serve "$ECHO_UDP"
  echo_pid=$LAST_PID
  wait_for "udp_echo listens on $ECHO_UDP" "$READY_TIMEOUT_MS" "$echo_pid" udp_listening "$SRV_NS" "$ECHO_UDP"
  start_in phantun-run-server "$SRV_NS" MODE=server RUST_LOG=info "${SRV_WRAP[@]}" "$BIN/phantun-run" \
    --local "$PHANTUN_PORT" --remote "$ECHO_UDP" \
    --tun "$SRV_TUN" --tun-local "$SRV_TUN_LOCAL" --tun-peer "$SRV_TUN_PEER" --ipv4-only
  server_pid=$LAST_PID
  if soft_wait "TUN $SRV_TUN is up with $SRV_TUN_LOCAL in $SRV_NS" "$READY_TIMEOUT_MS" "$server_pid" \
    tun_ready "$SRV_NS" "$SRV_TUN" "$SRV_TUN_LOCAL"; then
    meta server_started yes
  else
    reap_ended "$server_pid"
    [ "$ALLOW_SRV_NO_START" = yes ] || fail "phantun_server did not come up (log: $WORK/phantun-run-server.log)"
    say "phantun_server did not come up, as this scenario expects:"
    indent <"$WORK/phantun-run-server.log"
    meta server_started no
  fi
  start_in phantun-run-client "$CLI_NS" MODE=client RUST_LOG=info "${CLI_WRAP[@]}" "$BIN/phantun-run" \
    --local "$CLIENT_UDP" --remote "$SRV_ADDR:$PHANTUN_PORT" \
    --tun "$CLI_TUN" --tun-local "$CLI_TUN_LOCAL" --tun-peer "$CLI_TUN_PEER" --ipv4-only
  client_pid=$LAST_PID
  if soft_wait "TUN $CLI_TUN is up with $CLI_TUN_LOCAL in $CLI_NS" "$READY_TIMEOUT_MS" "$client_pid" \
    tun_ready "$CLI_NS" "$CLI_TUN" "$CLI_TUN_LOCAL"; then
    wait_for "phantun_client takes UDP on $CLIENT_UDP" "$READY_TIMEOUT_MS" "$client_pid" \
      udp_listening "$CLI_NS" "$CLIENT_UDP"
    meta client_started yes
  else
    reap_ended "$client_pid"
    [ "$ALLOW_CLI_NO_START" = yes ] || fail "phantun_client did not come up (log: $WORK/phantun-run-client.log)"
    say "phantun_client did not come up, as this scenario expects:"
    indent <"$WORK/phantun-run-client.log"
    meta client_started no
  fi

  step "$name: $ECHO_COUNT datagrams through the tunnel (each must come back within $ECHO_TIMEOUT_MS ms)"
  status=0
  run ip netns exec "$CLI_NS" "$BIN/udp_echo" ping "$CLIENT_UDP" "$ECHO_COUNT" "$ECHO_TIMEOUT_MS" || status=$?
  if [ "$status" -eq 0 ]; then meta echo ok; else meta echo fail; fi
  reason="" # a failed echo is a result, not a harness error
  local evidence="evidence_${name//-/_}"
  [ "${S_SIDE[$name]}" != none ] || evidence=working_tunnel
  if declare -F "$evidence" >/dev/null; then
    step "$name: where the datagrams went (counters)"
    EVIDENCE_MISSING=()
    "$evidence"
    if [ "${#EVIDENCE_MISSING[@]}" -eq 0 ]; then
      meta evidence ok
    else
      meta evidence "missing: $(printf '%s; ' "${EVIDENCE_MISSING[@]}")"
    fi
  fi

  step "$name: phantun-doctor on both hosts"
  run_doctor server "$SRV_NS" "${SRV_WRAP[@]}" -- "${SRV_DOCTOR_ARGS[@]}"
  run_doctor client "$CLI_NS" "${CLI_WRAP[@]}" -- "${CLI_DOCTOR_ARGS[@]}"

  step "$name: the hosts' rules after the echo and the doctors, with their counters"
  for ns in "$CLI_NS" "$SRV_NS"; do list_rules "$ns"; done

  fix_stage

  step "$name: the lab guard"
  local dropped total=0
  for ns in "$CLI_NS" "$SRV_NS"; do
    dropped=$(ip netns exec "$ns" nft list table inet "$GUARD_TABLE" |
      sed -n 's/.*counter packets \([0-9][0-9]*\) .*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
    total=$((total + dropped))
  done
  meta guard_drops "$total"
  say "packets the lab guard dropped (addressed outside 127.0.0.0/8 and 198.18.0.0/15): $total"
  meta done yes
}

# The doctor's printed fix, on real traffic (issue 13 item 4): when the broken side's doctor fails
# a netfilter check (nat.masquerade, nat.dnat, fwd.chains) with a fix made of nft/iptables
# commands, those commands are run in that side's namespace exactly as printed (fix_commands.py
# splits them into words and runs them without a shell, after refusing anything a shell would
# expand), then the echo is sent again through the same tunnel and that side's doctor runs again.
# matrix_report.py requires the echo to work and the doctor to fail nothing any more.
fix_stage() {
  local side=${S_SIDE[$name]} ns status
  [ "$side" = server ] || [ "$side" = client ] || return 0
  [ "$(sed -n 's/^echo=//p' "$WORK/meta")" = fail ] || return 0
  [ "$(sed -n "s/^${side}_exit=//p" "$WORK/meta")" = 1 ] || return 0
  if [ "$side" = server ]; then ns=$SRV_NS; else ns=$CLI_NS; fi
  step "$name: the $side doctor's printed fix, applied"
  status=0
  python3 "$MATRIX_DIR/fix_commands.py" plan "$WORK/doctor-$side.json" "$WORK" || status=$?
  case $status in
    0) ;;
    3)
      say "fix: $(sed -n 's/^fix_state=//p' "$WORK/meta"): $(sed -n 's/^fix_note=//p' "$WORK/meta")"
      return 0
      ;;
    *) fail "fix_commands.py plan ended with status $status" ;;
  esac
  say "fix for $(sed -n 's/^fix_checks=//p' "$WORK/meta"): $(sed -n 's/^fix_text=//p' "$WORK/meta")"
  if ! python3 "$MATRIX_DIR/fix_commands.py" apply "$ns" "$WORK"; then
    say "the fix did not apply: $(sed -n 's/^fix_apply=//p' "$WORK/meta")"
    return 0
  fi
  say "the rules with the fix:"
  list_rules "$ns"

  step "$name: $ECHO_COUNT datagrams again, through the same tunnel, with the fix (each within $FIX_ECHO_TIMEOUT_MS ms)"
  fix_echo
  if [ "$FIX_ECHO" != ok ] && [ "$(sed -n 's/^client_started=//p' "$WORK/meta")" = yes ]; then
    # phantun_client starts a new fake-TCP connection (from a new port) for each new UDP peer, and
    # udp_echo ping binds a new port each time, so no restart should be needed; if the echo still
    # fails, it is tried once more with phantun_client started afresh, as the harness starts it,
    # and the table says so.
    say "the echo failed with the fix in place; phantun_client restarted, as it was started, and the echo tried again"
    stop_pid "$client_pid"
    say "phantun_client (pid $client_pid) stopped: status $STATUS"
    start_in phantun-run-client-restarted "$CLI_NS" MODE=client RUST_LOG=info "${CLI_WRAP[@]}" "$BIN/phantun-run" \
      --local "$CLIENT_UDP" --remote "$SRV_ADDR:$PHANTUN_PORT" \
      --tun "$CLI_TUN" --tun-local "$CLI_TUN_LOCAL" --tun-peer "$CLI_TUN_PEER" --ipv4-only
    client_pid=$LAST_PID
    wait_for "TUN $CLI_TUN is up with $CLI_TUN_LOCAL in $CLI_NS" "$READY_TIMEOUT_MS" "$client_pid" \
      tun_ready "$CLI_NS" "$CLI_TUN" "$CLI_TUN_LOCAL"
    wait_for "phantun_client takes UDP on $CLIENT_UDP" "$READY_TIMEOUT_MS" "$client_pid" \
      udp_listening "$CLI_NS" "$CLIENT_UDP"
    meta fix_client_restarted yes
    fix_echo
  fi
  meta fix_echo "$FIX_ECHO"

  step "$name: phantun-doctor on the $side again, with the fix"
  if [ "$side" = server ]; then
    run_doctor server_fixed "$SRV_NS" "${SRV_WRAP[@]}" -- "${SRV_DOCTOR_ARGS[@]}"
  else
    run_doctor client_fixed "$CLI_NS" "${CLI_WRAP[@]}" -- "${CLI_DOCTOR_ARGS[@]}"
  fi
  say "$ns: the rules after the fixed echo, with their counters"
  list_rules "$ns"
}
list_rules() { # ns: its nft ruleset and, when not empty, its iptables rules, with counters
  local tool
  say "$1: nft list ruleset"
  ip netns exec "$1" nft list ruleset | indent
  for tool in iptables-legacy-save iptables-nft-save; do
    if [ -n "$(ip netns exec "$1" "$tool" 2>/dev/null | grep -v '^#')" ]; then
      say "$1: $tool -c"
      ip netns exec "$1" "$tool" -c | indent
    fi
  done
}
fix_echo() { # sets FIX_ECHO to ok or fail
  local status=0
  run ip netns exec "$CLI_NS" "$BIN/udp_echo" ping "$CLIENT_UDP" "$ECHO_COUNT" "$FIX_ECHO_TIMEOUT_MS" || status=$?
  if [ "$status" -eq 0 ]; then FIX_ECHO=ok; else FIX_ECHO=fail; fi
  reason="" # a failed echo is a result, not a harness error
}

scenario_exit() {
  local rc=$?
  set +e
  trap - ERR INT TERM
  printf '\n[%s: cleanup]\n' "$(sed -n 's/^name=//p' "$WORK/meta" 2>/dev/null)"
  lab_remove
  [ -z "$reason" ] || meta error "$reason"
  [ -z "$reason" ] || rc=1
  exit "$rc"
}

# ------------------------------------------------------------------------------------------------
RUNTIME_BIN=${RUNTIME_BIN:-}
PHANTUN_BIN_DIR=${PHANTUN_BIN_DIR:-}
UDP_ECHO=${UDP_ECHO:-}
# Run by hand from a checkout: the binaries `bazel build //cmd:phantun-runtime //tests/tunnel:udp_echo`
# made with the default configuration (k8-opt: bazel-bin moves with the last build's --config),
# and the phantun that third_party/setup.sh named in .bazelrc.local.
if [ -z "${TEST_SRCDIR:-}" ] && REPO=$(git -C "$SOURCE_DIR" rev-parse --show-toplevel 2>/dev/null); then
  RUNTIME_BIN=${RUNTIME_BIN:-$REPO/bazel-out/k8-opt/bin/cmd/phantun-runtime}
  UDP_ECHO=${UDP_ECHO:-$REPO/bazel-out/k8-opt/bin/tests/tunnel/udp_echo}
  SCHEMA=${SCHEMA:-$REPO/docs/doctor-report.schema.json}
  if [ -z "$PHANTUN_BIN_DIR" ] && [ -f "$REPO/.bazelrc.local" ]; then
    PHANTUN_BIN_DIR=$(sed -n 's/.*--test_env=PHANTUN_BIN_DIR=\([^ ]*\).*/\1/p' "$REPO/.bazelrc.local" | tail -n 1)
  fi
fi
SCHEMA=${SCHEMA:-}
ONLY=""
LIST=no
WRITE_RESULTS=""
DOCTOR_REMOTE=auto
while [ $# -gt 0 ]; do
  case $1 in
    --runtime) RUNTIME_BIN=${2:?--runtime needs a path}; shift 2 ;;
    --phantun-bin-dir) PHANTUN_BIN_DIR=${2:?--phantun-bin-dir needs a folder}; shift 2 ;;
    --udp-echo) UDP_ECHO=${2:?--udp-echo needs a path}; shift 2 ;;
    --only) ONLY=${2:?--only needs a regex}; shift 2 ;;
    --list) LIST=yes; shift ;;
    --keep) KEEP=yes; shift ;;
    --write-results) WRITE_RESULTS=${2:?--write-results needs a file}; shift 2 ;;
    --schema) SCHEMA=${2:?--schema needs a file}; shift 2 ;;
    --doctor-remote) DOCTOR_REMOTE=${2:?--doctor-remote needs auto, on or off}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; echo "matrix.sh: unknown argument '$1'" >&2; exit 64 ;;
  esac
done
[ -z "$WRITE_RESULTS" ] || WRITE_RESULTS=$(realpath -m -- "$WRITE_RESULTS")
case $DOCTOR_REMOTE in auto | on | off) ;; *) echo "matrix.sh: --doctor-remote auto|on|off" >&2; exit 64 ;; esac

for name in "${SCENARIOS[@]}"; do
  declare -F "setup_${name//-/_}" >/dev/null || { echo "matrix.sh: scenario $name has no setup_${name//-/_}" >&2; exit 70; }
done
SELECTED=()
for name in "${SCENARIOS[@]}"; do
  if [ -z "$ONLY" ] || [[ $name =~ $ONLY ]]; then SELECTED+=("$name"); fi
done
if [ "$LIST" = yes ]; then
  for name in "${SELECTED[@]}"; do
    printf '%-30s %-6s echo %-4s must fail: %-14s %s\n' "$name" "${S_SIDE[$name]}" "${S_ECHO[$name]}" \
      "${S_IDS[$name]}" "${S_DESC[$name]}"
  done
  exit 0
fi

trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
trap 'reason="interrupted (SIGINT)"; exit 130' INT
trap 'reason="terminated (SIGTERM)"; exit 143' TERM
trap on_exit EXIT
now_ms
readonly START_MS=$NOW_MS

[ "${#SELECTED[@]}" -gt 0 ] || fail "no scenario matches --only '$ONLY'"
[ "$(id -u)" -eq 0 ] || fail "must run as root: it creates network namespaces, TUN devices and firewall rules"
[ -n "$RUNTIME_BIN" ] || fail "no phantun-runtime binary given (--runtime or RUNTIME_BIN)"
[ -n "$PHANTUN_BIN_DIR" ] || fail "no phantun folder given (--phantun-bin-dir or PHANTUN_BIN_DIR)"
[ -n "$UDP_ECHO" ] || fail "no udp_echo given (--udp-echo or UDP_ECHO)"
for f in "$RUNTIME_BIN" "$PHANTUN_BIN_DIR/phantun_client" "$PHANTUN_BIN_DIR/phantun_server" "$UDP_ECHO"; do
  if ! [ -f "$f" ] || ! [ -x "$f" ]; then fail "$f: not an executable file"; fi
done
for tool in ip nft ss sysctl iptables iptables-legacy iptables-nft unshare python3; do
  command -v "$tool" >/dev/null || fail "$tool not found"
done
[ -c /dev/net/tun ] || fail "/dev/net/tun is missing: phantun needs TUN devices"
REPORT_OPTS=()
if [ -n "$SCHEMA" ]; then
  [ -f "$SCHEMA" ] || fail "$SCHEMA: no such schema file"
  python3 -c 'import jsonschema' 2>/dev/null || fail "python3 has no jsonschema module (Debian: python3-jsonschema)"
  REPORT_OPTS=(--schema "$(readlink -f -- "$SCHEMA")")
fi
[ -z "$(leftover_namespaces)" ] || fail "namespaces named like this run's exist already: $(leftover_namespaces)"

lab_run_folders matrix "$RUNTIME_BIN" "$PHANTUN_BIN_DIR" "$UDP_ECHO"
for applet in phantun-run phantun-doctor; do
  [ -x "$BIN/$applet" ] || fail "phantun-runtime --install made no $applet"
done

doctor_help=$("$BIN/phantun-doctor" --help 2>&1) || true
if [ "$DOCTOR_REMOTE" = auto ]; then
  if grep -q -- '--remote' <<<"$doctor_help"; then DOCTOR_REMOTE=on; else DOCTOR_REMOTE=off; fi
fi
TRACE_OPT=()
if grep -q -- '--trace' <<<"$doctor_help"; then TRACE_OPT=(--trace); fi
SRV_DOCTOR_ARGS=(--mode server --port "$PHANTUN_PORT" --tun "$SRV_TUN" --tun-local "$SRV_TUN_LOCAL"
  --tun-peer "$SRV_TUN_PEER" --wan "$SRV_VETH")
CLI_DOCTOR_ARGS=(--mode client --tun "$CLI_TUN" --tun-local "$CLI_TUN_LOCAL" --tun-peer "$CLI_TUN_PEER"
  --wan "$CLI_VETH")
if [ "$DOCTOR_REMOTE" = on ]; then
  SRV_DOCTOR_ARGS+=(--remote "$CLI_ADDR")
  CLI_DOCTOR_ARGS+=(--remote "$SRV_ADDR:$PHANTUN_PORT")
fi

echo "doctor matrix: ${#SELECTED[@]} scenarios; logs and reports in $RUN_DIR"
echo "  phantun-runtime: $(readlink -f -- "$RUNTIME_BIN") ($("$BIN/phantun-runtime" --version 2>&1 | head -n 1))"
echo "  phantun:         $("$BIN/phantun_client" --version 2>&1 | head -n 1)"
echo "  kernel:          $(uname -sr)"
echo "  server doctor:   phantun-doctor ${SRV_DOCTOR_ARGS[*]}"
echo "  client doctor:   phantun-doctor ${CLI_DOCTOR_ARGS[*]}"
{
  echo "doctor_version=$("$BIN/phantun-runtime" --version 2>&1 | head -n 1)"
  echo "phantun_version=$("$BIN/phantun_client" --version 2>&1 | head -n 1)"
  echo "kernel=$(uname -sr)"
  echo "server_doctor=phantun-doctor ${SRV_DOCTOR_ARGS[*]}"
  echo "client_doctor=phantun-doctor ${CLI_DOCTOR_ARGS[*]}"
  commit=$(git -C "$SOURCE_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ "$commit" != unknown ] && [ -n "$(git -C "$SOURCE_DIR" status --porcelain -- ../../../runtime ../../../cmd 2>/dev/null)" ]; then
    commit="$commit, with uncommitted changes in runtime/ or cmd/"
  fi
  echo "commit=$commit"
} >"$RUN_DIR/run.meta"
echo

idx=0
for name in "${SELECTED[@]}"; do
  idx=$((idx + 1))
  mkdir "$RUN_DIR/$name"
  {
    echo "side=${S_SIDE[$name]}"
    echo "expect_echo=${S_ECHO[$name]}"
    echo "expect_fail=${S_IDS[$name]}"
    echo "description=${S_DESC[$name]}"
    echo "order=$idx"
    [ -z "${S_FIX_MUST[$name]:-}" ] || echo "fix_must=${S_FIX_MUST[$name]}"
    [ -z "${S_FIX_MUST_WHAT[$name]:-}" ] || echo "fix_must_what=${S_FIX_MUST_WHAT[$name]}"
  } >"$RUN_DIR/$name/meta"
  now_ms
  t0=$NOW_MS
  # Not `( ... ) || status=$?`: on the left of || errexit is off in the whole subshell, so a setup
  # command that failed would go unnoticed. The ERR trap is off meanwhile: a scenario that ends
  # non-zero is recorded in its meta, not taken for the run's own error.
  trap - ERR
  set +e
  (
    set -Eeuo pipefail
    scenario_main "$name" "$(printf '%02d' "$idx")"
  ) >"$RUN_DIR/$name/scenario.log" 2>&1
  status=$?
  set -e
  trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
  now_ms
  echo "took_ms=$((NOW_MS - t0))" >>"$RUN_DIR/$name/meta"
  case $status in
    130) fail "interrupted (SIGINT) during $name" ;;
    143) fail "terminated (SIGTERM) during $name" ;;
  esac
  line=$(python3 "$MATRIX_DIR/matrix_report.py" --one "$RUN_DIR/$name" "${REPORT_OPTS[@]}")
  printf '[%2d/%d] %s (%d ms)\n' "$idx" "${#SELECTED[@]}" "$line" "$((NOW_MS - t0))"
  if [ "$status" -ne 0 ]; then
    say "harness error in $name; the last lines of its log:"
    tail -n 25 "$RUN_DIR/$name/scenario.log" | indent
  fi
done

now_ms
echo
echo "doctor matrix: all ${#SELECTED[@]} scenarios took $(((NOW_MS - START_MS) / 1000)) s"
report_args=("$RUN_DIR" --out "$RUN_DIR/results.md" --total-ms "$((NOW_MS - START_MS))" "${REPORT_OPTS[@]}")
[ -z "$WRITE_RESULTS" ] || report_args+=(--out "$WRITE_RESULTS")
[ -z "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ] || report_args+=(--out "$TEST_UNDECLARED_OUTPUTS_DIR/matrix-results.md")
status=0
python3 "$MATRIX_DIR/matrix_report.py" "${report_args[@]}" || status=$?
[ -z "$WRITE_RESULTS" ] || echo "doctor matrix: results written to $WRITE_RESULTS"
if [ "$status" -ne 0 ]; then
  fail "$(sed -n 's/^summary: //p' "$RUN_DIR/results.md")"
fi
