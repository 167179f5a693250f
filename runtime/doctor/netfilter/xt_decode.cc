#include "runtime/doctor/netfilter/xt_decode.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "runtime/doctor/netfilter/xt_layout.h"

namespace phantun_runtime::netfilter {
namespace {

namespace layout = xt_layout;
using netlink::LoadBe16;
using netlink::LoadHost;

constexpr uint32_t kXtStateSharedBits = kCtStateInvalid | kCtStateEstablished | kCtStateRelated | kCtStateNew;

std::string BigEndianBytes(uint32_t value, size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[size - 1 - i] = static_cast<char>(value >> (8 * i));
  return bytes;
}

std::string Raw(Bytes info, size_t offset, size_t size) {
  return std::string(netlink::AsText(info.subspan(offset, size)));
}

void AddPortRange(Field field, uint16_t low, uint16_t high, bool inverted, Rule* rule) {
  if (low == 0 && high == 0xffff && !inverted) return;  // iptables's default: any port
  Condition condition;
  condition.field = field;
  condition.value = BigEndianBytes(low, 2);
  if (low == high) {
    condition.op = inverted ? Op::kNeq : Op::kEq;
  } else {
    condition.op = inverted ? Op::kNotInRange : Op::kInRange;
    condition.value_high = BigEndianBytes(high, 2);
  }
  rule->conditions.push_back(std::move(condition));
}

// xt_tcp and xt_udp begin alike; tcp's flag and option tests come after the ports.
void AddPorts(std::string_view name, Bytes info, size_t size, size_t invert_offset, Rule* rule) {
  if (info.size() < size) return rule->opaque.push_back(absl::StrCat("-m ", name, " <short>"));
  const uint8_t invert = info[invert_offset];
  AddPortRange(Field::kSport, LoadHost<uint16_t>(info, 0), LoadHost<uint16_t>(info, 2),
               (invert & layout::kInvertSourcePorts) != 0, rule);
  AddPortRange(Field::kDport, LoadHost<uint16_t>(info, 4), LoadHost<uint16_t>(info, 6),
               (invert & layout::kInvertDestinationPorts) != 0, rule);
  if (name == "tcp" && (info[8] != 0 || info[9] != 0)) rule->opaque.push_back("-m tcp --tcp-flags/--tcp-option");
}

void AddCtState(uint32_t xt_bits, uint32_t untracked_bit, bool inverted, std::string_view match, Rule* rule) {
  if ((xt_bits & ~(kXtStateSharedBits | untracked_bit)) != 0) {  // conntrack's SNAT/DNAT pseudo-states
    return rule->opaque.push_back(absl::StrCat("-m ", match, " <state 0x", absl::Hex(xt_bits), ">"));
  }
  uint32_t bits = xt_bits & kXtStateSharedBits;
  if ((xt_bits & untracked_bit) != 0) bits |= kCtStateUntracked;
  Condition condition;
  condition.field = Field::kCtState;
  condition.op = inverted ? Op::kEq : Op::kNeq;  // (state & bits) != 0
  condition.value = BigEndianBytes(0, 4);
  condition.mask = BigEndianBytes(bits, 4);
  rule->conditions.push_back(std::move(condition));
}

void AddConntrack(uint8_t revision, Bytes info, Rule* rule) {
  const size_t needed = layout::kConntrackStateMask + (revision == 1 ? 1 : 2);
  if (revision < 1 || revision > 3 || info.size() < needed) {
    return rule->opaque.push_back(absl::StrCat("-m conntrack <revision ", revision, ">"));
  }
  const uint16_t flags = LoadHost<uint16_t>(info, layout::kConntrackMatchFlags);
  const uint16_t invert = LoadHost<uint16_t>(info, layout::kConntrackInvertFlags);
  const uint32_t state = revision == 1 ? info[layout::kConntrackStateMask]
                                       : LoadHost<uint16_t>(info, layout::kConntrackStateMask);
  if ((flags & layout::kConntrackMatchState) != 0) {
    AddCtState(state, layout::kConntrackStateUntracked, (invert & layout::kConntrackMatchState) != 0, "conntrack",
               rule);
  }
  if ((flags & ~(layout::kConntrackMatchState | layout::kConntrackMatchStateAlias)) != 0) {
    rule->opaque.push_back(absl::StrCat("-m conntrack <more than --ctstate: 0x", absl::Hex(flags), ">"));
  }
}

// The addresses and ports of a NAT target, in whichever of the kernel's layouts it uses.
bool ReadNatTarget(uint8_t revision, Bytes info, Family family, NatTarget* nat) {
  nat->family = family;
  if (family == Family::kIpv4 && revision == 0) {
    if (info.size() < layout::kNatCompatSize || LoadHost<uint32_t>(info, 0) != 1) return false;  // rangesize 1
    const uint32_t flags = LoadHost<uint32_t>(info, layout::kNatCompatFlags);
    if ((flags & layout::kNatMapIps) != 0) {
      nat->address_min = Raw(info, layout::kNatCompatMinIp, 4);
      nat->address_max = Raw(info, layout::kNatCompatMaxIp, 4);
    }
    if ((flags & layout::kNatProtoSpecified) != 0) {
      nat->port_min = LoadBe16(info, layout::kNatCompatMinPort);
      nat->port_max = LoadBe16(info, layout::kNatCompatMaxPort);
    }
    return true;
  }
  if (info.size() < layout::kNatRangeSize || revision > 2) return false;
  const uint32_t flags = LoadHost<uint32_t>(info, 0);
  const size_t address_size = family == Family::kIpv4 ? 4 : 16;  // the start of union nf_inet_addr
  if ((flags & layout::kNatMapIps) != 0) {
    nat->address_min = Raw(info, layout::kNatRangeMinAddress, address_size);
    nat->address_max = Raw(info, layout::kNatRangeMaxAddress, address_size);
  }
  if ((flags & layout::kNatProtoSpecified) != 0) {
    nat->port_min = LoadBe16(info, layout::kNatRangeMinPort);
    nat->port_max = LoadBe16(info, layout::kNatRangeMaxPort);
  }
  return true;
}

// -m addrtype --dst-type TYPES: the destination's route type is one of TYPES (a bitmask of
// 1 << RTN_*), a set of route type numbers to the model. Revision 1 only (what iptables has sent
// since 1.4.10): source types, --limit-iface-in/out and anything else stay opaque.
bool AddAddrtype(uint8_t revision, Bytes info, Rule* rule) {
  constexpr size_t kSize = 8;  // struct xt_addrtype_info_v1: u16 source, u16 dest, u32 flags
  constexpr uint32_t kInvertDest = 0x2;  // XT_ADDRTYPE_INVERT_DEST
  if (revision != 1 || info.size() < kSize) return false;
  const uint16_t source = LoadHost<uint16_t>(info, 0);
  const uint16_t dest = LoadHost<uint16_t>(info, 2);
  const uint32_t flags = LoadHost<uint32_t>(info, 4);
  if (source != 0 || dest == 0 || (flags & ~kInvertDest) != 0) return false;
  Condition condition;
  condition.field = Field::kDaddrType;
  condition.op = (flags & kInvertDest) != 0 ? Op::kNotInSet : Op::kInSet;
  condition.set_name = "--dst-type";
  for (uint32_t type = 0; type < 16; ++type) {
    if ((dest & (1u << type)) == 0) continue;
    condition.set.push_back(SetRange{BigEndianBytes(type, 4), BigEndianBytes(type, 4)});
  }
  rule->conditions.push_back(std::move(condition));
  return true;
}

// Targets that return XT_CONTINUE: they change or log the packet but never decide its fate.
bool IsTargetWithoutVerdict(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "LOG",    "NFLOG",   "ULOG",  "MARK",     "CONNMARK", "TCPMSS",      "CT",          "NOTRACK",
      "CLASSIFY", "DSCP",  "TOS",   "TTL",      "HL",       "CHECKSUM",    "TRACE",       "AUDIT",
      "SECMARK", "CONNSECMARK", "TEE", "IDLETIMER", "LED",  "TCPOPTSTRIP",
  };
  for (std::string_view known : kNames) {
    if (name == known) return true;
  }
  return false;
}

}  // namespace

void AddXtMatch(std::string_view name, uint8_t revision, Bytes info, Family family, Rule* rule) {
  if (name == "tcp") return AddPorts(name, info, layout::kTcpSize, layout::kTcpInvertFlags, rule);
  if (name == "udp") return AddPorts(name, info, layout::kUdpSize, layout::kUdpInvertFlags, rule);
  if (name == "conntrack") return AddConntrack(revision, info, rule);
  if (name == "state") {
    if (info.size() < 4) return rule->opaque.push_back("-m state <short>");
    return AddCtState(LoadHost<uint32_t>(info, 0), layout::kStateUntracked, false, "state", rule);
  }
  if (name == "comment") return;
  if (name == "addrtype" && AddAddrtype(revision, info, rule)) return;
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
  rule->ignored.push_back(absl::StrCat("-j ", name));
  if (IsTargetWithoutVerdict(name)) return;
  rule->action = Action::kUnknown;
  rule->uncertain = true;
}

}  // namespace phantun_runtime::netfilter
