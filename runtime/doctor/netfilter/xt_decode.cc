#include "runtime/doctor/netfilter/xt_decode.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace phantun_runtime::netfilter {
namespace {

using netlink::LoadBe16;
using netlink::LoadHost;

// struct xt_tcp / xt_udp: u16 spts[2], dpts[2] (host order), then for tcp: option, flg_mask,
// flg_cmp, invflags; for udp: invflags.
constexpr size_t kTcpInfoSize = 12;
constexpr size_t kUdpInfoSize = 10;
constexpr uint8_t kInvertSourcePorts = 0x01;       // XT_TCP_INV_SRCPT == XT_UDP_INV_SRCPT
constexpr uint8_t kInvertDestinationPorts = 0x02;  // XT_TCP_INV_DSTPT == XT_UDP_INV_DSTPT

// struct xt_conntrack_mtinfo1/2/3: eight 16-byte addresses/masks, expires, l4proto and ports, then
// match_flags and invert_flags, then state_mask (u8 in revision 1, u16 from revision 2).
constexpr size_t kConntrackFlagsOffset = 146;
constexpr size_t kConntrackInvertOffset = 148;
constexpr size_t kConntrackStateOffset = 150;
constexpr uint16_t kConntrackMatchState = 1 << 0;       // XT_CONNTRACK_STATE
constexpr uint16_t kConntrackMatchStateAlias = 1 << 13;  // XT_CONNTRACK_STATE_ALIAS (-m state)

// The x_tables state bits (XT_CONNTRACK_STATE_BIT / XT_STATE_BIT) share nftables's for invalid,
// established, related and new; "untracked" differs between the two matches.
constexpr uint32_t kXtStateKnownBits = kCtStateInvalid | kCtStateEstablished | kCtStateRelated | kCtStateNew;
constexpr uint32_t kConntrackUntracked = 1u << 10;  // XT_CONNTRACK_STATE_UNTRACKED
constexpr uint32_t kStateUntracked = 1u << 4;       // XT_STATE_UNTRACKED

// struct nf_nat_ipv4_multi_range_compat (MASQUERADE/REDIRECT/SNAT/DNAT revision 0 for IPv4):
// rangesize, then one nf_nat_ipv4_range: flags, min_ip, max_ip, min port, max port.
constexpr size_t kNatCompatSize = 20;
// struct nf_nat_range (revision 1, and IPv6 revision 0) / nf_nat_range2 (revision 2): flags,
// min_addr[16], max_addr[16], min_proto, max_proto (, base_proto).
constexpr size_t kNatRangeSize = 40;
constexpr uint32_t kNatMapIps = 1;             // NF_NAT_RANGE_MAP_IPS
constexpr uint32_t kNatProtoSpecified = 2;     // NF_NAT_RANGE_PROTO_SPECIFIED

std::string BigEndianBytes(uint32_t value, size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[size - 1 - i] = static_cast<char>(value >> (8 * i));
  return bytes;
}

void AddPortRange(Field field, uint16_t low, uint16_t high, bool inverted, Rule* rule) {
  if (low == 0 && high == 0xffff && !inverted) return;  // the default: any port
  Condition condition;
  condition.field = field;
  if (low == high) {
    condition.op = inverted ? Op::kNeq : Op::kEq;
    condition.value = BigEndianBytes(low, 2);
  } else {
    condition.op = inverted ? Op::kNotInRange : Op::kInRange;
    condition.value = BigEndianBytes(low, 2);
    condition.value_high = BigEndianBytes(high, 2);
  }
  rule->conditions.push_back(condition);
}

void AddPorts(std::string_view name, Bytes info, size_t size, size_t invert_offset, Rule* rule) {
  if (info.size() < size) {
    rule->opaque.push_back(absl::StrCat("-m ", name, " <short>"));
    return;
  }
  const uint8_t invert = info[invert_offset];
  AddPortRange(Field::kSport, LoadHost<uint16_t>(info, 0), LoadHost<uint16_t>(info, 2),
               (invert & kInvertSourcePorts) != 0, rule);
  AddPortRange(Field::kDport, LoadHost<uint16_t>(info, 4), LoadHost<uint16_t>(info, 6),
               (invert & kInvertDestinationPorts) != 0, rule);
}

void AddCtState(uint32_t xt_bits, uint32_t untracked_bit, bool inverted, std::string_view match, Rule* rule) {
  uint32_t bits = xt_bits & kXtStateKnownBits;
  if ((xt_bits & untracked_bit) != 0) bits |= kCtStateUntracked;
  if ((xt_bits & ~(kXtStateKnownBits | untracked_bit)) != 0) {  // SNAT/DNAT pseudo-states
    rule->opaque.push_back(absl::StrCat("-m ", match, " <state 0x", absl::Hex(xt_bits), ">"));
    return;
  }
  Condition condition;
  condition.field = Field::kCtState;
  condition.op = inverted ? Op::kEq : Op::kNeq;  // (state & bits) != 0
  condition.value = BigEndianBytes(0, 4);
  condition.mask = BigEndianBytes(bits, 4);
  rule->conditions.push_back(condition);
}

void AddConntrack(uint8_t revision, Bytes info, Rule* rule) {
  const size_t needed = revision == 1 ? kConntrackStateOffset + 1 : kConntrackStateOffset + 2;
  if (revision < 1 || revision > 3 || info.size() < needed) {
    rule->opaque.push_back(absl::StrCat("-m conntrack <revision ", revision, ">"));
    return;
  }
  const uint16_t flags = LoadHost<uint16_t>(info, kConntrackFlagsOffset);
  const uint16_t invert = LoadHost<uint16_t>(info, kConntrackInvertOffset);
  const uint32_t state = revision == 1 ? info[kConntrackStateOffset] : LoadHost<uint16_t>(info, kConntrackStateOffset);
  if ((flags & kConntrackMatchState) != 0) {
    AddCtState(state, kConntrackUntracked, (invert & kConntrackMatchState) != 0, "conntrack", rule);
  }
  if ((flags & ~(kConntrackMatchState | kConntrackMatchStateAlias)) != 0) {
    rule->opaque.push_back(absl::StrCat("-m conntrack <more than --ctstate: flags 0x", absl::Hex(flags), ">"));
  }
}

// The address and port range of a NAT target, in whichever of the kernel's layouts it uses.
bool ReadNatTarget(uint8_t revision, Bytes info, Family family, NatTarget* nat) {
  uint32_t flags;
  if (family == Family::kIpv4 && revision == 0) {
    if (info.size() < kNatCompatSize || LoadHost<uint32_t>(info, 0) != 1) return false;  // rangesize 1
    flags = LoadHost<uint32_t>(info, 4);
    if ((flags & kNatMapIps) != 0) {
      nat->address_min.assign(reinterpret_cast<const char*>(info.data()) + 8, 4);
      nat->address_max.assign(reinterpret_cast<const char*>(info.data()) + 12, 4);
    }
    if ((flags & kNatProtoSpecified) != 0) {
      nat->port_min = LoadBe16(info, 16);
      nat->port_max = LoadBe16(info, 18);
    }
  } else {
    if (info.size() < kNatRangeSize) return false;
    flags = LoadHost<uint32_t>(info, 0);
    const size_t address_size = family == Family::kIpv4 ? 4 : 16;
    if ((flags & kNatMapIps) != 0) {
      nat->address_min.assign(reinterpret_cast<const char*>(info.data()) + 4, address_size);
      nat->address_max.assign(reinterpret_cast<const char*>(info.data()) + 20, address_size);
    }
    if ((flags & kNatProtoSpecified) != 0) {
      nat->port_min = LoadBe16(info, 36);
      nat->port_max = LoadBe16(info, 38);
    }
  }
  nat->family = family;
  return true;
}

bool IsTargetWithoutVerdict(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "LOG",       "NFLOG",   "ULOG",     "MARK",  "CONNMARK", "TCPMSS", "CT",   "NOTRACK",
      "CLASSIFY",  "DSCP",    "TOS",      "TTL",   "HL",       "CHECKSUM", "TRACE", "AUDIT",
      "SECMARK",   "CONNSECMARK", "TEE",  "IDLETIMER", "LED",   "TCPOPTSTRIP", "NETMAP_NONE",
  };
  for (std::string_view known : kNames) {
    if (name == known) return true;
  }
  return false;
}

}  // namespace

void AddXtMatch(std::string_view name, uint8_t revision, Bytes info, Family family, Rule* rule) {
  if (name == "tcp") return AddPorts(name, info, kTcpInfoSize, 11, rule), void();
  if (name == "udp") return AddPorts(name, info, kUdpInfoSize, 8, rule), void();
  if (name == "conntrack") return AddConntrack(revision, info, rule);
  if (name == "state") {
    if (info.size() < 4) return rule->opaque.push_back("-m state <short>");
    return AddCtState(LoadHost<uint32_t>(info, 0), kStateUntracked, false, "state", rule);
  }
  if (name == "comment") return;
  rule->opaque.push_back(absl::StrCat("-m ", name));
}

void SetXtTarget(std::string_view name, uint8_t revision, Bytes info, Family family, Rule* rule) {
  if (name == "REJECT") {
    rule->action = Action::kReject;
    return;
  }
  struct NatName {
    std::string_view name;
    Action action;
  };
  static constexpr NatName kNat[] = {{"MASQUERADE", Action::kMasquerade},
                                     {"SNAT", Action::kSnat},
                                     {"DNAT", Action::kDnat},
                                     {"REDIRECT", Action::kRedirect}};
  for (const NatName& nat : kNat) {
    if (name != nat.name) continue;
    rule->action = nat.action;
    if (!ReadNatTarget(revision, info, family, &rule->nat)) {
      rule->action = Action::kUnknown;
      rule->uncertain = true;
      rule->ignored.push_back(absl::StrCat("-j ", name, " <unreadable revision ", revision, ">"));
    }
    return;
  }
  if (IsTargetWithoutVerdict(name)) {
    rule->ignored.push_back(absl::StrCat("-j ", name));
    return;
  }
  rule->action = Action::kUnknown;
  rule->uncertain = true;
  rule->ignored.push_back(absl::StrCat("-j ", name));
}

}  // namespace phantun_runtime::netfilter
