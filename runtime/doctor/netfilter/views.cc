#include "runtime/doctor/netfilter/views.h"

#include <string_view>

namespace phantun_runtime::netfilter {
namespace {

// Whether a table's chains see routed IPv4/IPv6 traffic at all.
bool OnRoutedPath(const Table& table) {
  return !table.dormant &&
         (table.family == Family::kIpv4 || table.family == Family::kIpv6 || table.family == Family::kInet);
}

int ChainIndex(const Table& table, std::string_view name) {
  for (size_t i = 0; i < table.chains.size(); ++i) {
    if (table.chains[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool NatAction(Action action, NatKind* kind) {
  switch (action) {
    case Action::kMasquerade: *kind = NatKind::kMasquerade; return true;
    case Action::kSnat: *kind = NatKind::kSnat; return true;
    case Action::kDnat: *kind = NatKind::kDnat; return true;
    case Action::kRedirect: *kind = NatKind::kRedirect; return true;
    default: return false;
  }
}

// Marks every chain reachable from `start` through jumps and gotos.
void MarkReachable(const Table& table, int start, std::vector<bool>* reached) {
  if (start < 0 || (*reached)[start]) return;
  (*reached)[start] = true;
  for (const Rule& rule : table.chains[start].rules) {
    if (rule.action == Action::kJump || rule.action == Action::kGoto) {
      MarkReachable(table, ChainIndex(table, rule.target_chain), reached);
    }
  }
}

}  // namespace

std::vector<NatRule> CollectNatRules(const Ruleset& ruleset) {
  std::vector<NatRule> found;
  for (const Table& table : ruleset.tables) {
    if (!OnRoutedPath(table)) continue;
    for (size_t base = 0; base < table.chains.size(); ++base) {
      const Chain& base_chain = table.chains[base];
      if (!base_chain.base) continue;
      std::vector<bool> reached(table.chains.size(), false);
      MarkReachable(table, static_cast<int>(base), &reached);
      for (size_t index = 0; index < table.chains.size(); ++index) {
        if (!reached[index]) continue;
        const Chain& chain = table.chains[index];
        for (const Rule& rule : chain.rules) {
          NatKind kind;
          if (!NatAction(rule.action, &kind)) continue;
          NatRule nat;
          nat.source = table.source;
          nat.family = table.family;
          nat.table = table.name;
          nat.chain = chain.name;
          nat.hook = base_chain.hook;
          nat.kind = kind;
          nat.conditions = rule.conditions;
          nat.opaque = rule.opaque;
          nat.to = rule.nat;
          nat.uncertain = rule.uncertain;
          nat.text = rule.text;
          found.push_back(std::move(nat));
        }
      }
    }
  }
  return found;
}

std::vector<ForwardChain> CollectForwardChains(const Ruleset& ruleset) {
  std::vector<ForwardChain> found;
  for (const Table& table : ruleset.tables) {
    if (!OnRoutedPath(table)) continue;
    for (const Chain& chain : table.chains) {
      if (chain.base && chain.hook == Hook::kForward) found.push_back(ForwardChain{&table, &chain});
    }
  }
  return found;
}

}  // namespace phantun_runtime::netfilter
