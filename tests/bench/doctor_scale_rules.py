#!/usr/bin/env python3
"""Rulesets for tests/bench/doctor_scale.sh, shaped like kube-proxy's, printed to stdout.

  doctor_scale_rules.py nft RULES        an `nft -f` script with exactly RULES rules
  doctor_scale_rules.py iptables RULES   an `iptables-nft-restore` input with exactly RULES rules

Every address is in 198.18.0.0/15 (RFC 2544): service addresses in 198.18.0.0/16, endpoints in
198.19.0.0/16. The output depends only on RULES, so every run loads the same ruleset.
"""
import sys

SERVICE_NET = 198 << 24 | 18 << 16
ENDPOINT_NET = 198 << 24 | 19 << 16
PORTS = (80, 443, 8080, 53, 9090, 6443)


def ip(n):
    return "%d.%d.%d.%d" % (n >> 24 & 255, n >> 16 & 255, n >> 8 & 255, n & 255)


def service_ip(i):
    return ip(SERVICE_NET + 10 + i)


def endpoint_ip(i, e):
    return ip(ENDPOINT_NET + 10 + (i * 4 + e) % 65000)


def endpoints_of(i):
    return 1 + i % 3  # 1, 2 or 3 endpoints per service


# ------------------------------------------------------------------------------------------------
# nftables: a filter table (sets, ct state, jumps into per-zone chains) and a kube-proxy-like NAT
# table (services -> service-N -> endpoint-N-E with numgen load balancing and DNAT).
def nft(total):
    out = []
    fixed = []  # (table, chain, rule)
    filt = [
        ("input", "ct state established,related accept"),
        ("input", "ct state invalid drop"),
        ("input", "iifname \"lo\" accept"),
        ("input", "ip saddr @trusted tcp dport { 22, 6443, 10250 } accept"),
        ("input", "meta l4proto icmp accept"),
        ("input", "ip saddr 198.18.0.0/15 jump zone-lab"),
        ("forward", "ct state established,related accept"),
        ("forward", "ip daddr 198.19.0.0/16 jump zone-pods"),
        ("forward", "ip saddr 198.19.0.0/16 jump zone-pods"),
        ("zone-lab", "tcp dport 4567 counter accept"),
        ("zone-lab", "udp dport 51820 accept"),
        ("zone-pods", "ct mark 0x4000 accept"),
        ("output", "oifname \"lo\" accept"),
    ]
    nat_fixed = [
        ("prerouting", "jump services"),
        ("output", "jump services"),
        ("postrouting", "jump masquerading"),
        ("masquerading", "meta mark & 0x00004000 == 0x00000000 return"),
        ("masquerading", "meta mark set meta mark ^ 0x00004000"),
        ("masquerading", "masquerade fully-random"),
        ("mark-for-masquerade", "meta mark set meta mark | 0x00004000"),
    ]
    budget = total - len(filt) - len(nat_fixed)
    # Per service: 1 rule in `services`, 2 in service-N, 2 per endpoint chain. The rules left over
    # go to the filter table's zone-pods chain, one per pod address.
    services = []
    used = 0
    i = 0
    while True:
        cost = 1 + 2 + 2 * endpoints_of(i)
        if used + cost > budget:
            break
        services.append(i)
        used += cost
        i += 1
    filler = budget - used
    out.append("table inet bench_filter {")
    out.append("  set trusted { type ipv4_addr; flags interval; elements = { 198.18.0.0/24, 198.19.255.0/24 } }")
    for chain, hook in (("input", "input"), ("forward", "forward"), ("output", "output")):
        out.append("  chain %s { type filter hook %s priority filter; policy accept; }" % (chain, hook))
    out.append("  chain zone-lab { }")
    out.append("  chain zone-pods { }")
    out.append("}")
    for chain, rule in filt:
        out.append("add rule inet bench_filter %s %s" % (chain, rule))
    for k in range(filler):
        out.append("add rule inet bench_filter zone-pods ip saddr %s tcp dport %d counter accept"
                   % (endpoint_ip(k, 0), PORTS[k % len(PORTS)]))
    out.append("table ip bench_kube {")
    out.append("  chain prerouting { type nat hook prerouting priority dstnat; policy accept; }")
    out.append("  chain output { type nat hook output priority -100; policy accept; }")
    out.append("  chain postrouting { type nat hook postrouting priority srcnat; policy accept; }")
    for chain in ("services", "masquerading", "mark-for-masquerade"):
        out.append("  chain %s { }" % chain)
    for s in services:
        out.append("  chain service-%d { }" % s)
        for e in range(endpoints_of(s)):
            out.append("  chain endpoint-%d-%d { }" % (s, e))
    out.append("}")
    for chain, rule in nat_fixed:
        out.append("add rule ip bench_kube %s %s" % (chain, rule))
    for s in services:
        port = PORTS[s % len(PORTS)]
        proto = "udp" if port == 53 else "tcp"
        out.append("add rule ip bench_kube services ip daddr %s %s dport %d goto service-%d"
                   % (service_ip(s), proto, port, s))
        out.append("add rule ip bench_kube service-%d ip daddr %s %s dport %d ip saddr != 198.19.0.0/16 "
                   "jump mark-for-masquerade" % (s, service_ip(s), proto, port))
        n = endpoints_of(s)
        if n == 1:
            out.append("add rule ip bench_kube service-%d goto endpoint-%d-0" % (s, s))
        else:
            vmap = ", ".join("%d : goto endpoint-%d-%d" % (e, s, e) for e in range(n))
            out.append("add rule ip bench_kube service-%d numgen random mod %d vmap { %s }" % (s, n, vmap))
        for e in range(n):
            ep = endpoint_ip(s, e)
            out.append("add rule ip bench_kube endpoint-%d-%d ip saddr %s jump mark-for-masquerade" % (s, e, ep))
            out.append("add rule ip bench_kube endpoint-%d-%d meta l4proto %s dnat to %s:%d"
                       % (s, e, proto, ep, port + 8000))
    return out


# ------------------------------------------------------------------------------------------------
# iptables: kube-proxy's iptables mode (KUBE-SERVICES -> KUBE-SVC-* -> KUBE-SEP-*, with comments,
# statistic load balancing, DNAT and the masquerade marks) and its filter chains.
def svc_hash(i):
    return "%016X" % ((i * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)


def iptables(total):
    nat_head = [
        "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
        "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
        "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING",
        "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
        "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
        "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
        "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully",
    ]
    nat_tail = [
        "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" "
        "-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS",
    ]
    filt = [
        "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL",
        "-A INPUT -m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS",
        "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES",
        "-A INPUT -j KUBE-FIREWALL",
        "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD",
        "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
        "-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
        "-A OUTPUT -j KUBE-FIREWALL",
        "-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment \"block incoming localnet connections\" "
        "-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP",
        "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
        "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT",
        "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    ]
    budget = total - len(nat_head) - len(nat_tail) - len(filt)
    # Per service with E endpoints: 1 in KUBE-SERVICES, 1 + E in KUBE-SVC-*, 2 per KUBE-SEP-*.
    services = []
    used = 0
    i = 0
    while True:
        cost = 2 + 3 * endpoints_of(i)
        if used + cost > budget:
            break
        services.append(i)
        used += cost
        i += 1
    filler = budget - used
    out = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
    for chain in ("KUBE-EXTERNAL-SERVICES", "KUBE-FIREWALL", "KUBE-FORWARD", "KUBE-NODEPORTS",
                  "KUBE-PROXY-FIREWALL", "KUBE-SERVICES"):
        out.append(":%s - [0:0]" % chain)
    out += filt
    for k in range(filler):  # services without endpoints, rejected in the filter table
        out.append("-A KUBE-SERVICES -d %s/32 -p tcp -m comment --comment \"bench/empty-%d:http has no endpoints\" "
                   "-m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable" % (ip(SERVICE_NET + 60000 + k % 5000), k))
    out.append("COMMIT")
    out += ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
            ":POSTROUTING ACCEPT [0:0]"]
    for chain in ("KUBE-MARK-MASQ", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-SERVICES"):
        out.append(":%s - [0:0]" % chain)
    for s in services:
        out.append(":KUBE-SVC-%s - [0:0]" % svc_hash(s))
        for e in range(endpoints_of(s)):
            out.append(":KUBE-SEP-%s - [0:0]" % svc_hash(s * 4 + e + 1 << 20))
    out += nat_head
    rules = []
    for s in services:
        svc = "KUBE-SVC-%s" % svc_hash(s)
        port = PORTS[s % len(PORTS)]
        proto = "udp" if port == 53 else "tcp"
        name = "bench/svc-%d:%s" % (s, "dns" if port == 53 else "http")
        dst = service_ip(s)
        out.append("-A KUBE-SERVICES -d %s/32 -p %s -m comment --comment \"%s cluster IP\" -m %s --dport %d -j %s"
                   % (dst, proto, name, proto, port, svc))
        out.append("-A %s ! -s 198.19.0.0/16 -d %s/32 -p %s -m comment --comment \"%s cluster IP\" -m %s --dport %d "
                   "-j KUBE-MARK-MASQ" % (svc, dst, proto, name, proto, port))
        n = endpoints_of(s)
        for e in range(n):
            sep = "KUBE-SEP-%s" % svc_hash(s * 4 + e + 1 << 20)
            ep = endpoint_ip(s, e)
            stat = ""
            if e < n - 1:
                stat = " -m statistic --mode random --probability %.11f" % (1.0 / (n - e))
            out.append("-A %s -m comment --comment \"%s -> %s:%d\"%s -j %s" % (svc, name, ep, port + 8000, stat, sep))
            rules.append("-A %s -s %s/32 -m comment --comment \"%s\" -j KUBE-MARK-MASQ" % (sep, ep, name))
            rules.append("-A %s -p %s -m comment --comment \"%s\" -m %s -j DNAT --to-destination %s:%d"
                         % (sep, proto, name, proto, ep, port + 8000))
    out += rules
    out += nat_tail
    out.append("COMMIT")
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("nft", "iptables") or not sys.argv[2].isdigit():
        sys.stderr.write("usage: doctor_scale_rules.py nft|iptables RULES\n")
        return 64
    total = int(sys.argv[2])
    if total < 40:
        sys.stderr.write("doctor_scale_rules.py: RULES must be at least 40\n")
        return 64
    lines = nft(total) if sys.argv[1] == "nft" else iptables(total)
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
