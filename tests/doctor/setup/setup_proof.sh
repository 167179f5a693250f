#!/usr/bin/env bash
# Proof of phantun-doctor --print-setup (issue 14, item 5): for each backend the doctor writes
# rules for (nft, iptables-nft, iptables-legacy), on fresh hosts and on hosts with Docker's
# FORWARD (policy DROP, FORWARD jumping to DOCKER-USER first), in two fresh network namespaces
# (tests/lab/netns.sh: 198.18.0.0/15 on the wire, 198.19.0.0/16 on the TUNs, forwarding off):
#   0. the dual-stack recipes' rules (IPv4 and IPv6; their sysctl lines left out, as the lab has no
#      IPv6 and turning IPv6 forwarding on makes the kernel send IPv6 the lab guard must drop) are
#      applied twice (the second changes nothing) and undone (the ruleset is as before);
#   1. the doctor prints both hosts' recipes, before phantun runs (as an administrator would), for
#      phantun's --ipv4-only, as the lab runs it;
#   2. the apply part runs on each host; running it again changes nothing (the ruleset, listed
#      by nft and by iptables-legacy-save, and the forwarding sysctls are the same);
#   3. upstream phantun_server and phantun_client start under phantun-run and UDP is echoed
#      through the tunnel: every datagram comes back, over the fake-TCP path (both TUNs counted
#      packets);
#   4. phantun-doctor then fails nothing on either host (exit 0);
#   5. nft, fresh host only: a second server instance (its own TUN name, addresses and port) gets
#      its recipe applied beside the first; the first's echo and doctor still pass; a third,
#      printed with the first's port, is warned of the collision; undoing the second gives back
#      the ruleset as it was before it;
#   6. after phantun stops, the undo part restores each host's ruleset to what it was before the
#      recipe, except for the empty built-in tables the iptables tools register and never remove
#      (their chains hold no rule and accept: no packet is treated differently), which are left
#      out of both listings.
# Every printed recipe and listing is kept in the work folder (the test's undeclared outputs
# under Bazel). Ends with "setup proof: PASS" (exit 0), else "setup proof: FAIL: ..." (exit 1).
#
# Usage (as root): setup_proof.sh [--runtime PATH] [--udp-echo PATH] [--only REGEX]
# PHANTUN_BIN_DIR names the folder of upstream phantun_client and phantun_server.
set -Eeuo pipefail
exec 2>&1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")
readonly HERE SOURCE_DIR
readonly READY_TIMEOUT_MS=10000 ECHO_COUNT=3 ECHO_TIMEOUT_MS=8000
readonly NS_PREFIX="ptrs$$"
WORK="" reason="" step_no=0
# shellcheck source=../../lab/netns.sh
. "$HERE/../../lab/netns.sh"

# A second and a third server instance (item 3 of the issue), in 198.19.0.0/16.
readonly SRV2_TUN=ptrt-tun-s2 SRV2_LOCAL=198.19.202.1 SRV2_PEER=198.19.202.2 SRV2_PORT=4568
readonly SRV3_TUN=ptrt-tun-s3 SRV3_LOCAL=198.19.203.1 SRV3_PEER=198.19.203.2

SCENARIOS=(nft iptables-nft iptables-legacy nft-docker iptables-nft-docker iptables-legacy-docker)

# The ruleset of a namespace as the comparisons see it: nft's listing (nftables and
# iptables-nft) and the legacy tables, without counters, generation comments and empty built-in
# tables (see item 6 above).
ruleset_of() { # ns
  {
    ip netns exec "$1" nft list ruleset
    echo "### legacy"
    ip netns exec "$1" iptables-legacy-save 2>/dev/null || true
    ip netns exec "$1" ip6tables-legacy-save 2>/dev/null || true
    echo "### sysctls"
    ip netns exec "$1" sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding
  } | python3 "$SOURCE_DIR/normalize_ruleset.py"
}

same_ruleset() { # file-before file-after what
  if ! diff -u "$1" "$2" >"$WORK/diff.txt"; then
    indent <"$WORK/diff.txt"
    fail "$3"
  fi
  say "ok: $3"
}

doctor_in() { # ns args...
  local ns=$1
  shift
  ip netns exec "$ns" env NO_COLOR=1 "$BIN/phantun-doctor" "$@"
}

docker_forward() { # ns iptables-binary: Docker's FORWARD as Docker leaves it
  run ip netns exec "$1" "$2" -N DOCKER-USER
  run ip netns exec "$1" "$2" -A DOCKER-USER -j RETURN
  run ip netns exec "$1" "$2" -A FORWARD -j DOCKER-USER
  run ip netns exec "$1" "$2" -P FORWARD DROP
}

# Prints side's recipe (all of it, and each part as a script) into $WORK/<tag>.*.
print_recipe() { # tag ns args...
  local tag=$1 ns=$2 part
  shift 2
  printf '    $ ip netns exec %s phantun-doctor --print-setup %s\n' "$ns" "$*"
  doctor_in "$ns" --print-setup "$@" >"$WORK/$tag.recipe" || fail "phantun-doctor --print-setup failed for $tag"
  indent <"$WORK/$tag.recipe"
  for part in apply undo; do
    doctor_in "$ns" --print-setup --part "$part" "$@" >"$WORK/$tag.$part.sh" || fail "--part $part failed for $tag"
  done
}

run_part() { # tag part ns
  run ip netns exec "$3" sh -e "$WORK/$1.$2.sh" >"$WORK/$1.$2.log" 2>&1 || { indent <"$WORK/$1.$2.log"; fail "$1's $2 part failed"; }
}

tun_tx() { ip -n "$1" -s link show dev "$2" | awk '/TX:/ { getline; print $2; exit }'; }

echo_through() { # what
  run ip netns exec "$CLI_NS" "$BIN/udp_echo" ping "$CLIENT_UDP" "$ECHO_COUNT" "$ECHO_TIMEOUT_MS" || fail "the echo failed: $1"
  local s c
  s=$(tun_tx "$SRV_NS" "$SRV_TUN") c=$(tun_tx "$CLI_NS" "$CLI_TUN")
  [ "${s:-0}" -gt 0 ] && [ "${c:-0}" -gt 0 ] || fail "the echo came back but not through the TUNs (tx: server ${s:-?}, client ${c:-?})"
  say "ok: every datagram came back through the fake-TCP tunnel ($1; TUN tx: server $s, client $c)"
}

doctor_passes() { # tag ns args...
  local tag=$1 ns=$2 status=0 arg
  shift 2
  local args=()
  for arg in "$@"; do [ "$arg" = --ipv4-only ] || args+=("$arg"); done
  doctor_in "$ns" "${args[@]}" >"$WORK/$tag.doctor.txt" 2>&1 || status=$?
  indent <"$WORK/$tag.doctor.txt"
  [ "$status" -eq 0 ] || fail "phantun-doctor on $tag fails something with the recipe applied (exit $status)"
  say "ok: phantun-doctor on $tag fails nothing (exit 0)"
}

scenario_main() { # name index
  local name=$1 backend=${1%-docker} idx=$2 pid
  CLI_NS="$NS_PREFIX-c-$idx" SRV_NS="$NS_PREFIX-s-$idx"
  WORK="$RUN_DIR/$name"
  mkdir -p "$WORK"
  NAMESPACES=() PIDS=()
  trap 'reason=${reason:-"command failed (line $LINENO): $BASH_COMMAND"}' ERR
  trap 'lab_remove; [ -z "$reason" ] || { echo "FAIL $name: $reason"; exit 1; }' EXIT

  step "$name: two fresh hosts ($CLI_NS, $SRV_NS), forwarding off, no rules but the lab's guard"
  lab_create
  if [ "$name" != "$backend" ]; then
    local docker_tool=iptables-nft
    [ "$backend" != iptables-legacy ] || docker_tool=iptables-legacy
    step "$name: Docker's FORWARD on both hosts ($docker_tool: policy DROP, FORWARD -> DOCKER-USER -> RETURN)"
    docker_forward "$SRV_NS" "$docker_tool"
    docker_forward "$CLI_NS" "$docker_tool"
  fi
  ruleset_of "$SRV_NS" >"$WORK/server.before"
  ruleset_of "$CLI_NS" >"$WORK/client.before"

  local srv_args=(--mode server --port "$PHANTUN_PORT" --tun "$SRV_TUN" --tun-local "$SRV_TUN_LOCAL"
    --tun-peer "$SRV_TUN_PEER" --wan "$SRV_VETH" --remote "$CLI_ADDR")
  local cli_args=(--mode client --tun "$CLI_TUN" --tun-local "$CLI_TUN_LOCAL" --tun-peer "$CLI_TUN_PEER"
    --wan "$CLI_VETH" --remote "$SRV_ADDR:$PHANTUN_PORT")
  step "$name: the dual-stack recipes' rules: applied twice, then undone"
  print_recipe server-dual "$SRV_NS" "${srv_args[@]}" --backend "$backend"
  print_recipe client-dual "$CLI_NS" "${cli_args[@]}" --backend "$backend"
  grep -q 'ip6' "$WORK/server-dual.apply.sh" || fail "the server's dual-stack recipe has no IPv6 rule"
  # (nft's one masquerade, iifname the TUN, is for both families.)
  [ "$backend" = nft ] || grep -q 'ip6tables' "$WORK/client-dual.apply.sh" || fail "the client's dual-stack recipe has no IPv6 rule"
  local side ns
  for side in server client; do
    ns=$SRV_NS
    [ "$side" = server ] || ns=$CLI_NS
    grep -v '^sysctl ' "$WORK/$side-dual.apply.sh" >"$WORK/$side-dual.rules.sh"
    run_part "$side-dual" rules "$ns"
    ruleset_of "$ns" >"$WORK/$side-dual.applied"
    run_part "$side-dual" rules "$ns"
    ruleset_of "$ns" >"$WORK/$side-dual.applied-twice"
    same_ruleset "$WORK/$side-dual.applied" "$WORK/$side-dual.applied-twice" "the $side's dual-stack rules, applied again, changed nothing"
    run_part "$side-dual" undo "$ns"
    ruleset_of "$ns" >"$WORK/$side-dual.undone"
    same_ruleset "$WORK/$side.before" "$WORK/$side-dual.undone" "undoing the $side's dual-stack rules restored its ruleset"
  done

  step "$name: the recipes for phantun --ipv4-only, printed before phantun runs (--backend $backend)"
  srv_args+=(--ipv4-only)
  cli_args+=(--ipv4-only)
  print_recipe server "$SRV_NS" "${srv_args[@]}" --backend "$backend"
  print_recipe client "$CLI_NS" "${cli_args[@]}" --backend "$backend"
  if grep -q '^# with this recipe applied' "$WORK/server.recipe" "$WORK/client.recipe"; then
    fail "a recipe says its own trace still fails"
  fi
  if [ "$name" != "$backend" ]; then
    grep -q 'DOCKER-USER' "$WORK/server.apply.sh" || fail "the server's recipe has no accept in DOCKER-USER"
    grep -q 'DOCKER-USER' "$WORK/client.apply.sh" || fail "the client's recipe has no accept in DOCKER-USER"
  fi

  step "$name: apply, then apply again"
  run_part server apply "$SRV_NS"
  run_part client apply "$CLI_NS"
  ruleset_of "$SRV_NS" >"$WORK/server.applied"
  ruleset_of "$CLI_NS" >"$WORK/client.applied"
  run_part server apply "$SRV_NS"
  run_part client apply "$CLI_NS"
  ruleset_of "$SRV_NS" >"$WORK/server.applied-twice"
  ruleset_of "$CLI_NS" >"$WORK/client.applied-twice"
  same_ruleset "$WORK/server.applied" "$WORK/server.applied-twice" "the server's second apply changed nothing"
  same_ruleset "$WORK/client.applied" "$WORK/client.applied-twice" "the client's second apply changed nothing"

  step "$name: the echo service, phantun_server and phantun_client (under phantun-run)"
  start_in udp_echo "$SRV_NS" "$BIN/udp_echo" serve "$ECHO_UDP"
  pid=$LAST_PID
  wait_for "udp_echo listens on $ECHO_UDP" "$READY_TIMEOUT_MS" "$pid" udp_listening "$SRV_NS" "$ECHO_UDP"
  start_in phantun-run-server "$SRV_NS" MODE=server RUST_LOG=info "$BIN/phantun-run" \
    --local "$PHANTUN_PORT" --remote "$ECHO_UDP" \
    --tun "$SRV_TUN" --tun-local "$SRV_TUN_LOCAL" --tun-peer "$SRV_TUN_PEER" --ipv4-only
  pid=$LAST_PID
  wait_for "TUN $SRV_TUN is up" "$READY_TIMEOUT_MS" "$pid" tun_ready "$SRV_NS" "$SRV_TUN" "$SRV_TUN_LOCAL"
  start_in phantun-run-client "$CLI_NS" MODE=client RUST_LOG=info "$BIN/phantun-run" \
    --local "$CLIENT_UDP" --remote "$SRV_ADDR:$PHANTUN_PORT" \
    --tun "$CLI_TUN" --tun-local "$CLI_TUN_LOCAL" --tun-peer "$CLI_TUN_PEER" --ipv4-only
  pid=$LAST_PID
  wait_for "TUN $CLI_TUN is up" "$READY_TIMEOUT_MS" "$pid" tun_ready "$CLI_NS" "$CLI_TUN" "$CLI_TUN_LOCAL"
  wait_for "phantun_client takes UDP on $CLIENT_UDP" "$READY_TIMEOUT_MS" "$pid" udp_listening "$CLI_NS" "$CLIENT_UDP"

  step "$name: $ECHO_COUNT datagrams through the tunnel"
  echo_through "$backend recipes applied"

  step "$name: phantun-doctor on both hosts"
  doctor_passes server "$SRV_NS" "${srv_args[@]}"
  doctor_passes client "$CLI_NS" "${cli_args[@]}"

  if [ "$name" = nft ]; then
    step "$name: a second server instance beside the first ($SRV2_TUN, $SRV2_LOCAL <-> $SRV2_PEER, tcp/$SRV2_PORT)"
    local srv2_args=(--mode server --port "$SRV2_PORT" --tun "$SRV2_TUN" --tun-local "$SRV2_LOCAL"
      --tun-peer "$SRV2_PEER" --wan "$SRV_VETH" --backend nft --ipv4-only)
    print_recipe server2 "$SRV_NS" "${srv2_args[@]}"
    grep -q '^# warning' "$WORK/server2.recipe" && fail "the second instance's recipe warns of a collision"
    ruleset_of "$SRV_NS" >"$WORK/server.before-second"
    run_part server2 apply "$SRV_NS"
    ip netns exec "$SRV_NS" nft list table inet phantun_ptrt_tun_s >/dev/null || fail "the first instance's table is gone"
    ip netns exec "$SRV_NS" nft list table inet phantun_ptrt_tun_s2 >/dev/null || fail "the second instance has no table"
    echo_through "with a second instance's recipe applied beside it"
    doctor_passes server-beside-second "$SRV_NS" "${srv_args[@]}"
    step "$name: a third instance on the first one's port is warned"
    print_recipe server3 "$SRV_NS" --mode server --port "$PHANTUN_PORT" --tun "$SRV3_TUN" --tun-local "$SRV3_LOCAL" \
      --tun-peer "$SRV3_PEER" --wan "$SRV_VETH" --backend nft
    grep -q "^# warning: tcp/$PHANTUN_PORT is DNATed to $SRV_TUN_PEER" "$WORK/server3.recipe" ||
      fail "the third instance's recipe does not warn that tcp/$PHANTUN_PORT already goes to $SRV_TUN_PEER"
    say "ok: the collision is named in the third recipe's header"
    run_part server2 undo "$SRV_NS"
    ruleset_of "$SRV_NS" >"$WORK/server.after-second"
    same_ruleset "$WORK/server.before-second" "$WORK/server.after-second" \
      "undoing the second instance restored the ruleset as it was before it"
  fi

  step "$name: phantun stops; undo"
  lab_stop_all
  run_part server undo "$SRV_NS"
  run_part client undo "$CLI_NS"
  ruleset_of "$SRV_NS" >"$WORK/server.undone"
  ruleset_of "$CLI_NS" >"$WORK/client.undone"
  # Forwarding stays on after undo (other services may need it); the recipe's header says how to
  # turn it off. The comparison leaves the sysctls out.
  same_ruleset <(sed '/^### sysctls/,$d' "$WORK/server.before") <(sed '/^### sysctls/,$d' "$WORK/server.undone") \
    "undo restored the server's ruleset"
  same_ruleset <(sed '/^### sysctls/,$d' "$WORK/client.before") <(sed '/^### sysctls/,$d' "$WORK/client.undone") \
    "undo restored the client's ruleset"
  lab_guard_check
  echo "PASS $name"
}

lab_stop_all() {
  local pid
  for pid in "${!PIDS[@]}"; do
    say "${PIDS[$pid]}: kill -TERM $pid"
    stop_pid "$pid"
  done
}

RUNTIME_BIN=${RUNTIME_BIN:-} UDP_ECHO=${UDP_ECHO:-} PHANTUN_BIN_DIR=${PHANTUN_BIN_DIR:-} ONLY=""
if [ -z "${TEST_SRCDIR:-}" ] && REPO=$(git -C "$SOURCE_DIR" rev-parse --show-toplevel 2>/dev/null); then
  RUNTIME_BIN=${RUNTIME_BIN:-$REPO/bazel-out/k8-opt/bin/cmd/phantun-runtime}
  UDP_ECHO=${UDP_ECHO:-$REPO/bazel-out/k8-opt/bin/tests/tunnel/udp_echo}
  if [ -z "$PHANTUN_BIN_DIR" ] && [ -f "$REPO/.bazelrc.local" ]; then
    PHANTUN_BIN_DIR=$(sed -n 's/.*--test_env=PHANTUN_BIN_DIR=\([^ ]*\).*/\1/p' "$REPO/.bazelrc.local" | tail -n 1)
  fi
fi
while [ $# -gt 0 ]; do
  case $1 in
    --runtime) RUNTIME_BIN=${2:?}; shift 2 ;;
    --udp-echo) UDP_ECHO=${2:?}; shift 2 ;;
    --only) ONLY=${2:?}; shift 2 ;;
    *) echo "setup_proof.sh: unknown argument '$1'" >&2; exit 64 ;;
  esac
done
[ -n "$RUNTIME_BIN" ] && [ -n "$UDP_ECHO" ] && [ -n "$PHANTUN_BIN_DIR" ] ||
  { echo "setup proof: FAIL: needs --runtime, --udp-echo and PHANTUN_BIN_DIR"; exit 1; }
lab_run_folders setup "$RUNTIME_BIN" "$PHANTUN_BIN_DIR" "$UDP_ECHO"
trap 'rm -rf -- "$BIN"' EXIT

echo "setup proof: recipes, listings and logs in $RUN_DIR"
failed=() idx=0
for name in "${SCENARIOS[@]}"; do
  if [ -n "$ONLY" ] && ! [[ $name =~ $ONLY ]]; then continue; fi
  idx=$((idx + 1))
  (scenario_main "$name" "$idx") || failed+=("$name")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "setup proof: FAIL: ${failed[*]}"
  exit 1
fi
echo "setup proof: PASS"
