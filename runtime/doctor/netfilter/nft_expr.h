#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_EXPR_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_EXPR_H_

#include <string>
#include <utility>
#include <vector>

#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netlink/bytes.h"

namespace phantun_runtime::netfilter {

// Decodes a rule's NFTA_RULE_EXPRESSIONS (a list of NFTA_LIST_ELEM, each an NFTA_EXPR_NAME and its
// NFTA_EXPR_DATA) into `rule`'s conditions and action, by following what each expression loads
// into which register and what is then compared with it:
//   meta iifname/oifname/l4proto/nfproto + cmp     -> interface / protocol conditions
//   payload (+ bitwise mask) + cmp                   -> ip/ip6 saddr/daddr prefixes, th sport/dport
//   cmp gte + cmp lte, or range                      -> port ranges
//   ct state + bitwise + cmp                         -> conntrack state
//   immediate (verdict register)                     -> accept/drop/jump/goto/return
//   immediate (data) + nat/masq/redir                -> NAT with its address and port
//   reject                                           -> reject
//   match/target                                     -> iptables-nft's compat x_tables structs
// Counters and logging are ignored; conditions we cannot evaluate (sets, limits, other meta keys)
// become opaque text; an expression we do not know marks the rule uncertain.
//
// A lookup in a set that `sets` knows becomes a set condition (Op::kInSet); without `sets`, or for
// a set it does not know, a map's lookup or a concatenated key, the lookup stays opaque.
using SetRanges = std::vector<std::pair<std::string, std::string>>;  // inclusive, raw key bytes
class SetResolver {
 public:
  virtual ~SetResolver() = default;
  // The elements of the rule's table's set `name`; nullptr when they cannot be had.
  virtual const SetRanges* Find(const std::string& name) const = 0;
};
void DecodeNftExpressions(netlink::Bytes expressions, Family table_family, Rule* rule,
                          const SetResolver* sets = nullptr);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_EXPR_H_
