#!/usr/bin/env bash
# phantun-doctor against real hosts: network namespaces this test creates (198.18.0.0/15 only),
# set up the way a host admin would (or would forget to), checked with the real static binary.
#   - a fresh namespace (forwarding off, no rules) fails fwd.ipv4 and the NAT check;
#   - forwarding on + the upstream-documented nftables rules pass, then separately the same rules
#     with iptables-legacy and with iptables-nft;
#   - a FORWARD policy of DROP fails fwd.chains;
#   - no /dev/net/tun (hidden in a private mount namespace) fails tun.device;
#   - no CAP_NET_ADMIN fails priv.net_admin and turns the netfilter checks into skip, never pass;
#   - every --json report validates against docs/doctor-report.schema.json;
#   - every report shows the read-only guard in force (doctor.guard pass);
#   - under strace, the doctor makes no modifying call: no open for writing but /dev/net/tun's
#     read-write probe, writes only to stdout/stderr, netlink requests only of GET types; and the
#     guard, which allows only the calls the doctor needs, refused none of the calls it made.
# Usage: doctor_live_test.sh PHANTUN_RUNTIME SCHEMA
set -Eeuo pipefail
export PATH="/usr/sbin:/sbin:$PATH"

runtime=$(readlink -f "$1")
schema=$(readlink -f "$2")
[ "$(id -u)" = 0 ] || { echo "doctor live test: needs root" >&2; exit 1; }

work=$(mktemp -d)
namespaces=()
cleanup() {
  local ns
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cp "$runtime" "$work/phantun-runtime"
"$work/phantun-runtime" --install "$work" >/dev/null
doctor="$work/phantun-doctor"

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

# A host-like namespace: "wan0" with a default route to a peer namespace, as a host's uplink.
new_host() { # name -> creates NAME and NAME-up
  local ns=$1
  ip netns add "$ns"
  namespaces+=("$ns")
  ip netns add "$ns-up"
  namespaces+=("$ns-up")
  ip -n "$ns" link set lo up
  ip -n "$ns" link add wan0 type veth peer name up0 netns "$ns-up"
  ip -n "$ns" addr add 198.18.1.1/30 dev wan0
  ip -n "$ns" link set wan0 up
  ip -n "$ns-up" addr add 198.18.1.2/30 dev up0
  ip -n "$ns-up" link set up0 up
  ip -n "$ns" route add default via 198.18.1.2 dev wan0
}

# Runs the doctor in a namespace and stores the JSON report and the exit status.
report() { # ns, doctor args...
  local ns=$1
  shift
  status=0
  ip netns exec "$ns" "$doctor" --json --wan wan0 "$@" >"$work/report.json" || status=$?
  /usr/bin/python3 - "$schema" "$work/report.json" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))
jsonschema.validate(report, schema)
PY
}

status_of() { # check id -> prints its status in the last report
  /usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(next((c["status"] for c in r["checks"] if c["id"]==sys.argv[2]), "absent"))' \
    "$work/report.json" "$1"
}

expect() { # description id status
  local got
  got=$(status_of "$2")
  check "$1: $2 is $3 (got $got)" test "$got" = "$3"
}

has_check() { "$doctor" --list-checks | grep -qx "$1"; }

# ---------------------------------------------------------------------------------------------
ns="ptrd-fresh-$$"
new_host "$ns"
# A new namespace copies the host's IPv4 settings, so switch forwarding off as a forgetful admin's
# host would have it.
ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0
report "$ns" --mode client --tun tun0
check "fresh namespace: exit status 1" test "$status" = 1
expect "fresh namespace" doctor.guard pass
expect "fresh namespace" fwd.ipv4 fail
expect "fresh namespace" netns.host warn   # a veth uplink: what a container's namespace looks like
if has_check nat.masquerade; then expect "fresh namespace" nat.masquerade fail; fi

ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
report "$ns" --mode client
expect "forwarding on" fwd.ipv4 pass
expect "forwarding on" fwd.iface pass

# ---------------------------------------------------------------------------------------------
if has_check nat.masquerade; then
  ip netns exec "$ns" nft add table inet nat
  ip netns exec "$ns" nft 'add chain inet nat postrouting { type nat hook postrouting priority srcnat; policy accept; }'
  ip netns exec "$ns" nft add rule inet nat postrouting iifname tun0 oifname wan0 masquerade
  ip netns exec "$ns" nft 'add chain inet nat prerouting { type nat hook prerouting priority dstnat; policy accept; }'
  ip netns exec "$ns" nft add rule inet nat prerouting iifname wan0 tcp dport 4567 dnat ip to 192.168.201.2
  report "$ns" --mode client --tun tun0
  expect "nftables rules" nat.masquerade pass
  expect "nftables rules" doctor.guard pass
  report "$ns" --mode server --tun tun0 --port 4567
  expect "nftables rules" nat.dnat pass
  report "$ns" --mode server --tun tun0 --port 4568
  expect "nftables rules, other port" nat.dnat fail

  for flavour in legacy nft; do
    ns="ptrd-ipt$flavour-$$"
    new_host "$ns"
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$ns" "iptables-$flavour" -t nat -A POSTROUTING -o wan0 -j MASQUERADE
    ip netns exec "$ns" "iptables-$flavour" -t nat -A PREROUTING -p tcp -i wan0 --dport 4567 -j DNAT --to-destination 192.168.201.2
    report "$ns" --mode client --tun tun0
    expect "iptables-$flavour rules" nat.masquerade pass
    expect "iptables-$flavour rules" doctor.guard pass
    report "$ns" --mode server --tun tun0 --port 4567
    expect "iptables-$flavour rules" nat.dnat pass
    # Without a TUN name the packets cannot be traced: a skip that says so, never a pass.
    report "$ns" --mode server --port 4567
    expect "iptables-$flavour rules, no --tun and no TUN" nat.dnat skip
    ip netns exec "$ns" "iptables-$flavour" -P FORWARD DROP
    report "$ns" --mode client --tun tun0
    expect "iptables-$flavour FORWARD policy DROP" fwd.chains fail
  done
fi

# ---------------------------------------------------------------------------------------------
# No /dev/net/tun: hidden under an empty tmpfs in a private mount namespace.
ns="ptrd-fresh-$$"
status=0
ip netns exec "$ns" unshare --mount sh -c 'mount -t tmpfs none /dev/net && exec "$0" --json --wan wan0' "$doctor" \
  >"$work/report.json" || status=$?
expect "no /dev/net/tun" tun.device fail
expect "no /dev/net/tun" doctor.guard pass
expect "no /dev/net/tun" tun.multiqueue skip

# No CAP_NET_ADMIN: dropped from every set before the doctor starts.
status=0
ip netns exec "$ns" setpriv --inh-caps=-net_admin --bounding-set=-net_admin -- "$doctor" --json --wan wan0 --mode client \
  >"$work/report.json" || status=$?
expect "no CAP_NET_ADMIN" priv.net_admin fail
expect "no CAP_NET_ADMIN" doctor.guard pass
if has_check nat.masquerade; then
  expect "no CAP_NET_ADMIN" nat.masquerade skip
  expect "no CAP_NET_ADMIN" fwd.chains skip
fi

# ---------------------------------------------------------------------------------------------
# Read-only, proven by the system calls themselves (all of them: the guard must have refused none).
ip netns exec "$ns" strace -f -qq -o "$work/strace.log" -e signal=none "$doctor" --wan wan0 --mode server --port 4567 \
  >/dev/null || true
/usr/bin/python3 - "$work/strace.log" >"$work/strace.verdict" <<'PY'
import re, sys
bad = []
guarded = False
for line in open(sys.argv[1]):
    call = re.sub(r"^\d+\s+", "", line.strip())
    name = call.split("(", 1)[0]
    if name == "prctl" and "PR_SET_SECCOMP" in call:
        guarded = call.rstrip().endswith("= 0")
        if not guarded:
            bad.append("the guard was not installed: " + call)
    elif guarded and "= -1 EPERM" in call:
        # Nothing the doctor does runs without CAP_NET_ADMIN here, so an EPERM is the guard's: the
        # allowlist lacks a call (or an argument) the doctor needs.
        bad.append("refused by the guard: " + call)
    if name in ("open", "openat", "openat2", "creat"):
        flags = re.search(r"O_[A-Z_|]+", call)
        flags = flags.group(0) if flags else ""
        writes = any(f in flags for f in ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"))
        if writes and not call.startswith(name + '("/dev/net/tun", O_RDWR') and '"/dev/net/tun", O_RDWR' not in call:
            bad.append(call)
    elif name in ("truncate", "ftruncate", "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir",
                  "mkdirat", "rmdir", "chmod", "fchmod", "fchmodat", "chown", "fchown", "fchownat", "mknod",
                  "mknodat", "symlink", "symlinkat", "link", "linkat", "setsockopt", "init_module",
                  "finit_module", "mount", "umount2", "pwrite64", "sendfile"):
        bad.append(call)
    elif name in ("write", "writev"):
        fd = int(re.match(r"\w+\((\d+)", call).group(1))
        if fd > 2:
            bad.append(call)
    elif name == "ioctl":
        # NS_GET_USERNS / NS_GET_PARENT: which user namespace owns the network namespace (they
        # return a descriptor to look at, and change nothing).
        if not re.search(r"TCGETS|TIOCGWINSZ|TUNGETFEATURES|NS_GET_USERNS|NS_GET_PARENT", call):
            bad.append(call)
    elif name in ("sendto", "sendmsg"):
        # strace names most types (RTM_GETLINK, NFNL_SUBSYS_NFTABLES<<8|NFT_MSG_GETCHAIN) and
        # shows some as numbers; every request must be a GET and a plain dump request.
        for t in re.findall(r"nlmsg_type=([^,]+)", call):
            t = re.sub(r"\s*/\*.*\*/", "", t).strip()
            if t.startswith("0x"):
                # Undecoded: RTM_GETLINK/GETADDR/GETROUTE (18, 22, 26) or nf_tables GETs.
                if int(t, 16) not in (18, 22, 26, 0xa01, 0xa04, 0xa07, 0xa0d):
                    bad.append(call)
            elif "GET" not in t:
                bad.append(call)
        for flags in re.findall(r"nlmsg_flags=([^,]+)", call):
            flags = flags.strip()
            # A route lookup (RTM_GETROUTE without NLM_F_DUMP) is the one request that is not a dump.
            lookup = flags == "NLM_F_REQUEST" and re.search(r"nlmsg_type=(RTM_GETROUTE|0x1a)\b", call)
            if flags not in ("NLM_F_REQUEST|NLM_F_DUMP", "NLM_F_REQUEST|0x300") and not lookup:
                bad.append(call)
print("\n".join(bad) if bad else "clean")
PY
check "strace: no modifying system call ($(head -c 300 "$work/strace.verdict"))" grep -qx clean "$work/strace.verdict"
check "strace: the doctor did send netlink requests or read sysctls" grep -q 'ip_forward' "$work/strace.log"

echo
echo "doctor live: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
