#ifndef PHANTUN_RUNTIME_DOCTOR_FIXES_H_
#define PHANTUN_RUNTIME_DOCTOR_FIXES_H_

#include <optional>
#include <string>
#include <vector>

#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netfilter/trace.h"
#include "runtime/doctor/rule_text.h"
#include "runtime/doctor/traces.h"

namespace phantun_runtime::doctor {

struct Context;

// A fix for a failing nat.* or fwd.chains check that is proven before it is printed: the rules it
// adds are put into the doctor's copy of the ruleset, in the backend, family, table and chain
// where they would go (inserted ahead of whatever shadows them), and the failing packet is traced
// again. Only when no path of the new trace fails the check is the fix returned; otherwise "".
// The commands are for the backend that owns the chain: nft, iptables-nft or iptables-legacy
// (named explicitly, as `iptables` may be either), DOCKER-USER where Docker's chain exists.
std::string ProvenFix(const Context& context, Blame blame, const PhantunTrace& failing);

// What a fix or a setup recipe (setup_recipe.h) adds: one rule at the top of one chain of the
// doctor's ruleset (indexes into Ruleset::tables and Table::chains).
struct Addition {
  int table = -1;
  int chain = -1;
  RuleSpec spec;
};

// The DNAT phantun's server needs for `syn` (as it arrives: its interface, family and port): to
// the TUN peer address, at the top of chain `chain` of table `table`.
Addition DnatFor(int table, int chain, const Context& context, const netfilter::Packet& syn, const std::string& comment);

// The masquerade phantun's client needs for `out` (its packet as it leaves: the TUN as input
// interface, the TUN peer address as source, the WAN as output interface).
Addition MasqueradeFor(const netfilter::Ruleset& ruleset, int table, int chain, const netfilter::Packet& out,
                       const std::string& comment);

// Puts the addition's rule at the top of its chain in `ruleset`.
void Apply(const Addition& addition, netfilter::Ruleset* ruleset);

// The accepts that let a SYN through every chain of `copy` that drops it, and its reply back
// (each at the top of the base chain that dropped it, or of DOCKER-USER), added to `copy` as they
// are found; `syn` is the SYN's trace through `copy`. nullopt when the SYN is dropped and no
// accept is proven to let it through; an empty list when nothing drops it. `comment` goes on
// every rule.
std::optional<std::vector<Addition>> AcceptsThrough(const Context& context, const PhantunTrace& syn,
                                                     const std::string& comment, netfilter::Ruleset* copy);

// The binary that writes a table of iptables's: iptables-nft, ip6tables-legacy, ...
std::string IptablesBinary(const netfilter::Table& table);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_FIXES_H_
