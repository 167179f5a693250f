#!/usr/bin/env bash
# phantun-doctor describes the network namespace it runs in, whatever mount namespace it runs in.
# `ip netns exec` also mounts a fresh /sys for the namespace; `nsenter --net` does not, so there
# /sys/class/net still lists the host's interfaces. The doctor's interface facts (which TUN, which
# WAN, their flags, MTUs and addresses) must be this namespace's either way: they come from netlink.
# A namespace this test creates (198.18.0.0/15 addresses only, removed on exit) holds a veth "wan0"
# with MTU 1400 and the default route, and a TUN "ptun7" with MTU 1300 and 198.18.7.1 peer
# 198.18.7.2; the doctor, told nothing but the TUN's addresses, must find and judge exactly those.
# Usage: netns_test.sh PHANTUN_RUNTIME
set -Eeuo pipefail
export PATH="/usr/sbin:/sbin:$PATH"

runtime=$(readlink -f "$1")
[ "$(id -u)" = 0 ] || { echo "netns test: needs root" >&2; exit 1; }

work=$(mktemp -d)
ns="ptrd-netns-$$"
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "$ns-up" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cp "$runtime" "$work/phantun-runtime"
"$work/phantun-runtime" --install "$work" >/dev/null
doctor="$work/phantun-doctor"

ip netns add "$ns"
ip netns add "$ns-up"
ip -n "$ns" link set lo up
ip -n "$ns" link add wan0 mtu 1400 type veth peer name up0 netns "$ns-up"
ip -n "$ns" addr add 198.18.6.1/30 dev wan0
ip -n "$ns" link set wan0 up
ip -n "$ns-up" link set up0 up
ip -n "$ns" route add default via 198.18.6.2 dev wan0
ip -n "$ns" tuntap add dev ptun7 mode tun
ip -n "$ns" link set ptun7 mtu 1300 up
ip -n "$ns" addr add 198.18.7.1 peer 198.18.7.2 dev ptun7

passed=0
failed=0
check() { # description, then a command that must succeed
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   - $what"
  else
    failed=$((failed + 1))
    echo "FAIL - $what"
  fi
}

field() { # report.json, python expression over the report `r` -> prints it
  /usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

finding() { # report.json, check id -> "status: finding"
  field "$1" "next((c['status'] + ': ' + c['finding'] for c in r['checks'] if c['id'] == '$2'), 'absent')"
}

for how in "ip netns exec" "nsenter --net"; do
  report="$work/report.json"
  if [ "$how" = "ip netns exec" ]; then
    ip netns exec "$ns" "$doctor" --json --tun-local 198.18.7.1 --tun-peer 198.18.7.2 >"$report" || true
  else
    # The root's mount namespace, this test's /sys: only the network namespace changes.
    nsenter --net="/run/netns/$ns" "$doctor" --json --tun-local 198.18.7.1 --tun-peer 198.18.7.2 >"$report" || true
  fi
  check "$how: the TUN found is ptun7" test "$(field "$report" "r['target']['tun']")" = ptun7
  check "$how: the WAN is wan0" test "$(field "$report" "r['target']['wan']")" = wan0
  check "$how: tun.iface ($(finding "$report" tun.iface))" \
    test "$(finding "$report" tun.iface)" = "pass: ptun7 is up and point-to-point (the only TUN interface here)"
  check "$how: tun.mtu compares this namespace's MTUs ($(finding "$report" tun.mtu))" \
    grep -q "^pass: ptun7 MTU 1300 <= wan0 MTU 1400; " <<<"$(finding "$report" tun.mtu)"
  check "$how: tun.addr ($(finding "$report" tun.addr))" grep -q "^pass: ptun7 has 198.18.7.1 peer 198.18.7.2" \
    <<<"$(finding "$report" tun.addr)"
  check "$how: netns.host judges wan0, a veth ($(finding "$report" netns.host))" \
    grep -q "^warn: the default route goes through wan0, a veth-like link" <<<"$(finding "$report" netns.host)"
done

echo
echo "doctor netns: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
