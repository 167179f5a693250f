#include "runtime/doctor/netfilter/evaluate.h"

namespace phantun_runtime::netfilter {
namespace {

constexpr size_t kInterfaceNameSize = 16;  // IFNAMSIZ

std::string BigEndian(uint64_t value, size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[size - 1 - i] = static_cast<char>(value >> (8 * i));
  return bytes;
}

// The packet's value of `field` in the model's byte layout, or false when the question leaves it
// open.
bool FieldOf(const Packet& packet, Field field, std::string* bytes) {
  switch (field) {
    case Field::kIifname:
    case Field::kOifname: {
      const std::string& name = field == Field::kIifname ? packet.iifname : packet.oifname;
      if (name.empty() || name.size() >= kInterfaceNameSize) return false;
      *bytes = name;
      bytes->resize(kInterfaceNameSize, '\0');
      return true;
    }
    case Field::kIifindex:
    case Field::kOifindex: {
      const uint32_t index = field == Field::kIifindex ? packet.iifindex : packet.oifindex;
      if (index == 0) return false;
      *bytes = BigEndian(index, 4);
      return true;
    }
    case Field::kNfproto:
      *bytes = BigEndian(static_cast<uint8_t>(packet.family), 1);
      return true;
    case Field::kL4proto:
      *bytes = BigEndian(packet.l4proto, 1);
      return true;
    case Field::kSaddr:
    case Field::kDaddr:
      *bytes = field == Field::kSaddr ? packet.saddr : packet.daddr;
      return !bytes->empty();
    case Field::kSport:
    case Field::kDport: {
      const uint16_t port = field == Field::kSport ? packet.sport : packet.dport;
      if (port == 0) return false;
      *bytes = BigEndian(port, 2);
      return true;
    }
    case Field::kCtState:
      if (packet.ct_state == 0) return false;
      *bytes = BigEndian(packet.ct_state, 4);
      return true;
    case Field::kDaddrType:
      if (packet.daddr_type == 0) return false;
      *bytes = BigEndian(packet.daddr_type, 4);
      return true;
  }
  return false;
}

// memcmp of (field & mask) against `value`, over value.size() bytes.
int CompareMasked(const std::string& field, const Condition& condition, const std::string& value) {
  for (size_t i = 0; i < value.size(); ++i) {
    uint8_t byte = static_cast<uint8_t>(field[i]);
    if (i < condition.mask.size()) byte &= static_cast<uint8_t>(condition.mask[i]);
    const uint8_t other = static_cast<uint8_t>(value[i]);
    if (byte != other) return byte < other ? -1 : 1;
  }
  return 0;
}

Tristate FromBool(bool holds) { return holds ? Tristate::kYes : Tristate::kNo; }

}  // namespace

Tristate Evaluate(const Condition& condition, const Packet& packet) {
  std::string field;
  if (!FieldOf(packet, condition.field, &field)) return Tristate::kMaybe;
  const bool is_address = condition.field == Field::kSaddr || condition.field == Field::kDaddr;
  if (condition.op == Op::kInSet || condition.op == Op::kNotInSet) {
    bool inside = false;
    for (const SetRange& range : condition.set) {
      // An IPv4 set is never looked up with an IPv6 address (nor the other way round): the
      // rule's address match does not apply to that packet at all.
      if (is_address && range.low.size() != field.size()) return Tristate::kNo;
      if (range.low.size() > field.size() || range.high.size() != range.low.size()) return Tristate::kMaybe;
      if (CompareMasked(field, condition, range.low) >= 0 && CompareMasked(field, condition, range.high) <= 0) {
        inside = true;
        break;
      }
    }
    return FromBool(inside == (condition.op == Op::kInSet));
  }
  // An IPv6 address condition never holds for an IPv4 packet, and the other way round.
  if (is_address && field.size() != condition.value.size()) return Tristate::kNo;
  if (condition.value.size() > field.size()) return Tristate::kMaybe;  // not a layout we produce
  const bool ranged = condition.op == Op::kInRange || condition.op == Op::kNotInRange;
  if (ranged && condition.value_high.size() != condition.value.size()) return Tristate::kMaybe;
  const int order = CompareMasked(field, condition, condition.value);
  switch (condition.op) {
    case Op::kEq: return FromBool(order == 0);
    case Op::kNeq: return FromBool(order != 0);
    case Op::kLt: return FromBool(order < 0);
    case Op::kLte: return FromBool(order <= 0);
    case Op::kGt: return FromBool(order > 0);
    case Op::kGte: return FromBool(order >= 0);
    case Op::kInRange:
    case Op::kNotInRange: {
      const bool inside = order >= 0 && CompareMasked(field, condition, condition.value_high) <= 0;
      return FromBool(inside == (condition.op == Op::kInRange));
    }
    case Op::kInSet:
    case Op::kNotInSet: break;  // decided above
  }
  return Tristate::kMaybe;
}

Tristate EvaluateRule(const Rule& rule, const Packet& packet) {
  Tristate result = rule.opaque.empty() && !rule.uncertain ? Tristate::kYes : Tristate::kMaybe;
  for (const Condition& condition : rule.conditions) {
    const Tristate one = Evaluate(condition, packet);
    if (one == Tristate::kNo) return Tristate::kNo;
    if (one == Tristate::kMaybe) result = Tristate::kMaybe;
  }
  return result;
}

bool TableSees(Family table_family, Family packet_family) {
  if (table_family == Family::kInet) return packet_family == Family::kIpv4 || packet_family == Family::kIpv6;
  return table_family == packet_family;
}

}  // namespace phantun_runtime::netfilter
