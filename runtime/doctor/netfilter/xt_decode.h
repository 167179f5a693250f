#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_DECODE_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_DECODE_H_

#include <stdint.h>

#include <string_view>

#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netlink/bytes.h"

namespace phantun_runtime::netfilter {

using netlink::Bytes;

// x_tables matches and targets, as legacy iptables stores them after each ipt_entry and as
// iptables-nft wraps them in "match"/"target" expressions: the same structs in the kernel's native
// layout (host byte order for the tcp match's ports, network order for addresses). `family` is
// kIpv4 or kIpv6 and picks the layout of the NAT targets. Info shorter than its struct is treated
// as not understood; nothing outside `info` is read.

// Adds the match's conditions to `rule` (tcp/udp ports, conntrack/state), ignores a comment, and
// adds any other match, or a part we do not evaluate, as opaque text ("-m multiport").
void AddXtMatch(std::string_view name, uint8_t revision, Bytes info, Family family, Rule* rule);

// Sets the rule's action from a target other than the standard target and ERROR: MASQUERADE,
// SNAT, DNAT (revisions 0-2), REDIRECT, REJECT; targets without a verdict (LOG, MARK, ...) are
// noted and leave kContinue; any other target is kUnknown.
void SetXtTarget(std::string_view name, uint8_t revision, Bytes info, Family family, Rule* rule);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_DECODE_H_
