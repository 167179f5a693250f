#ifndef PHANTUN_RUNTIME_DOCTOR_NETLINK_ATTRIBUTE_H_
#define PHANTUN_RUNTIME_DOCTOR_NETLINK_ATTRIBUTE_H_

#include <stdint.h>

#include <optional>
#include <string_view>
#include <vector>

#include "runtime/doctor/netlink/bytes.h"

namespace phantun_runtime::netlink {

// One struct nlattr and its payload, viewed inside a message.
struct Attribute {
  uint16_t type = 0;           // nla_type without the flag bits below
  bool nested = false;         // NLA_F_NESTED: the payload is itself a list of attributes
  bool network_order = false;  // NLA_F_NET_BYTEORDER: an integer payload is big-endian
  Bytes payload;               // exactly nla_len - 4 bytes
};

// Walks a list of attributes (a message's attributes, or a nested attribute's payload). Every
// length is checked against what is left, so nothing outside `attributes` is ever read. Stops at
// the end or at the first attribute that does not fit; malformed() tells the two apart.
class AttributeReader {
 public:
  explicit AttributeReader(Bytes attributes) : rest_(attributes) {}

  bool Next(Attribute* attribute);
  bool malformed() const { return malformed_; }

 private:
  Bytes rest_;
  bool malformed_ = false;
};

// Typed reads of a payload. Each returns false, leaving *value alone, when the payload does not
// have exactly the size of the type. Host-order reads are for attributes the kernel sends in host
// order (most of rtnetlink); Be* reads are for network order (all of nf_tables).
bool ReadU8(const Attribute& attribute, uint8_t* value);
bool ReadU16(const Attribute& attribute, uint16_t* value);
bool ReadU32(const Attribute& attribute, uint32_t* value);
bool ReadU64(const Attribute& attribute, uint64_t* value);
bool ReadBe16(const Attribute& attribute, uint16_t* value);
bool ReadBe32(const Attribute& attribute, uint32_t* value);
bool ReadBe64(const Attribute& attribute, uint64_t* value);

// A string attribute: the bytes up to the first NUL, or the whole payload when there is none
// (the kernel's NLA_STRING does not require one).
std::string_view ReadString(const Attribute& attribute);

// Finds the first attribute of `type` in `attributes`. The kernel repeats a type only inside lists
// (which are read with AttributeReader), so "first" is "the" attribute.
bool FindAttribute(Bytes attributes, uint16_t type, Attribute* found);

// The attributes of one list, looked up by type: parse once, then ask. Types above `max_type` are
// skipped (newer kernels add attributes; they are not errors); of a repeated type the first counts.
class AttributeIndex {
 public:
  AttributeIndex(Bytes attributes, uint16_t max_type);
  // It may point into itself.
  AttributeIndex(const AttributeIndex&) = delete;
  AttributeIndex& operator=(const AttributeIndex&) = delete;

  const Attribute* Get(uint16_t type) const;
  bool Has(uint16_t type) const { return Get(type) != nullptr; }
  bool malformed() const { return malformed_; }

  // std::nullopt when the attribute is missing or has the wrong size.
  std::optional<std::string_view> String(uint16_t type) const;
  std::optional<uint8_t> U8(uint16_t type) const;
  std::optional<uint16_t> U16(uint16_t type) const;
  std::optional<uint32_t> U32(uint16_t type) const;
  std::optional<uint16_t> Be16(uint16_t type) const;
  std::optional<uint32_t> Be32(uint16_t type) const;
  std::optional<uint64_t> Be64(uint16_t type) const;
  // The raw payload; empty when missing.
  Bytes Payload(uint16_t type) const;

 private:
  // An index is made for every message and every expression of a dump, so the nf_tables types
  // (all below kInlineTypes) are indexed without an allocation and without initialising slots
  // that stay empty: a bit per type says which slots of inline_ hold an attribute. Larger indexes
  // (rtnetlink's IFLA_MAX) use heap_, where a slot is present when its payload is not null.
  static constexpr uint16_t kInlineTypes = 32;
  uint32_t present_ = 0;
  union {
    Attribute inline_[kInlineTypes];  // only the slots present_ names are constructed
  };
  std::vector<std::optional<Attribute>> heap_;
  uint16_t max_type_;
  bool malformed_ = false;
};

}  // namespace phantun_runtime::netlink

#endif  // PHANTUN_RUNTIME_DOCTOR_NETLINK_ATTRIBUTE_H_
