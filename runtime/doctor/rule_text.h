#ifndef PHANTUN_RUNTIME_DOCTOR_RULE_TEXT_H_
#define PHANTUN_RUNTIME_DOCTOR_RULE_TEXT_H_

#include <cstdint>
#include <string>

#include "runtime/doctor/netfilter/model.h"

namespace phantun_runtime::doctor {

// One rule the doctor writes for the operator, a FAIL's fix or a line of a --print-setup recipe:
// what it matches and what it does, independent of the tool. The one place where such a rule
// becomes nft text, iptables arguments and the tracer's model rule, so that what is printed is
// exactly what was traced.
struct RuleSpec {
  netfilter::Action action = netfilter::Action::kAccept;  // kAccept, kDnat or kMasquerade
  // The family the rule's NAT target is for (kIpv4/kIpv6); it also names it in an inet table
  // ("dnat ip to ..."). kUnspec: an accept or masquerade for both families.
  netfilter::Family family = netfilter::Family::kUnspec;
  std::string iifname;  // "" matches any
  std::string oifname;
  std::string saddr;    // an address as text (IPv4 or IPv6); "" matches any
  bool tcp = false;     // match TCP (with sport/dport when set)
  uint16_t sport = 0;
  uint16_t dport = 0;
  std::string to;       // kDnat: the destination address as text
  std::string comment;  // names the rule's owner ("phantun tun0"); "" none
};

// The rule as nft writes it in a table of `table_family` ("iifname \"eth0\" tcp dport 4567 dnat
// ip to 192.168.201.2 comment \"phantun tun0\"").
std::string NftRuleText(const RuleSpec& spec, netfilter::Family table_family);

// The rule as iptables arguments after the chain ("-i eth0 -p tcp --dport 4567 -m comment
// --comment \"phantun tun0\" -j DNAT --to-destination 192.168.201.2").
std::string IptablesRuleText(const RuleSpec& spec);

// The rule in the tracer's model (a comment matches everything, so it is left out).
netfilter::Rule ModelRule(const RuleSpec& spec, netfilter::Family table_family);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_RULE_TEXT_H_
