#!/usr/bin/env bash
# Regenerates tests/doctor/testdata/: for each scenario below, a fresh network namespace gets the rules (written
# the way an administrator would, with nft, iptables-legacy and iptables-nft), then the capture
# tool saves what the kernel answers to the doctor's own read-only requests. The unit tests parse
# those bytes and check the model and the answers. Run as root; the namespaces are removed on exit,
# also on failure. Addresses: phantun's defaults (192.168.200.2, 192.168.201.2, fcc8::2, fcc9::2)
# and 198.18.0.0/15 only; no packet is ever sent.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
testdata="$repo/tests/doctor/testdata"

[ "$(id -u)" = 0 ] || { echo "capture.sh: run as root (network namespaces)" >&2; exit 1; }
for tool in nft iptables-legacy ip6tables-legacy iptables-nft ip6tables-nft capsh ip; do
  command -v "$tool" >/dev/null || { echo "capture.sh: $tool is missing" >&2; exit 1; }
done

(cd "$repo" && bazel build //tests/doctor/netfilter:capture)
capture=$(readlink -f "$repo/bazel-bin/tests/doctor/netfilter/capture")

namespaces=()
cleanup() {
  local ns
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

# --- the scenarios: `ns CMD...` runs CMD inside the scenario's namespace --------------------------
namespace=""
ns() { ip netns exec "$namespace" "$@"; }

# The rules upstream phantun documents, with nftables.
rules_nft_phantun() {
  ns nft add table inet nat
  ns nft 'add chain inet nat postrouting { type nat hook postrouting priority srcnat; policy accept; }'
  ns nft add rule inet nat postrouting iifname tun0 oifname eth0 masquerade
  ns nft 'add chain inet nat prerouting { type nat hook prerouting priority dstnat; policy accept; }'
  ns nft add rule inet nat prerouting iifname eth0 tcp dport 4567 dnat ip to 192.168.201.2
  ns nft add table inet filter
  ns nft 'add chain inet filter forward { type filter hook forward priority filter; policy drop; }'
  ns nft add rule inet filter forward iifname tun0 accept
}

# The same with legacy iptables, and the IPv6 variant with ip6tables.
rules_legacy_phantun() {
  ns iptables-legacy -t nat -A POSTROUTING -o eth0 -j MASQUERADE
  ns iptables-legacy -t nat -A PREROUTING -p tcp -i eth0 --dport 4567 -j DNAT --to-destination 192.168.201.2
  ns iptables-legacy -P FORWARD DROP
  ns iptables-legacy -A FORWARD -i tun0 -j ACCEPT
  ns ip6tables-legacy -t nat -A POSTROUTING -o eth0 -j MASQUERADE
  ns ip6tables-legacy -t nat -A PREROUTING -p tcp -i eth0 --dport 4567 -j DNAT --to-destination '[fcc9::2]:4567'
}

rules_iptables_nft_phantun() {
  ns iptables-nft -t nat -A POSTROUTING -o eth0 -j MASQUERADE
  ns iptables-nft -t nat -A PREROUTING -p tcp -i eth0 --dport 4567 -j DNAT --to-destination 192.168.201.2
  ns iptables-nft -P FORWARD DROP
  ns iptables-nft -A FORWARD -i tun0 -j ACCEPT
  ns ip6tables-nft -t nat -A POSTROUTING -o eth0 -j MASQUERADE
  ns ip6tables-nft -t nat -A PREROUTING -p tcp -i eth0 --dport 4567 -j DNAT --to-destination '[fcc9::2]:4567'
}

# More of what the decoder must read: prefixes on and off byte boundaries, wildcard names, port
# ranges and negations, sets, NAT with ports, conntrack state, user chains, IPv6, a bridge table.
rules_nft_variety() {
  ns nft add table ip extra
  ns nft 'add chain ip extra post { type nat hook postrouting priority srcnat + 10; policy accept; }'
  ns nft add chain ip extra helper
  ns nft add rule ip extra post ip saddr 192.168.200.0/24 oifname '"eth*"' tcp dport 1000-2000 snat to 198.18.0.1:5000
  ns nft add rule ip extra post ip saddr != 192.168.200.2 tcp dport != 22 masquerade to :6000-7000
  ns nft add rule ip extra post tcp dport '{ 22, 80 }' masquerade
  ns nft add rule ip extra post jump helper
  ns nft add rule ip extra helper ip daddr 198.18.0.0/15 return
  ns nft add rule ip extra helper oifname wan0 counter masquerade
  ns nft 'add chain ip extra pre { type nat hook prerouting priority dstnat; policy accept; }'
  ns nft add rule ip extra pre iifname wan0 tcp dport 4567 dnat to 192.168.201.2:4567
  ns nft add rule ip extra pre iifname wan0 tcp dport 5000-5010 dnat to 192.168.201.2
  ns nft 'add chain ip extra forward { type filter hook forward priority 0; policy drop; }'
  ns nft add chain ip extra out
  ns nft add rule ip extra forward ct state established,related accept
  ns nft add rule ip extra forward iifname tun0 oifname wan0 jump out
  ns nft add rule ip extra forward ip daddr 192.168.201.2 tcp dport 4567 accept
  ns nft add rule ip extra out tcp dport 22 drop
  ns nft add rule ip extra out log prefix '"out "' accept
  ns nft add table ip6 extra6
  ns nft 'add chain ip6 extra6 forward { type filter hook forward priority 0; policy accept; }'
  ns nft add rule ip6 extra6 forward ip6 saddr fc00::/7 oifname wan0 reject
  ns nft add table bridge br
  ns nft 'add chain bridge br forward { type filter hook forward priority 0; policy drop; }'
}

rules_legacy_variety() { variety_xtables iptables-legacy; }
rules_iptables_nft_variety() { variety_xtables iptables-nft; }

variety_xtables() {
  local ipt=$1
  ns "$ipt" -N out2
  ns "$ipt" -A out2 -s 198.18.0.0/15 -j DROP
  ns "$ipt" -N out
  ns "$ipt" -A out -p tcp --dport 22 -j REJECT
  ns "$ipt" -A out -p tcp --dport 1000:2000 -g out2
  ns "$ipt" -A out -j ACCEPT
  ns "$ipt" -P FORWARD DROP
  ns "$ipt" -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  ns "$ipt" -A FORWARD -i tun0 -o wan+ -j out
  ns "$ipt" -A FORWARD -d 192.168.201.2/32 -p tcp --dport 4567 -j ACCEPT
  ns "$ipt" -A FORWARD -m comment --comment hello -j LOG
  ns "$ipt" -t nat -A POSTROUTING -s 192.168.200.0/24 -o wan0 -p tcp -j SNAT --to-source 198.18.0.1:5000-5100
  ns "$ipt" -t nat -A PREROUTING -i wan0 -p tcp --dport 4567 -j DNAT --to-destination 192.168.201.2:4567
  ns "$ipt" -t nat -A PREROUTING -i wan0 -p tcp -m multiport --dports 5000,5001 -j DNAT --to-destination 192.168.201.2
  ns "$ipt" -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
}

# A fresh namespace: nothing configured.
rules_empty() { :; }

# --- running them ---------------------------------------------------------------------------------
capture_scenario() { # name [--nft-only, run without CAP_NET_ADMIN]
  local name=$1 mode=${2:-}
  namespace="phdoc-capture-$$-${name//_/-}"
  ip netns add "$namespace"
  namespaces+=("$namespace")
  "rules_${name%_no_cap_net_admin}"
  rm -rf "${testdata:?}/$name"
  mkdir -p "$testdata/$name"
  if [ "$mode" = --nft-only ]; then
    ns capsh --drop=cap_net_admin -- -c "'$capture' --nft-only '$testdata/$name'" 2>/dev/null
  else
    ns "$capture" "$testdata/$name"
  fi
  ip netns del "$namespace"
}

for scenario in nft_phantun legacy_phantun iptables_nft_phantun nft_variety legacy_variety \
  iptables_nft_variety empty; do
  capture_scenario "$scenario"
done
# The kernel's answer to a dump without CAP_NET_ADMIN (an NLMSG_ERROR carrying -EPERM).
capture_scenario nft_phantun_no_cap_net_admin --nft-only

{
  echo "Captured by tests/doctor/netfilter/capture.sh on:"
  echo "  kernel:   $(uname -r)"
  echo "  nft:      $(nft --version)"
  echo "  iptables: $(iptables-legacy --version | head -1) / $(iptables-nft --version | head -1)"
} >"$testdata/VERSIONS"
echo "capture.sh: wrote $testdata"
