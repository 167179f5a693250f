#include "runtime/doctor/host.h"

#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>

#include "absl/strings/ascii.h"
#include "runtime/doctor/netlink/attribute.h"

namespace phantun_runtime::doctor {

Status Host::DumpChainRules(uint8_t family, const std::string& table, const std::string& chain,
                            netlink::MessageCallback on_message) const {
  constexpr size_t kNfgenmsgSize = 4;
  // Every family, as the nftables reader dumps tables and chains: the family is in each message.
  return Dump(NETLINK_NETFILTER, netlink::NftablesType(NFT_MSG_GETRULE), 0, [&](const netlink::Message& message) {
    if (message.payload.size() < kNfgenmsgSize || message.payload[0] != family) return;
    const netlink::AttributeIndex attributes(netlink::AttributesAfterHeader(message.payload, kNfgenmsgSize),
                                             NFTA_RULE_CHAIN);
    if (attributes.String(NFTA_RULE_TABLE) == table && attributes.String(NFTA_RULE_CHAIN) == chain) on_message(message);
  });
}

StatusOr<std::string> ReadTrimmed(const Host& host, const std::string& path) {
  StatusOr<std::string> content = host.ReadFile(path);
  if (content.ok()) absl::StripTrailingAsciiWhitespace(&*content);
  return content;
}

Status Host::DumpSetElements(uint8_t, const std::string&, const std::string&, netlink::MessageCallback) const {
  return Status(Status::Code::kUnimplemented, "this host cannot dump nf_tables set elements");
}

}  // namespace phantun_runtime::doctor
