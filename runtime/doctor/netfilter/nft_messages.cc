#include "runtime/doctor/netfilter/nft_messages.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

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

bool ParseNftRule(const netlink::Message& message, NftRule* parsed) {
  Bytes attributes;
  if (!Open(message, NFT_MSG_NEWRULE, &parsed->family, &attributes)) return false;
  const AttributeIndex index(attributes, kMaxAttribute);
  const auto table = index.String(NFTA_RULE_TABLE);
  const auto chain = index.String(NFTA_RULE_CHAIN);
  if (!table || !chain) return false;
  parsed->table = std::string(*table);
  parsed->chain = std::string(*chain);
  parsed->rule.handle = index.Be64(NFTA_RULE_HANDLE).value_or(0);
  DecodeNftExpressions(index.Payload(NFTA_RULE_EXPRESSIONS), parsed->family, &parsed->rule);
  return true;
}

}  // namespace phantun_runtime::netfilter
