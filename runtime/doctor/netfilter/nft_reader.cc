#include "runtime/doctor/netfilter/nft_reader.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>

#include <string_view>
#include <utility>
#include <vector>

#include "runtime/doctor/netfilter/nft_messages.h"
#include "runtime/doctor/netfilter/render.h"
#include "runtime/doctor/netlink/dump_request.h"

namespace phantun_runtime::netfilter {
namespace {

constexpr int kAttempts = 3;

Table* FindTable(std::vector<Table>* tables, Family family, std::string_view name) {
  for (Table& table : *tables) {
    if (table.family == family && table.name == name) return &table;
  }
  return nullptr;
}

Chain* FindChain(Table* table, std::string_view name) {
  for (Chain& chain : table->chains) {
    if (chain.name == name) return &chain;
  }
  return nullptr;
}

bool IsIptablesName(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view known : names) {
    if (name == known) return true;
  }
  return false;
}

// iptables-nft keeps iptables's table and chain names; a rule made of compat expressions gives it
// away too. (A hand-written nft table that copies all of iptables's names is counted as
// iptables-nft: it reads the same either way.)
bool MadeByIptablesNft(const Table& table) {
  for (const Chain& chain : table.chains) {
    for (const Rule& rule : chain.rules) {
      if (rule.compat) return true;
    }
  }
  if (table.family != Family::kIpv4 && table.family != Family::kIpv6) return false;
  if (!IsIptablesName(table.name, {"filter", "nat", "mangle", "raw", "security"})) return false;
  bool any_base = false;
  for (const Chain& chain : table.chains) {
    if (!chain.base) continue;
    any_base = true;
    if (!IsIptablesName(chain.name, {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"})) return false;
  }
  return any_base;
}

Status Dump(const doctor::Host& host, uint8_t nft_message, netlink::MessageCallback on_message) {
  return host.Dump(NETLINK_NETFILTER, netlink::NftablesType(nft_message), NFPROTO_UNSPEC, on_message);
}

Status ReadOnce(const doctor::Host& host, std::vector<Table>* tables) {
  Status status = Dump(host, NFT_MSG_GETTABLE, [&](const netlink::Message& message) {
    Table table;
    if (ParseNftTable(message, &table)) tables->push_back(std::move(table));
  });
  if (!status.ok()) return status;
  status = Dump(host, NFT_MSG_GETCHAIN, [&](const netlink::Message& message) {
    NftChain parsed;
    if (!ParseNftChain(message, &parsed)) return;
    // A table created between the two dumps is not in the list; its chains are left out with it.
    if (Table* table = FindTable(tables, parsed.family, parsed.table)) table->chains.push_back(std::move(parsed.chain));
  });
  if (!status.ok()) return status;
  return Dump(host, NFT_MSG_GETRULE, [&](const netlink::Message& message) {
    NftRule parsed;
    if (!ParseNftRule(message, &parsed)) return;
    Table* table = FindTable(tables, parsed.family, parsed.table);
    Chain* chain = table == nullptr ? nullptr : FindChain(table, parsed.chain);
    if (chain != nullptr) chain->rules.push_back(std::move(parsed.rule));
  });
}

}  // namespace

Status ReadNftables(const doctor::Host& host, Ruleset* ruleset) {
  std::vector<Table> tables;
  Status status;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    tables.clear();
    status = ReadOnce(host, &tables);
    if (status.code() != Status::Code::kAborted) break;
  }
  if (!status.ok()) return status;
  for (Table& table : tables) {
    if (MadeByIptablesNft(table)) table.source = Source::kIptablesNft;
    for (Chain& chain : table.chains) {
      for (Rule& rule : chain.rules) {
        rule.text = table.source == Source::kIptablesNft ? RenderIptablesRule(rule, chain.name)
                                                         : RenderNftRule(rule, table.family);
      }
    }
    ruleset->tables.push_back(std::move(table));
  }
  return status;
}

}  // namespace phantun_runtime::netfilter
