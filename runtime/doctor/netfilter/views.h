#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_VIEWS_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_VIEWS_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "runtime/doctor/netfilter/model.h"

namespace phantun_runtime::netfilter {

// The two slices of a Ruleset that the doctor's questions look at.

enum class NatKind : uint8_t { kMasquerade, kSnat, kDnat, kRedirect };

// One NAT rule in effect: in a NAT base chain, or in a chain that such a chain jumps to (then
// `hook` is the base chain's; a chain reached from two hooks yields one NatRule per hook).
struct NatRule {
  Source source = Source::kNftables;
  Family family = Family::kUnspec;  // the table's
  std::string table;
  std::string chain;
  Hook hook = Hook::kNone;
  NatKind kind = NatKind::kMasquerade;
  std::vector<Condition> conditions;
  std::vector<std::string> opaque;
  NatTarget to;            // to-address / to-port
  bool uncertain = false;  // the rule had something we did not understand
  std::string text;
};

std::vector<NatRule> CollectNatRules(const Ruleset& ruleset);

// A base chain on the forward hook (nftables, iptables-nft, or a legacy table's FORWARD chain).
// Points into the Ruleset, which must outlive it.
struct ForwardChain {
  const Table* table = nullptr;
  const Chain* chain = nullptr;
};

std::vector<ForwardChain> CollectForwardChains(const Ruleset& ruleset);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_VIEWS_H_
