#include "runtime/doctor/netfilter/nat_questions.h"

#include "runtime/doctor/netfilter/evaluate.h"

namespace phantun_runtime::netfilter {
namespace {

Family FamilyOf(const std::string& address) { return address.size() == 16 ? Family::kIpv6 : Family::kIpv4; }

Tristate Applies(const NatRule& rule, const Packet& packet) {
  if (!TableSees(rule.family, packet.family)) return Tristate::kNo;
  // nft's "dnat ip to" in an inet table leaves IPv6 packets alone.
  if (rule.to.family != Family::kUnspec && rule.to.family != packet.family) return Tristate::kNo;
  Tristate result = rule.uncertain || !rule.opaque.empty() ? Tristate::kMaybe : Tristate::kYes;
  for (const Condition& condition : rule.conditions) {
    const Tristate one = Evaluate(condition, packet);
    if (one == Tristate::kNo) return Tristate::kNo;
    if (one == Tristate::kMaybe) result = Tristate::kMaybe;
  }
  return result;
}

// Yes as soon as one wanted rule surely applies and sends the packet where it should go; else
// uncertain with every rule that might; else no.
template <typename Wanted, typename TargetFits>
NatAnswer Collect(const std::vector<NatRule>& rules, const Packet& packet, Wanted wanted, TargetFits target_fits) {
  NatAnswer answer;
  std::vector<NatRule> maybe;
  for (const NatRule& rule : rules) {
    if (!wanted(rule)) continue;
    const Tristate applies = Applies(rule, packet);
    const Tristate fits = applies == Tristate::kNo ? Tristate::kNo : target_fits(rule);
    if (fits == Tristate::kNo) continue;
    if (applies == Tristate::kYes && fits == Tristate::kYes) {
      answer.answer = Tristate::kYes;
      answer.rules = {rule};
      return answer;
    }
    maybe.push_back(rule);
  }
  if (!maybe.empty()) {
    answer.answer = Tristate::kMaybe;
    answer.rules = std::move(maybe);
  }
  return answer;
}

// Where a DNAT sends the server's port: the peer itself, keeping the port (or naming it), is yes.
Tristate DnatTargetFits(const NatTarget& to, const ServerNatQuestion& question) {
  if (to.unknown_address) return Tristate::kMaybe;
  if (to.address_min.empty()) return Tristate::kNo;  // a port-only DNAT keeps the address
  const bool single = to.address_max.empty() || to.address_max == to.address_min;
  if (!single) {
    // An address range: the peer may be in it, but not every connection goes there.
    const bool inside = to.address_min.size() == question.tun_peer.size() && to.address_min <= question.tun_peer &&
                        question.tun_peer <= to.address_max;
    return inside ? Tristate::kMaybe : Tristate::kNo;
  }
  if (to.address_min != question.tun_peer) return Tristate::kNo;
  if (to.port_min == 0) return Tristate::kYes;  // the port is kept
  const uint16_t high = to.port_max == 0 ? to.port_min : to.port_max;
  if (to.port_min == question.port && high == question.port) return Tristate::kYes;
  return to.port_min <= question.port && question.port <= high ? Tristate::kMaybe : Tristate::kNo;
}

}  // namespace

NatAnswer FindClientMasquerade(const std::vector<NatRule>& rules, const ClientNatQuestion& question) {
  Packet packet;
  packet.family = FamilyOf(question.tun_peer);
  packet.iifname = question.tun_name;
  packet.oifname = question.wan_name;
  packet.saddr = question.tun_peer;
  return Collect(
      rules, packet,
      [](const NatRule& rule) {
        return rule.hook == Hook::kPostrouting && (rule.kind == NatKind::kMasquerade || rule.kind == NatKind::kSnat);
      },
      // Any masquerade does; an SNAT whose address comes from a map might or might not.
      [](const NatRule& rule) { return rule.to.unknown_address ? Tristate::kMaybe : Tristate::kYes; });
}

NatAnswer FindServerDnat(const std::vector<NatRule>& rules, const ServerNatQuestion& question) {
  Packet packet;
  packet.family = FamilyOf(question.tun_peer);
  packet.iifname = question.wan_name;
  packet.dport = question.port;
  return Collect(
      rules, packet, [](const NatRule& rule) { return rule.hook == Hook::kPrerouting && rule.kind == NatKind::kDnat; },
      [&](const NatRule& rule) { return DnatTargetFits(rule.to, question); });
}

}  // namespace phantun_runtime::netfilter
