#include "runtime/doctor/netfilter/nft_expr.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>

#include <string.h>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "runtime/doctor/netfilter/render.h"
#include "runtime/doctor/netfilter/xt_decode.h"
#include "runtime/doctor/netlink/attribute.h"

namespace phantun_runtime::netfilter {
namespace {

using netlink::Attribute;
using netlink::AttributeIndex;
using netlink::AttributeReader;
using netlink::Bytes;

constexpr size_t kInterfaceNameSize = 16;
constexpr int kSlots = 16;  // NFT_REG32_00..15; NFT_REG_1..4 are slots 0, 4, 8, 12
constexpr uint16_t kMaxAttribute = 16;  // above every attribute number read here

// What a register holds, as far as the decoder can tell.
struct Register {
  enum class Kind : uint8_t { kEmpty, kField, kData, kOpaque };
  Kind kind = Kind::kEmpty;
  Field field = Field::kIifname;
  size_t width = 0;        // kField: the field's full size
  size_t length = 0;       // kField: bytes loaded, from the field's start
  bool host_u32 = false;   // the kernel keeps this field as a host-order u32 (ct state, ifindex)
  bool ethertype = false;  // meta protocol: an ethertype standing in for kNfproto
  std::string mask;        // from a bitwise expression, in the register's byte order
  std::string data;        // kData: an immediate value
  std::string text;        // how to name it in opaque text
};

std::string ToString(Bytes bytes) { return std::string(netlink::AsText(bytes)); }

std::string Hex(Bytes bytes) { return absl::StrCat("0x", absl::BytesToHexString(netlink::AsText(bytes))); }

std::string HostU32ToBigEndian(std::string_view host) {
  uint32_t value;
  memcpy(&value, host.data(), 4);
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16), static_cast<char>(value >> 8),
          static_cast<char>(value)};
}

// The NFTA_DATA_VALUE inside a data attribute (NFTA_CMP_DATA, NFTA_IMMEDIATE_DATA, ...).
bool DataValue(const Attribute* data, Bytes* value) {
  Attribute inner;
  if (data == nullptr || !netlink::FindAttribute(data->payload, NFTA_DATA_VALUE, &inner)) return false;
  *value = inner.payload;
  return true;
}

int Slot(uint32_t number) {
  if (number >= NFT_REG_1 && number <= NFT_REG_4) return static_cast<int>(number - NFT_REG_1) * 4;
  if (number >= NFT_REG32_00 && number < NFT_REG32_00 + kSlots) return static_cast<int>(number - NFT_REG32_00);
  return -1;
}

std::string_view FieldText(Field field, size_t width) { return NftFieldName(field, width == 16); }

std::string_view CmpOpText(uint32_t op) {
  switch (op) {
    case NFT_CMP_EQ: return "==";
    case NFT_CMP_NEQ: return "!=";
    case NFT_CMP_LT: return "<";
    case NFT_CMP_LTE: return "<=";
    case NFT_CMP_GT: return ">";
    case NFT_CMP_GTE: return ">=";
  }
  return "?";
}

bool CmpOp(uint32_t op, Op* out) {
  switch (op) {
    case NFT_CMP_EQ: *out = Op::kEq; return true;
    case NFT_CMP_NEQ: *out = Op::kNeq; return true;
    case NFT_CMP_LT: *out = Op::kLt; return true;
    case NFT_CMP_LTE: *out = Op::kLte; return true;
    case NFT_CMP_GT: *out = Op::kGt; return true;
    case NFT_CMP_GTE: *out = Op::kGte; return true;
  }
  return false;
}

std::string MetaKeyName(uint32_t key) {
  switch (key) {
    case NFT_META_LEN: return "length";
    case NFT_META_MARK: return "mark";
    case NFT_META_IIFTYPE: return "iiftype";
    case NFT_META_OIFTYPE: return "oiftype";
    case NFT_META_SKUID: return "skuid";
    case NFT_META_SKGID: return "skgid";
    case NFT_META_PKTTYPE: return "pkttype";
    case NFT_META_IIFGROUP: return "iifgroup";
    case NFT_META_OIFGROUP: return "oifgroup";
  }
  return absl::StrCat("key ", key);
}

std::string CtKeyName(uint32_t key) {
  switch (key) {
    case NFT_CT_DIRECTION: return "direction";
    case NFT_CT_STATUS: return "status";
    case NFT_CT_MARK: return "mark";
    case NFT_CT_HELPER: return "helper";
    case NFT_CT_SRC: return "saddr";
    case NFT_CT_DST: return "daddr";
    case NFT_CT_PROTO_SRC: return "proto-src";
    case NFT_CT_PROTO_DST: return "proto-dst";
  }
  return absl::StrCat("key ", key);
}

// Expressions that only load a register (the value then feeds a cmp we cannot evaluate), with the
// number of their destination register attribute.
struct Loader {
  std::string_view name;
  uint16_t dreg_attribute;
};
constexpr Loader kLoaders[] = {
    {"fib", NFTA_FIB_DREG},       {"rt", NFTA_RT_DREG},     {"exthdr", NFTA_EXTHDR_DREG},
    {"socket", NFTA_SOCKET_DREG}, {"osf", NFTA_OSF_DREG},   {"hash", NFTA_HASH_DREG},
    {"numgen", NFTA_NG_DREG},     {"xfrm", NFTA_XFRM_DREG}, {"tunnel", NFTA_TUNNEL_DREG},
};

// Conditions we cannot evaluate, and statements that neither decide nor matter to the doctor.
constexpr std::string_view kOpaqueConditions[] = {"limit", "quota", "connlimit"};
constexpr std::string_view kIgnoredStatements[] = {"log", "notrack", "dup", "flow_offload", "dynset", "objref"};
// Statements that end the packet's path in ways the doctor does not model.
constexpr std::string_view kUnknownVerdicts[] = {"queue", "fwd", "tproxy", "synproxy"};

template <size_t N>
bool OneOf(std::string_view name, const std::string_view (&names)[N]) {
  for (std::string_view known : names) {
    if (name == known) return true;
  }
  return false;
}

class Decoder {
 public:
  Decoder(Family table_family, Rule* rule, const SetResolver* sets)
      : table_family_(table_family), rule_(rule), sets_(sets) {}

  void Expression(std::string_view name, Bytes data) {
    const AttributeIndex attributes(data, kMaxAttribute);
    if (attributes.malformed()) return NotUnderstood(absl::StrCat(name, " <malformed>"));
    if (name == "counter" || name == "last") return;
    if (name == "meta") return Meta(attributes);
    if (name == "fib" && Fib(attributes)) return;
    if (name == "payload") return Payload(attributes);
    if (name == "ct") return Ct(attributes);
    if (name == "bitwise") return Bitwise(attributes);
    if (name == "cmp") return Cmp(attributes);
    if (name == "range") return Range(attributes);
    if (name == "lookup") return Lookup(attributes);
    if (name == "immediate") return Immediate(attributes);
    if (name == "nat") return Nat(attributes);
    if (name == "masq") return Masquerade(attributes, Action::kMasquerade, NFTA_MASQ_REG_PROTO_MIN, NFTA_MASQ_REG_PROTO_MAX);
    if (name == "redir") return Masquerade(attributes, Action::kRedirect, NFTA_REDIR_REG_PROTO_MIN, NFTA_REDIR_REG_PROTO_MAX);
    if (name == "reject") return SetAction(Action::kReject);
    if (name == "match" || name == "target") return Compat(name == "match", attributes);
    if (OneOf(name, kOpaqueConditions)) return rule_->opaque.push_back(std::string(name));
    if (OneOf(name, kIgnoredStatements)) return rule_->ignored.push_back(std::string(name));
    if (OneOf(name, kUnknownVerdicts)) {
      rule_->ignored.push_back(std::string(name));
      unknown_statement_ = true;
      return;
    }
    for (const Loader& loader : kLoaders) {
      if (name != loader.name) continue;
      if (const auto dreg = attributes.Be32(loader.dreg_attribute)) return LoadOpaque(*dreg, std::string(name));
      return rule_->ignored.push_back(std::string(name));  // the same expression writing a packet
    }
    NotUnderstood(std::string(name));
  }

  void Finish() {
    // Something we did not understand may have been a verdict: assume nothing about what follows.
    if ((unknown_statement_ || rule_->uncertain) && rule_->action == Action::kContinue) {
      rule_->action = Action::kUnknown;
    }
  }

 private:
  void NotUnderstood(std::string text) {
    rule_->uncertain = true;
    unknown_statement_ = true;
    rule_->opaque.push_back(std::move(text));
  }

  Register* At(uint32_t number) {
    const int slot = Slot(number);
    return slot < 0 ? nullptr : &registers_[slot];
  }

  void Load(uint32_t dreg, Register value) {
    Register* target = At(dreg);
    if (target == nullptr) return NotUnderstood("load into an unknown register");
    *target = std::move(value);
  }

  void LoadOpaque(uint32_t dreg, std::string text) {
    Register value;
    value.kind = Register::Kind::kOpaque;
    value.text = std::move(text);
    Load(dreg, std::move(value));
  }

  void LoadField(uint32_t dreg, Field field, size_t width, size_t length) {
    Register value;
    value.kind = Register::Kind::kField;
    value.field = field;
    value.width = width;
    value.length = length;
    Load(dreg, std::move(value));
  }

  std::string Describe(const Register& value) const {
    switch (value.kind) {
      case Register::Kind::kField: return std::string(FieldText(value.field, value.width));
      case Register::Kind::kOpaque: return value.text;
      case Register::Kind::kData: return Hex(netlink::AsBytes(value.data));
      case Register::Kind::kEmpty: break;
    }
    return "<unset register>";
  }

  void Meta(const AttributeIndex& attributes) {
    if (!attributes.Has(NFTA_META_DREG)) return rule_->ignored.push_back("meta set");
    const uint32_t dreg = attributes.Be32(NFTA_META_DREG).value_or(~0u);
    const uint32_t key = attributes.Be32(NFTA_META_KEY).value_or(~0u);
    switch (key) {
      case NFT_META_IIFNAME: return LoadField(dreg, Field::kIifname, kInterfaceNameSize, kInterfaceNameSize);
      case NFT_META_OIFNAME: return LoadField(dreg, Field::kOifname, kInterfaceNameSize, kInterfaceNameSize);
      case NFT_META_NFPROTO: return LoadField(dreg, Field::kNfproto, 1, 1);
      case NFT_META_L4PROTO: return LoadField(dreg, Field::kL4proto, 1, 1);
      case NFT_META_IIF:
      case NFT_META_OIF:
        LoadField(dreg, key == NFT_META_IIF ? Field::kIifindex : Field::kOifindex, 4, 4);
        if (Register* loaded = At(dreg)) loaded->host_u32 = true;
        return;
      case NFT_META_PROTOCOL:
        LoadField(dreg, Field::kNfproto, 1, 1);
        if (Register* loaded = At(dreg)) loaded->ethertype = true;
        return;
    }
    LoadOpaque(dreg, absl::StrCat("meta ", MetaKeyName(key)));
  }

  // `fib daddr type`: the route type of the destination (a host-order u32 RTN_* number), which
  // the tracer knows for its packet. Other fib lookups (oif, with iif/oif/mark keys) stay opaque.
  bool Fib(const AttributeIndex& attributes) {
    const auto dreg = attributes.Be32(NFTA_FIB_DREG);
    const uint32_t result = attributes.Be32(NFTA_FIB_RESULT).value_or(0);
    const uint32_t flags = attributes.Be32(NFTA_FIB_FLAGS).value_or(0);
    if (!dreg || result != NFT_FIB_RESULT_ADDRTYPE || flags != NFTA_FIB_F_DADDR) return false;
    LoadField(*dreg, Field::kDaddrType, 4, 4);
    if (Register* loaded = At(*dreg)) loaded->host_u32 = true;
    return true;
  }

  // The family of the network header in this rule: the table's, or (inet, bridge, netdev) the one
  // an earlier nfproto check fixed.
  Family NetworkFamily() const {
    if (table_family_ == Family::kIpv4 || table_family_ == Family::kIpv6) return table_family_;
    return checked_family_;
  }

  void Payload(const AttributeIndex& attributes) {
    if (!attributes.Has(NFTA_PAYLOAD_DREG)) return rule_->ignored.push_back("payload set");
    const uint32_t dreg = attributes.Be32(NFTA_PAYLOAD_DREG).value_or(~0u);
    const uint32_t base = attributes.Be32(NFTA_PAYLOAD_BASE).value_or(~0u);
    const uint32_t offset = attributes.Be32(NFTA_PAYLOAD_OFFSET).value_or(~0u);
    const uint32_t length = attributes.Be32(NFTA_PAYLOAD_LEN).value_or(~0u);
    if (base == NFT_PAYLOAD_NETWORK_HEADER) {
      const Family family = NetworkFamily();
      const size_t width = family == Family::kIpv4 ? 4 : 16;
      const uint32_t source = family == Family::kIpv4 ? 12 : 8;
      const uint32_t destination = family == Family::kIpv4 ? 16 : 24;
      const uint32_t protocol = family == Family::kIpv4 ? 9 : 6;
      if (family != Family::kUnspec && length >= 1 && length <= width) {
        if (offset == source) return LoadField(dreg, Field::kSaddr, width, length);
        if (offset == destination) return LoadField(dreg, Field::kDaddr, width, length);
      }
      if (family != Family::kUnspec && offset == protocol && length == 1) return LoadField(dreg, Field::kL4proto, 1, 1);
    }
    if (base == NFT_PAYLOAD_TRANSPORT_HEADER && length == 2 && (offset == 0 || offset == 2)) {
      return LoadField(dreg, offset == 0 ? Field::kSport : Field::kDport, 2, 2);
    }
    const char* header = base == NFT_PAYLOAD_LL_HEADER ? "@ll" : base == NFT_PAYLOAD_NETWORK_HEADER ? "@nh"
                         : base == NFT_PAYLOAD_TRANSPORT_HEADER ? "@th" : "@?";
    LoadOpaque(dreg, absl::StrCat(header, ",", uint64_t{offset} * 8, ",", uint64_t{length} * 8));
  }

  void Ct(const AttributeIndex& attributes) {
    if (!attributes.Has(NFTA_CT_DREG)) return rule_->ignored.push_back("ct set");
    const uint32_t dreg = attributes.Be32(NFTA_CT_DREG).value_or(~0u);
    const uint32_t key = attributes.Be32(NFTA_CT_KEY).value_or(~0u);
    if (key == NFT_CT_STATE) {
      LoadField(dreg, Field::kCtState, 4, 4);
      if (Register* loaded = At(dreg)) loaded->host_u32 = true;
      return;
    }
    LoadOpaque(dreg, absl::StrCat("ct ", CtKeyName(key)));
  }

  void Bitwise(const AttributeIndex& attributes) {
    const Register* source = At(attributes.Be32(NFTA_BITWISE_SREG).value_or(~0u));
    const uint32_t dreg = attributes.Be32(NFTA_BITWISE_DREG).value_or(~0u);
    Bytes mask, xor_value;
    const bool mask_xor = attributes.Be32(NFTA_BITWISE_OP).value_or(NFT_BITWISE_BOOL) == NFT_BITWISE_BOOL;
    if (source == nullptr || !mask_xor || !DataValue(attributes.Get(NFTA_BITWISE_MASK), &mask) ||
        !DataValue(attributes.Get(NFTA_BITWISE_XOR), &xor_value)) {
      return LoadOpaque(dreg, absl::StrCat(source == nullptr ? "?" : Describe(*source), " <bit operation>"));
    }
    bool xor_zero = true;
    for (uint8_t byte : xor_value) xor_zero = xor_zero && byte == 0;
    if (source->kind != Register::Kind::kField || !xor_zero) {
      return LoadOpaque(dreg, absl::StrCat(Describe(*source), " & ", Hex(mask), " ^ ", Hex(xor_value)));
    }
    Register masked = *source;
    std::string combined = ToString(mask);
    for (size_t i = 0; i < combined.size() && i < source->mask.size(); ++i) combined[i] &= source->mask[i];
    masked.mask = std::move(combined);
    Load(dreg, std::move(masked));
  }

  // The condition's value (and mask) in the model's layout for what the register holds, from the
  // bytes a cmp or range compares it with. False when the combination is not one nft produces.
  bool ModelValue(const Register& source, Bytes data, std::string* value, std::string* mask) const {
    if (source.ethertype) {
      if (data.size() != 2) return false;
      const uint16_t ethertype = netlink::LoadBe16(data, 0);
      if (ethertype != 0x0800 && ethertype != 0x86dd) return false;
      *value = std::string(1, static_cast<char>(ethertype == 0x0800 ? NFPROTO_IPV4 : NFPROTO_IPV6));
      mask->clear();
      return true;
    }
    if (source.host_u32) {
      if (data.size() != 4 || (!source.mask.empty() && source.mask.size() != 4)) return false;
      *value = HostU32ToBigEndian(netlink::AsText(data));
      *mask = source.mask.empty() ? "" : HostU32ToBigEndian(source.mask);
      return true;
    }
    const bool address = source.field == Field::kSaddr || source.field == Field::kDaddr;
    if (address) {
      // Addresses get their full size, the prefix moving into the mask.
      if (data.size() != source.length) return false;
      *value = ToString(data);
      value->resize(source.width, '\0');
      if (source.length == source.width && source.mask.empty()) {
        mask->clear();
      } else {
        *mask = source.mask.empty() ? std::string(source.length, '\xff') : source.mask.substr(0, source.length);
        mask->resize(source.width, '\0');
      }
      return true;
    }
    if (data.empty() || data.size() > source.length) return false;
    *value = ToString(data);  // a shorter name is a prefix: "eth" for eth*
    *mask = source.mask.substr(0, std::min(source.mask.size(), data.size()));
    return true;
  }

  void AddCondition(const Register& source, Op op, Bytes low, const Bytes* high, std::string_view op_text) {
    Condition condition;
    condition.field = source.field;
    condition.op = op;
    if (source.kind == Register::Kind::kField && ModelValue(source, low, &condition.value, &condition.mask) &&
        (high == nullptr || ModelValue(source, *high, &condition.value_high, &condition.mask))) {
      if (condition.field == Field::kNfproto && op == Op::kEq && condition.value.size() == 1) {
        checked_family_ = static_cast<Family>(condition.value[0]);
      }
      rule_->conditions.push_back(std::move(condition));
      return;
    }
    std::string text = absl::StrCat(Describe(source), " ", op_text, " ", Hex(low));
    if (high != nullptr) absl::StrAppend(&text, "-", Hex(*high));
    if (source.kind == Register::Kind::kEmpty) return NotUnderstood(std::move(text));
    rule_->opaque.push_back(std::move(text));
  }

  void Cmp(const AttributeIndex& attributes) {
    const Register* source = At(attributes.Be32(NFTA_CMP_SREG).value_or(~0u));
    const uint32_t op_number = attributes.Be32(NFTA_CMP_OP).value_or(~0u);
    Op op;
    Bytes data;
    if (source == nullptr || !CmpOp(op_number, &op) || !DataValue(attributes.Get(NFTA_CMP_DATA), &data)) {
      return NotUnderstood("cmp <malformed>");
    }
    AddCondition(*source, op, data, nullptr, CmpOpText(op_number));
  }

  void Range(const AttributeIndex& attributes) {
    const Register* source = At(attributes.Be32(NFTA_RANGE_SREG).value_or(~0u));
    const uint32_t op_number = attributes.Be32(NFTA_RANGE_OP).value_or(~0u);
    Bytes from, to;
    if (source == nullptr || op_number > NFT_RANGE_NEQ || !DataValue(attributes.Get(NFTA_RANGE_FROM_DATA), &from) ||
        !DataValue(attributes.Get(NFTA_RANGE_TO_DATA), &to)) {
      return NotUnderstood("range <malformed>");
    }
    const bool equal = op_number == NFT_RANGE_EQ;
    AddCondition(*source, equal ? Op::kInRange : Op::kNotInRange, from, &to, equal ? "in" : "not in");
  }

  void Lookup(const AttributeIndex& attributes) {
    const Register* source = At(attributes.Be32(NFTA_LOOKUP_SREG).value_or(~0u));
    const std::string set(attributes.String(NFTA_LOOKUP_SET).value_or("?"));
    const bool inverted = (attributes.Be32(NFTA_LOOKUP_FLAGS).value_or(0) & NFT_LOOKUP_F_INV) != 0;
    const std::string key = source == nullptr ? "?" : Describe(*source);
    const bool map = attributes.Has(NFTA_LOOKUP_DREG);
    if (!map && source != nullptr && source->kind == Register::Kind::kField && sets_ != nullptr &&
        SetCondition(*source, set, inverted)) {
      return;
    }
    // Whether the key is in the set is a condition of its own, map or not.
    rule_->opaque.push_back(absl::StrCat(key, inverted ? " != @" : " @", set));
    if (const auto dreg = attributes.Be32(NFTA_LOOKUP_DREG)) LoadOpaque(*dreg, absl::StrCat(key, " map @", set));
  }

  // A lookup of a field in a set the resolver knows: each element through the same conversion as a
  // cmp's value. False (the lookup stays opaque) when the set or any element does not fit.
  bool SetCondition(const Register& source, const std::string& set, bool inverted) {
    const SetRanges* ranges = sets_->Find(set);
    if (ranges == nullptr) return false;
    Condition condition;
    condition.field = source.field;
    condition.op = inverted ? Op::kNotInSet : Op::kInSet;
    condition.set_name = absl::StrCat("@", set);
    std::string mask;
    for (const auto& [low, high] : *ranges) {
      SetRange range;
      if (!ModelValue(source, netlink::AsBytes(low), &range.low, &mask) ||
          !ModelValue(source, netlink::AsBytes(high), &range.high, &mask)) {
        return false;
      }
      condition.set.push_back(std::move(range));
    }
    // A masked address load (ip saddr & 255.255.0.0 @s) or a prefix of a name keeps its mask.
    condition.mask = mask;
    rule_->conditions.push_back(std::move(condition));
    return true;
  }

  void Immediate(const AttributeIndex& attributes) {
    const uint32_t dreg = attributes.Be32(NFTA_IMMEDIATE_DREG).value_or(~0u);
    const Attribute* data = attributes.Get(NFTA_IMMEDIATE_DATA);
    if (dreg != NFT_REG_VERDICT) {
      Bytes value;
      if (!DataValue(data, &value)) return NotUnderstood("immediate <malformed>");
      Register loaded;
      loaded.kind = Register::Kind::kData;
      loaded.data = ToString(value);
      return Load(dreg, std::move(loaded));
    }
    Attribute verdict;
    if (data == nullptr || !netlink::FindAttribute(data->payload, NFTA_DATA_VERDICT, &verdict)) {
      return NotUnderstood("verdict <malformed>");
    }
    const AttributeIndex fields(verdict.payload, NFTA_VERDICT_CHAIN);
    const auto code = fields.Be32(NFTA_VERDICT_CODE);
    if (!code) return NotUnderstood("verdict <malformed>");
    switch (static_cast<int32_t>(*code)) {
      case NFT_CONTINUE:
      case NFT_BREAK: return;
      case NFT_JUMP:
      case NFT_GOTO:
        rule_->target_chain = std::string(fields.String(NFTA_VERDICT_CHAIN).value_or("?"));
        return SetAction(static_cast<int32_t>(*code) == NFT_JUMP ? Action::kJump : Action::kGoto);
      case NFT_RETURN: return SetAction(Action::kReturn);
    }
    switch (*code & NF_VERDICT_MASK) {
      case NF_ACCEPT: return SetAction(Action::kAccept);
      case NF_DROP: return SetAction(Action::kDrop);
    }
    rule_->ignored.push_back(absl::StrCat("verdict ", static_cast<int32_t>(*code)));
    SetAction(Action::kUnknown);
  }

  void SetAction(Action action) { rule_->action = action; }

  // The immediate value a NAT expression's register attribute points at.
  bool RegisterData(const AttributeIndex& attributes, uint16_t attribute, std::string* data) {
    const auto number = attributes.Be32(attribute);
    if (!number) return false;
    const Register* value = At(*number);
    if (value == nullptr || value->kind != Register::Kind::kData) return false;
    *data = value->data;
    return true;
  }

  void Ports(const AttributeIndex& attributes, uint16_t min_attribute, uint16_t max_attribute) {
    std::string data;
    if (RegisterData(attributes, min_attribute, &data) && data.size() >= 2) {
      rule_->nat.port_min = netlink::LoadBe16(netlink::AsBytes(data), 0);
      rule_->nat.port_max = rule_->nat.port_min;
    }
    if (RegisterData(attributes, max_attribute, &data) && data.size() >= 2) {
      rule_->nat.port_max = netlink::LoadBe16(netlink::AsBytes(data), 0);
    }
  }

  void Nat(const AttributeIndex& attributes) {
    const uint32_t type = attributes.Be32(NFTA_NAT_TYPE).value_or(~0u);
    if (type != NFT_NAT_SNAT && type != NFT_NAT_DNAT) return NotUnderstood("nat <unknown type>");
    SetAction(type == NFT_NAT_SNAT ? Action::kSnat : Action::kDnat);
    const uint32_t family = attributes.Be32(NFTA_NAT_FAMILY).value_or(NFPROTO_UNSPEC);
    rule_->nat.family = family == NFPROTO_IPV4 ? Family::kIpv4 : family == NFPROTO_IPV6 ? Family::kIpv6 : Family::kUnspec;
    if (attributes.Has(NFTA_NAT_REG_ADDR_MIN)) {
      std::string address;
      if (RegisterData(attributes, NFTA_NAT_REG_ADDR_MIN, &address)) {
        const size_t size = rule_->nat.family == Family::kIpv6 ? 16 : 4;
        rule_->nat.address_min = address.substr(0, size);
        rule_->nat.address_max = rule_->nat.address_min;
        if (RegisterData(attributes, NFTA_NAT_REG_ADDR_MAX, &address)) rule_->nat.address_max = address.substr(0, size);
      } else {
        rule_->nat.unknown_address = true;  // from a map or another expression
      }
    }
    Ports(attributes, NFTA_NAT_REG_PROTO_MIN, NFTA_NAT_REG_PROTO_MAX);
  }

  void Masquerade(const AttributeIndex& attributes, Action action, uint16_t min_attribute, uint16_t max_attribute) {
    SetAction(action);
    Ports(attributes, min_attribute, max_attribute);
  }

  void Compat(bool is_match, const AttributeIndex& attributes) {
    rule_->compat = true;
    // NFTA_MATCH_* and NFTA_TARGET_* number NAME, REV and INFO alike.
    const std::string_view name = attributes.String(NFTA_MATCH_NAME).value_or("");
    const uint32_t revision = attributes.Be32(NFTA_MATCH_REV).value_or(0);
    const Bytes info = attributes.Payload(NFTA_MATCH_INFO);
    const Family family = NetworkFamily() == Family::kIpv6 ? Family::kIpv6 : Family::kIpv4;
    if (revision > 255) return NotUnderstood(absl::StrCat(is_match ? "match " : "target ", name));
    if (is_match) return AddXtMatch(name, static_cast<uint8_t>(revision), info, family, rule_);
    SetXtTarget(name, static_cast<uint8_t>(revision), info, family, rule_);
  }

  Family table_family_;
  Family checked_family_ = Family::kUnspec;
  Rule* rule_;
  const SetResolver* sets_;
  std::array<Register, kSlots> registers_;
  bool unknown_statement_ = false;
};

}  // namespace

void DecodeNftExpressions(Bytes expressions, Family table_family, Rule* rule, const SetResolver* sets) {
  Decoder decoder(table_family, rule, sets);
  AttributeReader list(expressions);
  Attribute element;
  while (list.Next(&element)) {
    if (element.type != NFTA_LIST_ELEM) continue;
    const AttributeIndex expression(element.payload, NFTA_EXPR_DATA);
    const auto name = expression.String(NFTA_EXPR_NAME);
    if (!name || expression.malformed()) {
      rule->uncertain = true;
      rule->opaque.push_back("<malformed expression>");
      continue;
    }
    decoder.Expression(*name, expression.Payload(NFTA_EXPR_DATA));
  }
  if (list.malformed()) {
    rule->uncertain = true;
    rule->opaque.push_back("<malformed expression list>");
  }
  decoder.Finish();
}

}  // namespace phantun_runtime::netfilter
