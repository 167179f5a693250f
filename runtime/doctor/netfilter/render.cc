#include "runtime/doctor/netfilter/render.h"

#include <stdint.h>

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "runtime/doctor/netfilter/address.h"

namespace phantun_runtime::netfilter {
namespace {

enum class Style { kNft, kIptables };

uint32_t BigEndianNumber(const std::string& bytes) {
  uint32_t value = 0;
  for (size_t i = 0; i < bytes.size() && i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

// An interface name condition's value: the exact name (NUL-terminated), or a prefix ("eth" -> eth*).
std::string InterfaceName(const std::string& value, Style style) {
  const size_t nul = value.find('\0');
  if (nul != std::string::npos) return value.substr(0, nul);
  return absl::StrCat(value, style == Style::kNft ? "*" : "+");
}

std::string_view NftOp(Op op) {
  switch (op) {
    case Op::kEq:
    case Op::kInRange: return "";
    case Op::kNeq:
    case Op::kNotInRange: return "!= ";
    case Op::kLt: return "< ";
    case Op::kLte: return "<= ";
    case Op::kGt: return "> ";
    case Op::kGte: return ">= ";
    case Op::kInSet: return "";
    case Op::kNotInSet: return "!= ";
  }
  return "";
}

bool Negated(Op op) { return op == Op::kNeq || op == Op::kNotInRange || op == Op::kNotInSet; }


// The transport protocol the rule is restricted to (for "tcp dport"), or 0.
uint8_t RuleProtocol(const Rule& rule) {
  for (const Condition& condition : rule.conditions) {
    if (condition.field == Field::kL4proto && condition.op == Op::kEq && condition.value.size() == 1) {
      return static_cast<uint8_t>(condition.value[0]);
    }
  }
  return 0;
}

bool HasField(const Rule& rule, Field a, Field b) {
  for (const Condition& condition : rule.conditions) {
    if (condition.field == a || condition.field == b) return true;
  }
  return false;
}

std::string PortText(const Condition& condition, Style style) {
  const char* range_mark = style == Style::kNft ? "-" : ":";
  if (condition.op == Op::kInRange || condition.op == Op::kNotInRange) {
    return absl::StrCat(BigEndianNumber(condition.value), range_mark, BigEndianNumber(condition.value_high));
  }
  return absl::StrCat(BigEndianNumber(condition.value));
}

class Renderer {
 public:
  Renderer(const Rule& rule, Style style) : rule_(rule), style_(style), protocol_(RuleProtocol(rule)) {}

  std::string Render(Family table_family, std::string_view chain) {
    text_.reserve(128);  // most rules fit: one allocation instead of a few
    if (style_ == Style::kIptables) Add(absl::StrCat("-A ", chain));
    for (size_t i = 0; i < rule_.conditions.size(); ++i) {
      const Condition& condition = rule_.conditions[i];
      const Condition* next = i + 1 < rule_.conditions.size() ? &rule_.conditions[i + 1] : nullptr;
      // nft writes a port range as ">= low" and "<= high": show it as one range again.
      if (next != nullptr && IsPort(condition) && next->field == condition.field && condition.op == Op::kGte &&
          next->op == Op::kLte) {
        Condition range = condition;
        range.op = Op::kInRange;
        range.value_high = next->value;
        AddCondition(range, table_family);
        ++i;
        continue;
      }
      AddCondition(condition, table_family);
    }
    for (const std::string& opaque : rule_.opaque) Add(opaque);
    for (const std::string& ignored : rule_.ignored) Add(ignored);
    AddAction(table_family);
    return text_;
  }

 private:
  static bool IsPort(const Condition& condition) {
    return condition.field == Field::kSport || condition.field == Field::kDport;
  }

  void Add(std::string_view part) {
    if (part.empty()) return;
    if (!text_.empty()) text_ += ' ';
    text_ += part;
  }

  void AddCondition(const Condition& condition, Family table_family) {
    const bool nft = style_ == Style::kNft;
    const bool negated = Negated(condition.op);
    const std::string bang = negated && !nft ? "! " : "";
    if (condition.op == Op::kInSet || condition.op == Op::kNotInSet) {
      const bool v6 = (condition.field == Field::kSaddr || condition.field == Field::kDaddr) &&
                      !condition.set.empty() && condition.set.front().low.size() == 16;
      Add(absl::StrCat(NftFieldName(condition.field, v6 || table_family == Family::kIpv6), " ", NftOp(condition.op),
                       condition.set_name));
      return;
    }
    switch (condition.field) {
      case Field::kIifname:
      case Field::kOifname: {
        const bool in = condition.field == Field::kIifname;
        const std::string name = InterfaceName(condition.value, style_);
        if (nft) Add(absl::StrCat(in ? "iifname " : "oifname ", NftOp(condition.op), "\"", name, "\""));
        else Add(absl::StrCat(bang, in ? "-i " : "-o ", name));
        return;
      }
      case Field::kIifindex:
      case Field::kOifindex:
        Add(absl::StrCat(condition.field == Field::kIifindex ? "iif " : "oif ", NftOp(condition.op),
                         BigEndianNumber(condition.value)));
        return;
      case Field::kNfproto: {
        // nft leaves out the family check that an address match implies; so do we.
        if (HasField(rule_, Field::kSaddr, Field::kDaddr) || !nft) return;
        const uint32_t family = BigEndianNumber(condition.value);
        Add(absl::StrCat("meta nfproto ", NftOp(condition.op),
                         family == 2 ? "ipv4" : family == 10 ? "ipv6" : absl::StrCat(family)));
        return;
      }
      case Field::kL4proto: {
        const std::string name = ProtocolName(static_cast<uint8_t>(BigEndianNumber(condition.value)));
        if (!nft) {
          Add(absl::StrCat(bang, "-p ", name));
          return;
        }
        // "tcp dport 22" implies "meta l4proto tcp".
        if (condition.op == Op::kEq && HasField(rule_, Field::kSport, Field::kDport)) return;
        Add(absl::StrCat("meta l4proto ", NftOp(condition.op), name));
        return;
      }
      case Field::kSaddr:
      case Field::kDaddr: {
        const bool source = condition.field == Field::kSaddr;
        const std::string prefix = FormatPrefix(condition.value, condition.mask);
        if (nft) {
          Add(absl::StrCat(condition.value.size() == 16 ? "ip6 " : "ip ", source ? "saddr " : "daddr ",
                           NftOp(condition.op), prefix));
        } else {
          Add(absl::StrCat(bang, source ? "-s " : "-d ", prefix));
        }
        return;
      }
      case Field::kSport:
      case Field::kDport: {
        const bool source = condition.field == Field::kSport;
        if (nft) {
          const std::string protocol = protocol_ == 6 || protocol_ == 17 ? ProtocolName(protocol_) : "th";
          Add(absl::StrCat(protocol, source ? " sport " : " dport ", NftOp(condition.op), PortText(condition, style_)));
        } else {
          const std::string protocol = protocol_ == 0 ? "tcp" : ProtocolName(protocol_);
          Add(absl::StrCat("-m ", protocol, " ", bang, source ? "--sport " : "--dport ", PortText(condition, style_)));
        }
        return;
      }
      case Field::kCtState: {
        const uint32_t mask = condition.mask.empty() ? 0xffffffffu : BigEndianNumber(condition.mask);
        const uint32_t value = BigEndianNumber(condition.value);
        // (state & bits) != 0 is "ct state bits"; == 0 is its negation.
        const bool any_of = value == 0 && (condition.op == Op::kNeq || condition.op == Op::kEq);
        const uint32_t bits = any_of ? mask : value;
        const bool positive = any_of ? condition.op == Op::kNeq : condition.op == Op::kEq;
        if (nft) {
          Add(absl::StrCat("ct state ", positive ? "" : "!= ", CtStateNames(bits, false)));
        } else {
          Add(absl::StrCat("-m conntrack ", positive ? "" : "! ", "--ctstate ", CtStateNames(bits, true)));
        }
        return;
      }
      case Field::kDaddrType: {
        const uint32_t type = BigEndianNumber(condition.value);
        const std::string name = type == kRouteTypeLocal ? "local" : type == kRouteTypeUnicast ? "unicast" : absl::StrCat(type);
        if (nft) {
          Add(absl::StrCat("fib daddr type ", NftOp(condition.op), name));
        } else {
          Add(absl::StrCat("-m addrtype ", condition.op == Op::kNeq ? "! " : "", "--dst-type ", absl::AsciiStrToUpper(name)));
        }
        return;
      }
    }
  }

  std::string NatAddressText(const NatTarget& nat) const {
    std::string text;
    if (!nat.address_min.empty()) {
      text = FormatIpAddress(nat.address_min);
      if (!nat.address_max.empty() && nat.address_max != nat.address_min) {
        absl::StrAppend(&text, "-", FormatIpAddress(nat.address_max));
      }
      if (nat.address_min.size() == 16 && nat.port_min != 0) text = absl::StrCat("[", text, "]");
    } else if (nat.unknown_address) {
      text = "<address from a map>";
    }
    if (nat.port_min != 0) {
      absl::StrAppend(&text, ":", nat.port_min);
      if (nat.port_max != 0 && nat.port_max != nat.port_min) absl::StrAppend(&text, "-", nat.port_max);
    }
    return text;
  }

  void AddAction(Family table_family) {
    const bool nft = style_ == Style::kNft;
    const NatTarget& nat = rule_.nat;
    const std::string to = NatAddressText(nat);
    switch (rule_.action) {
      case Action::kContinue:
      case Action::kUnknown:
        return;
      case Action::kAccept: return Add(nft ? "accept" : "-j ACCEPT");
      case Action::kDrop: return Add(nft ? "drop" : "-j DROP");
      case Action::kReject: return Add(nft ? "reject" : "-j REJECT");
      case Action::kReturn: return Add(nft ? "return" : "-j RETURN");
      case Action::kJump: return Add(absl::StrCat(nft ? "jump " : "-j ", rule_.target_chain));
      case Action::kGoto: return Add(absl::StrCat(nft ? "goto " : "-g ", rule_.target_chain));
      case Action::kMasquerade:
      case Action::kRedirect: {
        const bool masquerade = rule_.action == Action::kMasquerade;
        if (nft) return Add(absl::StrCat(masquerade ? "masquerade" : "redirect", to.empty() ? "" : " to ", to));
        return Add(absl::StrCat(masquerade ? "-j MASQUERADE" : "-j REDIRECT", to.empty() ? "" : " --to-ports ",
                                to.empty() ? "" : to.substr(1)));
      }
      case Action::kSnat:
      case Action::kDnat: {
        const bool source = rule_.action == Action::kSnat;
        if (nft) {
          const char* family = table_family != Family::kInet ? ""
                               : nat.family == Family::kIpv4 ? " ip"
                               : nat.family == Family::kIpv6 ? " ip6" : "";
          return Add(absl::StrCat(source ? "snat" : "dnat", family, " to ", to));
        }
        return Add(absl::StrCat(source ? "-j SNAT --to-source " : "-j DNAT --to-destination ", to));
      }
    }
  }

  const Rule& rule_;
  Style style_;
  uint8_t protocol_;
  std::string text_;
};

}  // namespace

std::string ProtocolName(uint8_t protocol) {
  switch (protocol) {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 58: return "ipv6-icmp";
    case 132: return "sctp";
  }
  return absl::StrCat(protocol);
}

std::string CtStateNames(uint32_t bits, bool upper_case) {
  static constexpr struct {
    uint32_t bit;
    const char* name;
  } kNames[] = {
      {kCtStateInvalid, "invalid"},   {kCtStateEstablished, "established"}, {kCtStateRelated, "related"},
      {kCtStateNew, "new"},           {kCtStateUntracked, "untracked"},
  };
  std::string text;
  uint32_t rest = bits;
  for (const auto& entry : kNames) {
    if ((bits & entry.bit) == 0) continue;
    absl::StrAppend(&text, text.empty() ? "" : ",", entry.name);
    rest &= ~entry.bit;
  }
  if (rest != 0 || text.empty()) absl::StrAppend(&text, text.empty() ? "" : ",", "0x", absl::Hex(rest));
  return upper_case ? absl::AsciiStrToUpper(text) : text;
}

std::string_view NftFieldName(Field field, bool ipv6) {
  switch (field) {
    case Field::kIifname: return "iifname";
    case Field::kOifname: return "oifname";
    case Field::kIifindex: return "iif";
    case Field::kOifindex: return "oif";
    case Field::kNfproto: return "meta nfproto";
    case Field::kL4proto: return "meta l4proto";
    case Field::kSaddr: return ipv6 ? "ip6 saddr" : "ip saddr";
    case Field::kDaddr: return ipv6 ? "ip6 daddr" : "ip daddr";
    case Field::kSport: return "th sport";
    case Field::kDport: return "th dport";
    case Field::kCtState: return "ct state";
    case Field::kDaddrType: return "fib daddr type";
  }
  return "?";
}

std::string RenderNftRule(const Rule& rule, Family table_family) {
  return Renderer(rule, Style::kNft).Render(table_family, "");
}

std::string RenderIptablesRule(const Rule& rule, std::string_view chain) {
  return Renderer(rule, Style::kIptables).Render(Family::kUnspec, chain);
}

}  // namespace phantun_runtime::netfilter
