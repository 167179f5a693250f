#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_EVALUATE_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_EVALUATE_H_

#include <stdint.h>

#include <string>

#include "runtime/doctor/netfilter/model.h"

namespace phantun_runtime::netfilter {

// The packet a question is about, the one packet type of every question. Empty / zero fields are
// unknown, and make any condition on them kMaybe.
struct Packet {
  Family family = Family::kIpv4;  // kIpv4 or kIpv6
  std::string iifname;            // interface names, as given (at most 15 bytes)
  std::string oifname;
  uint32_t iifindex = 0;
  uint32_t oifindex = 0;
  std::string saddr;  // raw address bytes: 4 for IPv4, 16 for IPv6
  std::string daddr;
  uint8_t l4proto = 6;  // IPPROTO_TCP: phantun's fake TCP
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t ct_state = 0;  // one kCtState* bit
  uint32_t daddr_type = 0;  // kRouteTypeLocal or kRouteTypeUnicast; 0: unknown
};

Tristate Evaluate(const Condition& condition, const Packet& packet);

// All of the rule's conditions; opaque conditions and undecoded expressions count as kMaybe. A kNo
// anywhere wins over kMaybe: one condition that cannot hold is enough to skip the rule.
Tristate EvaluateRule(const Rule& rule, const Packet& packet);

// Whether a table of `table_family` sees packets of `packet_family` at all (ip: IPv4, ip6: IPv6,
// inet: both; bridge, netdev and arp tables are not on the routed path and never do here).
bool TableSees(Family table_family, Family packet_family);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_EVALUATE_H_
