#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_RENDER_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_RENDER_H_

#include <string>
#include <string_view>

#include "runtime/doctor/netfilter/model.h"

namespace phantun_runtime::netfilter {

// One line per rule, in the syntax the operator wrote it in, so the doctor can quote it:
//   nft:       iifname "tun0" oifname "eth0" masquerade
//   iptables:  -A POSTROUTING -o eth0 -j MASQUERADE
// Opaque conditions appear as the decoders described them. Counters are left out.
std::string RenderNftRule(const Rule& rule, Family table_family);
std::string RenderIptablesRule(const Rule& rule, std::string_view chain);

// How nft names a field in a rule ("iifname", "ip6 daddr", "th dport", "fib daddr type", ...).
std::string_view NftFieldName(Field field, bool ipv6);

// The protocol's name for common IPPROTO_* numbers ("tcp"), else the number.
std::string ProtocolName(uint8_t protocol);

// "established,related" for nftables's conntrack state bits.
std::string CtStateNames(uint32_t bits, bool upper_case);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_RENDER_H_
