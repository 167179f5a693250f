#include "runtime/doctor/netfilter/nft_reader.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>

#include <deque>
#include <optional>
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

// The sets of one table, asked of the kernel the first time a rule looks one up, and kept.
class TableSets final : public SetResolver {
 public:
  TableSets(const doctor::Host& host, const Table& table) : host_(host), table_(table) {}

  const SetRanges* Find(const std::string& name) const override {
    for (const auto& [known, ranges] : found_) {
      if (known == name) return ranges ? &*ranges : nullptr;
    }
    NftSetElements elements;
    const Status status = host_.DumpSetElements(static_cast<uint8_t>(table_.family), table_.name, name,
                                                [&](const netlink::Message& message) {
                                                  ParseNftSetElements(message, &elements);
                                                });
    std::optional<SetRanges> ranges;
    if (status.ok() && !elements.malformed) ranges = NftSetRanges(elements);
    found_.emplace_back(name, std::move(ranges));
    return found_.back().second ? &*found_.back().second : nullptr;
  }

 private:
  const doctor::Host& host_;
  const Table& table_;
  // A deque: the ranges handed out stay where they are while more sets are added.
  mutable std::deque<std::pair<std::string, std::optional<SetRanges>>> found_;
};

Status Changed() { return Status(Status::Code::kAborted, "nftables: the ruleset changed while it was read"); }

// Tables, then chains, then each chain's rules (Host::DumpChainRules): a dump per chain, the way
// iptables-nft-save reads, costs the kernel the same whatever the number of chains before it. The
// chain dumps are separate reads, so they are checked to be of one ruleset: every nf_tables
// message carries the ruleset's generation (NftGeneration), which must not change from the chain
// dump to the last rule; when it does, or a chain has gone, the whole read is repeated.
Status ReadOnce(const doctor::Host& host, std::vector<Table>* tables, NftRead read) {
  Status status = Dump(host, NFT_MSG_GETTABLE, [&](const netlink::Message& message) {
    Table table;
    if (ParseNftTable(message, &table)) tables->push_back(std::move(table));
  });
  if (!status.ok()) return status;
  std::optional<uint16_t> generation;
  bool changed = false;
  auto same_generation = [&](const netlink::Message& message) {
    const uint16_t seen = NftGeneration(message);
    if (!generation) generation = seen;
    if (seen != *generation) changed = true;
  };
  // The chain dump comes table by table, in the order of the table dump: look from the last one.
  size_t last_table = 0;
  status = Dump(host, NFT_MSG_GETCHAIN, [&](const netlink::Message& message) {
    NftChain parsed;
    if (!ParseNftChain(message, &parsed)) return;
    same_generation(message);
    Table* table = nullptr;
    if (last_table < tables->size() && (*tables)[last_table].family == parsed.family &&
        (*tables)[last_table].name == parsed.table) {
      table = &(*tables)[last_table];
    } else {
      // A table created between the two dumps is not in the list; its chains are left out with it.
      table = FindTable(tables, parsed.family, parsed.table);
      if (table != nullptr) last_table = static_cast<size_t>(table - tables->data());
    }
    if (table != nullptr) table->chains.push_back(std::move(parsed.chain));
  });
  if (!status.ok()) return status;
  if (read == NftRead::kChainsOnly) {
    for (Table& table : *tables) {
      for (Chain& chain : table.chains) chain.rules_read = false;
    }
    return changed ? Changed() : Status();
  }
  for (Table& table : *tables) {
    const TableSets sets(host, table);
    for (Chain& chain : table.chains) {
      status = host.DumpChainRules(static_cast<uint8_t>(table.family), table.name, chain.name,
                                   [&](const netlink::Message& message) {
                                     NftRule parsed;
                                     if (!ParseNftRule(message, &parsed, &sets)) return;
                                     same_generation(message);
                                     chain.rules.push_back(std::move(parsed.rule));
                                   });
      // ENOENT: the chain (or its table) was deleted since the chain dump.
      if (status.system_error() == ENOENT) return Changed();
      if (!status.ok()) return status;
      if (changed) return Changed();
    }
  }
  return changed ? Changed() : Status();
}

}  // namespace

Status ReadNftChainRules(const doctor::Host& host, const Table& table, Chain* chain) {
  const TableSets sets(host, table);
  std::vector<Rule> rules;
  const Status status = host.DumpChainRules(static_cast<uint8_t>(table.family), table.name, chain->name,
                                            [&](const netlink::Message& message) {
                                              NftRule parsed;
                                              if (ParseNftRule(message, &parsed, &sets)) rules.push_back(std::move(parsed.rule));
                                            });
  chain->rules_read = true;
  if (!status.ok()) {
    Rule unknown;
    unknown.action = Action::kUnknown;
    unknown.uncertain = true;
    unknown.text = std::string("<the chain's rules could not be read: ") + status.message() + ">";
    chain->rules = {std::move(unknown)};
    return status;
  }
  for (Rule& rule : rules) {
    rule.text = table.source == Source::kIptablesNft ? RenderIptablesRule(rule, chain->name)
                                                     : RenderNftRule(rule, table.family);
  }
  chain->rules = std::move(rules);
  return status;
}

Status ReadNftables(const doctor::Host& host, Ruleset* ruleset, NftRead read) {
  std::vector<Table> tables;
  Status status;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    tables.clear();
    status = ReadOnce(host, &tables, read);
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
