#include "runtime/doctor/netfilter/nft_messages.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>

#include "runtime/doctor/netfilter/nft_expr.h"
#include "runtime/doctor/netlink/attribute.h"

namespace phantun_runtime::netfilter {
namespace {

using netlink::AttributeIndex;
using netlink::Bytes;

constexpr size_t kNfgenmsgSize = 4;  // struct nfgenmsg: family, version, res_id
constexpr uint16_t kMaxAttribute = 16;

// The family byte and the attributes of an nf_tables message of `nft_type`.
bool Open(const netlink::Message& message, uint8_t nft_type, Family* family, Bytes* attributes) {
  if (message.type != ((NFNL_SUBSYS_NFTABLES << 8) | nft_type) || message.payload.size() < kNfgenmsgSize) {
    return false;
  }
  *family = static_cast<Family>(message.payload[0]);
  *attributes = netlink::AttributesAfterHeader(message.payload, kNfgenmsgSize);
  return true;
}

}  // namespace

uint16_t NftGeneration(const netlink::Message& message) {
  if (message.payload.size() < kNfgenmsgSize) return 0;
  return netlink::LoadBe16(message.payload, 2);
}

Hook HookOf(Family family, uint32_t hook_number) {
  // ip, ip6, inet and bridge number their hooks like NF_INET_*; netdev and arp have their own.
  if (family != Family::kIpv4 && family != Family::kIpv6 && family != Family::kInet && family != Family::kBridge) {
    return Hook::kOther;
  }
  switch (hook_number) {
    case NF_INET_PRE_ROUTING: return Hook::kPrerouting;
    case NF_INET_LOCAL_IN: return Hook::kInput;
    case NF_INET_FORWARD: return Hook::kForward;
    case NF_INET_LOCAL_OUT: return Hook::kOutput;
    case NF_INET_POST_ROUTING: return Hook::kPostrouting;
  }
  return Hook::kOther;
}

bool ParseNftTable(const netlink::Message& message, Table* table) {
  Bytes attributes;
  if (!Open(message, NFT_MSG_NEWTABLE, &table->family, &attributes)) return false;
  const AttributeIndex index(attributes, kMaxAttribute);
  const auto name = index.String(NFTA_TABLE_NAME);
  if (!name) return false;
  table->name = std::string(*name);
  table->dormant = (index.Be32(NFTA_TABLE_FLAGS).value_or(0) & NFT_TABLE_F_DORMANT) != 0;
  return true;
}

bool ParseNftChain(const netlink::Message& message, NftChain* parsed) {
  Bytes attributes;
  if (!Open(message, NFT_MSG_NEWCHAIN, &parsed->family, &attributes)) return false;
  const AttributeIndex index(attributes, kMaxAttribute);
  const auto table = index.String(NFTA_CHAIN_TABLE);
  const auto name = index.String(NFTA_CHAIN_NAME);
  if (!table || !name) return false;
  parsed->table = std::string(*table);
  Chain& chain = parsed->chain;
  chain.name = std::string(*name);
  if (const netlink::Attribute* hook = index.Get(NFTA_CHAIN_HOOK)) {
    const AttributeIndex hook_index(hook->payload, kMaxAttribute);
    const auto number = hook_index.Be32(NFTA_HOOK_HOOKNUM);
    if (number) {
      chain.base = true;
      chain.hook = HookOf(parsed->family, *number);
      chain.priority = static_cast<int32_t>(hook_index.Be32(NFTA_HOOK_PRIORITY).value_or(0));
    }
  }
  chain.type = std::string(index.String(NFTA_CHAIN_TYPE).value_or(""));
  chain.policy = index.Be32(NFTA_CHAIN_POLICY).value_or(NF_ACCEPT) == NF_DROP ? Action::kDrop : Action::kAccept;
  return true;
}

bool ParseNftRule(const netlink::Message& message, NftRule* parsed, const SetResolver* sets) {
  Bytes attributes;
  if (!Open(message, NFT_MSG_NEWRULE, &parsed->family, &attributes)) return false;
  const AttributeIndex index(attributes, kMaxAttribute);
  const auto table = index.String(NFTA_RULE_TABLE);
  const auto chain = index.String(NFTA_RULE_CHAIN);
  if (!table || !chain) return false;
  parsed->table = *table;
  parsed->chain = *chain;
  parsed->rule.handle = index.Be64(NFTA_RULE_HANDLE).value_or(0);
  DecodeNftExpressions(index.Payload(NFTA_RULE_EXPRESSIONS), parsed->family, &parsed->rule, sets);
  return true;
}

bool ParseNftSetElements(const netlink::Message& message, NftSetElements* elements) {
  Family family;
  Bytes attributes;
  if (!Open(message, NFT_MSG_NEWSETELEM, &family, &attributes)) return false;
  const AttributeIndex index(attributes, kMaxAttribute);
  netlink::AttributeReader list(index.Payload(NFTA_SET_ELEM_LIST_ELEMENTS));
  netlink::Attribute element;
  while (list.Next(&element)) {
    if (element.type != NFTA_LIST_ELEM) continue;
    const AttributeIndex fields(element.payload, NFTA_SET_ELEM_KEY_END);
    NftSetElements::Key key;
    netlink::Attribute value;
    const netlink::Attribute* key_attribute = fields.Get(NFTA_SET_ELEM_KEY);
    if (key_attribute == nullptr || !netlink::FindAttribute(key_attribute->payload, NFTA_DATA_VALUE, &value)) {
      // Only the catch-all element of a set has no key; nothing the doctor's fields can match.
      if ((fields.Be32(NFTA_SET_ELEM_FLAGS).value_or(0) & NFT_SET_ELEM_CATCHALL) == 0) elements->malformed = true;
      continue;
    }
    key.key = std::string(netlink::AsText(value.payload));
    if (const netlink::Attribute* end = fields.Get(NFTA_SET_ELEM_KEY_END)) {
      if (netlink::FindAttribute(end->payload, NFTA_DATA_VALUE, &value)) key.key_end = std::string(netlink::AsText(value.payload));
    }
    key.interval_end = (fields.Be32(NFTA_SET_ELEM_FLAGS).value_or(0) & NFT_SET_ELEM_INTERVAL_END) != 0;
    elements->keys.push_back(std::move(key));
  }
  if (list.malformed()) elements->malformed = true;
  return true;
}

namespace {

// The key just before `key` (big-endian, as an interval's exclusive end is stored); all zeros
// stays all zeros.
std::string Previous(std::string key) {
  for (size_t i = key.size(); i-- > 0;) {
    if (key[i] != '\0') {
      key[i] = static_cast<char>(static_cast<uint8_t>(key[i]) - 1);
      return key;
    }
    key[i] = '\xff';
  }
  return std::string(key.size(), '\0');
}

}  // namespace

std::vector<std::pair<std::string, std::string>> NftSetRanges(const NftSetElements& elements) {
  std::vector<std::pair<std::string, std::string>> ranges;
  bool intervals = false;
  for (const NftSetElements::Key& key : elements.keys) intervals |= key.interval_end;
  if (!intervals) {
    for (const NftSetElements::Key& key : elements.keys) {
      ranges.emplace_back(key.key, key.key_end.empty() ? key.key : key.key_end);
    }
    return ranges;
  }
  // An rbtree interval set: starts, and the first key after each interval flagged as an end. In
  // key order (an end before a start of the same key: adjacent intervals), each start opens an
  // interval that the next end closes; one left open runs to the largest key.
  // qsort over pointers: std::sort over the keys themselves costs 8 KB of code in the binary.
  std::vector<const NftSetElements::Key*> keys;
  keys.reserve(elements.keys.size());
  for (const NftSetElements::Key& key : elements.keys) keys.push_back(&key);
  qsort(keys.data(), keys.size(), sizeof(keys[0]), [](const void* left, const void* right) {
    const NftSetElements::Key& a = **static_cast<const NftSetElements::Key* const*>(left);
    const NftSetElements::Key& b = **static_cast<const NftSetElements::Key* const*>(right);
    if (const int order = a.key.compare(b.key); order != 0) return order;
    return static_cast<int>(b.interval_end) - static_cast<int>(a.interval_end);  // an end first
  });
  const std::string* open = nullptr;
  for (const NftSetElements::Key* pointer : keys) {
    const NftSetElements::Key& key = *pointer;
    if (!key.interval_end) {
      if (open == nullptr) open = &key.key;
    } else if (open != nullptr) {
      if (key.key > *open) ranges.emplace_back(*open, Previous(key.key));
      open = nullptr;
    }
  }
  if (open != nullptr) ranges.emplace_back(*open, std::string(open->size(), '\xff'));
  return ranges;
}

}  // namespace phantun_runtime::netfilter
