#include "runtime/doctor/netlink/attribute.h"

#include <linux/netlink.h>

#include <new>
#include <type_traits>

namespace phantun_runtime::netlink {
namespace {

constexpr size_t kHeaderSize = 4;  // sizeof(struct nlattr)
// AttributeIndex keeps attributes in a union it never destroys.
static_assert(std::is_trivially_destructible_v<Attribute>);
static_assert(sizeof(struct nlattr) == kHeaderSize);

constexpr size_t Align4(size_t length) { return (length + 3) & ~size_t{3}; }

template <typename T>
bool ReadExact(const Attribute& attribute, T* value) {
  if (attribute.payload.size() != sizeof(T)) return false;
  *value = LoadHost<T>(attribute.payload, 0);
  return true;
}

template <typename T, bool (*Read)(const Attribute&, T*)>
std::optional<T> ReadOptional(const Attribute* attribute) {
  T value;
  if (attribute == nullptr || !Read(*attribute, &value)) return std::nullopt;
  return value;
}

}  // namespace

bool AttributeReader::Next(Attribute* attribute) {
  // Called for every attribute of every rule of a dump: plain pointer arithmetic, each length
  // checked against what is left.
  const size_t left = rest_.size();
  if (left == 0 || malformed_) return false;
  if (left < kHeaderSize) {
    malformed_ = true;
    return false;
  }
  const uint8_t* at = rest_.data();
  const uint16_t length = LoadHost<uint16_t>(rest_, 0);
  const uint16_t type = LoadHost<uint16_t>(rest_, 2);
  if (length < kHeaderSize || length > left) {
    malformed_ = true;
    return false;
  }
  attribute->type = type & NLA_TYPE_MASK;
  attribute->nested = (type & NLA_F_NESTED) != 0;
  attribute->network_order = (type & NLA_F_NET_BYTEORDER) != 0;
  attribute->payload = Bytes(at + kHeaderSize, length - kHeaderSize);
  // The last attribute of a list may omit its alignment padding.
  const size_t advance = Align4(length) < left ? Align4(length) : left;
  rest_ = Bytes(at + advance, left - advance);
  return true;
}

bool ReadU8(const Attribute& attribute, uint8_t* value) { return ReadExact(attribute, value); }
bool ReadU16(const Attribute& attribute, uint16_t* value) { return ReadExact(attribute, value); }
bool ReadU32(const Attribute& attribute, uint32_t* value) { return ReadExact(attribute, value); }
bool ReadU64(const Attribute& attribute, uint64_t* value) { return ReadExact(attribute, value); }

bool ReadBe16(const Attribute& attribute, uint16_t* value) {
  if (attribute.payload.size() != 2) return false;
  *value = LoadBe16(attribute.payload, 0);
  return true;
}

bool ReadBe32(const Attribute& attribute, uint32_t* value) {
  if (attribute.payload.size() != 4) return false;
  *value = LoadBe32(attribute.payload, 0);
  return true;
}

bool ReadBe64(const Attribute& attribute, uint64_t* value) {
  if (attribute.payload.size() != 8) return false;
  *value = LoadBe64(attribute.payload, 0);
  return true;
}

std::string_view ReadString(const Attribute& attribute) {
  const std::string_view text = AsText(attribute.payload);
  return text.substr(0, text.find('\0'));
}

bool FindAttribute(Bytes attributes, uint16_t type, Attribute* found) {
  AttributeReader reader(attributes);
  Attribute attribute;
  while (reader.Next(&attribute)) {
    if (attribute.type == type) {
      *found = attribute;
      return true;
    }
  }
  return false;
}

AttributeIndex::AttributeIndex(Bytes attributes, uint16_t max_type) : max_type_(max_type) {
  const bool inline_slots = max_type < kInlineTypes;
  if (!inline_slots) heap_.resize(size_t{max_type} + 1);
  AttributeReader reader(attributes);
  Attribute attribute;
  while (reader.Next(&attribute)) {
    if (attribute.type > max_type) continue;
    if (inline_slots) {
      const uint32_t bit = uint32_t{1} << attribute.type;
      if ((present_ & bit) != 0) continue;
      new (&inline_[attribute.type]) Attribute(attribute);
      present_ |= bit;
    } else if (!heap_[attribute.type]) {
      heap_[attribute.type] = attribute;
    }
  }
  malformed_ = reader.malformed();
}

const Attribute* AttributeIndex::Get(uint16_t type) const {
  if (type > max_type_) return nullptr;
  if (max_type_ < kInlineTypes) return (present_ & (uint32_t{1} << type)) != 0 ? &inline_[type] : nullptr;
  return heap_[type] ? &*heap_[type] : nullptr;
}

std::optional<std::string_view> AttributeIndex::String(uint16_t type) const {
  const Attribute* attribute = Get(type);
  if (attribute == nullptr) return std::nullopt;
  return ReadString(*attribute);
}

std::optional<uint8_t> AttributeIndex::U8(uint16_t type) const { return ReadOptional<uint8_t, ReadU8>(Get(type)); }
std::optional<uint16_t> AttributeIndex::U16(uint16_t type) const { return ReadOptional<uint16_t, ReadU16>(Get(type)); }
std::optional<uint32_t> AttributeIndex::U32(uint16_t type) const { return ReadOptional<uint32_t, ReadU32>(Get(type)); }
std::optional<uint16_t> AttributeIndex::Be16(uint16_t type) const { return ReadOptional<uint16_t, ReadBe16>(Get(type)); }
std::optional<uint32_t> AttributeIndex::Be32(uint16_t type) const { return ReadOptional<uint32_t, ReadBe32>(Get(type)); }
std::optional<uint64_t> AttributeIndex::Be64(uint16_t type) const { return ReadOptional<uint64_t, ReadBe64>(Get(type)); }

Bytes AttributeIndex::Payload(uint16_t type) const {
  const Attribute* attribute = Get(type);
  return attribute == nullptr ? Bytes() : attribute->payload;
}

}  // namespace phantun_runtime::netlink
