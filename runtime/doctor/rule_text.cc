#include "runtime/doctor/rule_text.h"

#include "absl/strings/str_cat.h"
#include "runtime/doctor/netfilter/address.h"

namespace phantun_runtime::doctor {
namespace {

using netfilter::Action;
using netfilter::Condition;
using netfilter::Family;
using netfilter::Field;

constexpr size_t kInterfaceNameSize = 16;  // IFNAMSIZ: the model compares names NUL-padded
constexpr char kTcp = 6;

bool IsV6Text(const std::string& address) { return address.find(':') != std::string::npos; }

Condition Exact(Field field, std::string value) {
  Condition condition;
  condition.field = field;
  condition.value = std::move(value);
  return condition;
}

std::string Port(uint16_t port) { return std::string{static_cast<char>(port >> 8), static_cast<char>(port & 0xff)}; }

}  // namespace

std::string NftRuleText(const RuleSpec& spec, Family table_family) {
  std::string text;
  if (!spec.iifname.empty()) absl::StrAppend(&text, "iifname \"", spec.iifname, "\" ");
  if (!spec.oifname.empty()) absl::StrAppend(&text, "oifname \"", spec.oifname, "\" ");
  if (!spec.saddr.empty()) absl::StrAppend(&text, IsV6Text(spec.saddr) ? "ip6" : "ip", " saddr ", spec.saddr, " ");
  if (spec.tcp) {
    if (spec.sport != 0) absl::StrAppend(&text, "tcp sport ", spec.sport, " ");
    if (spec.dport != 0) absl::StrAppend(&text, "tcp dport ", spec.dport, " ");
    if (spec.sport == 0 && spec.dport == 0) absl::StrAppend(&text, "meta l4proto tcp ");
  }
  switch (spec.action) {
    case Action::kDnat:
      // In an inet table the NAT statement names its family; an ip/ip6 table has only one.
      absl::StrAppend(&text, "dnat", table_family == Family::kInet ? (spec.family == Family::kIpv6 ? " ip6" : " ip") : "",
                      " to ", spec.to);
      break;
    case Action::kMasquerade:
      absl::StrAppend(&text, "masquerade");
      break;
    default:
      absl::StrAppend(&text, "accept");
      break;
  }
  if (!spec.comment.empty()) absl::StrAppend(&text, " comment \"", spec.comment, "\"");
  return text;
}

std::string IptablesRuleText(const RuleSpec& spec) {
  std::string text;
  // In the order iptables-save writes them.
  if (!spec.saddr.empty()) absl::StrAppend(&text, "-s ", spec.saddr, " ");
  if (!spec.iifname.empty()) absl::StrAppend(&text, "-i ", spec.iifname, " ");
  if (!spec.oifname.empty()) absl::StrAppend(&text, "-o ", spec.oifname, " ");
  if (spec.tcp) {
    absl::StrAppend(&text, "-p tcp ");
    if (spec.sport != 0) absl::StrAppend(&text, "--sport ", spec.sport, " ");
    if (spec.dport != 0) absl::StrAppend(&text, "--dport ", spec.dport, " ");
  }
  if (!spec.comment.empty()) absl::StrAppend(&text, "-m comment --comment \"", spec.comment, "\" ");
  switch (spec.action) {
    case Action::kDnat:
      absl::StrAppend(&text, "-j DNAT --to-destination ", spec.to);
      break;
    case Action::kMasquerade:
      absl::StrAppend(&text, "-j MASQUERADE");
      break;
    default:
      absl::StrAppend(&text, "-j ACCEPT");
      break;
  }
  return text;
}

netfilter::Rule ModelRule(const RuleSpec& spec, Family table_family) {
  netfilter::Rule rule;
  for (const auto& [field, name] : {std::pair{Field::kIifname, &spec.iifname}, std::pair{Field::kOifname, &spec.oifname}}) {
    if (name->empty()) continue;
    std::string padded = *name;
    padded.resize(kInterfaceNameSize, '\0');
    rule.conditions.push_back(Exact(field, padded));
  }
  if (!spec.saddr.empty()) {
    rule.conditions.push_back(Exact(Field::kNfproto, std::string(1, static_cast<char>(IsV6Text(spec.saddr) ? Family::kIpv6 : Family::kIpv4))));
    rule.conditions.push_back(Exact(Field::kSaddr, netfilter::ParseIpAddress(spec.saddr).value_or("")));
  }
  if (spec.tcp) {
    rule.conditions.push_back(Exact(Field::kL4proto, std::string(1, kTcp)));
    if (spec.sport != 0) rule.conditions.push_back(Exact(Field::kSport, Port(spec.sport)));
    if (spec.dport != 0) rule.conditions.push_back(Exact(Field::kDport, Port(spec.dport)));
  }
  switch (spec.action) {
    case Action::kDnat:
      rule.action = Action::kDnat;
      rule.nat.family = spec.family;
      rule.nat.address_min = rule.nat.address_max = netfilter::ParseIpAddress(spec.to).value_or("");
      break;
    case Action::kMasquerade:
      rule.action = Action::kMasquerade;
      break;
    default:
      rule.action = Action::kAccept;
      break;
  }
  rule.text = NftRuleText(spec, table_family);
  return rule;
}

}  // namespace phantun_runtime::doctor
