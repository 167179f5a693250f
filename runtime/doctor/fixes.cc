#include "runtime/doctor/fixes.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "runtime/doctor/context.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netfilter/host_netfilter.h"

namespace phantun_runtime::doctor {
namespace {

using netfilter::Action;
using netfilter::Family;
using netfilter::Hook;
using netfilter::Ruleset;
using netfilter::Source;
using netfilter::Table;

constexpr int kMaxRounds = 4;  // rules added one after another for one packet, at most

const Table& TableOf(const Ruleset& ruleset, const Addition& addition) {
  return ruleset.tables[static_cast<size_t>(addition.table)];
}

// The command that puts the addition at the top of its chain.
std::string InsertCommand(const Ruleset& ruleset, const Addition& addition) {
  const Table& table = TableOf(ruleset, addition);
  const std::string& chain = table.chains[static_cast<size_t>(addition.chain)].name;
  if (table.source == Source::kNftables) {
    return absl::StrCat("nft insert rule ", netfilter::FamilyName(table.family), " ", table.name, " ", chain, " ",
                        NftRuleText(addition.spec, table.family));
  }
  return absl::StrCat(IptablesBinary(table), " -t ", table.name, " -I ", chain, " 1 ", IptablesRuleText(addition.spec));
}

std::string Commands(const Ruleset& ruleset, const std::vector<Addition>& additions) {
  std::string commands;
  for (const Addition& addition : additions) {
    absl::StrAppend(&commands, commands.empty() ? "" : "; ", InsertCommand(ruleset, addition));
  }
  return commands;
}

// An accept for the packet as it met the chain (its interfaces; its port when the hook knows no
// output interface), at the top of the base chain the drop happened in, or of DOCKER-USER.
Addition AcceptFor(const Ruleset& ruleset, int table_index, int chain_index, const netfilter::Packet& packet,
                   const std::string& comment) {
  const Table& table = ruleset.tables[static_cast<size_t>(table_index)];
  const netfilter::Chain& base = table.chains[static_cast<size_t>(chain_index)];
  Addition addition;
  addition.table = table_index;
  addition.chain = chain_index;
  if (table.source != Source::kNftables && base.name == "FORWARD") {
    // Docker rebuilds FORWARD when it starts, but leaves DOCKER-USER, which FORWARD jumps to first.
    for (size_t i = 0; i < table.chains.size(); ++i) {
      if (table.chains[i].name == "DOCKER-USER") addition.chain = static_cast<int>(i);
    }
  }
  RuleSpec& spec = addition.spec;
  spec.action = Action::kAccept;
  spec.comment = comment;
  spec.tcp = true;
  const bool has_oif = base.hook == Hook::kForward || base.hook == Hook::kPostrouting || base.hook == Hook::kOutput;
  spec.iifname = packet.iifname;
  if (has_oif) spec.oifname = packet.oifname;
  if (!has_oif || packet.iifname.empty()) {
    // Without both interfaces, the port says which packets are phantun's.
    (packet.dport == 0 ? spec.sport : spec.dport) = packet.dport == 0 ? packet.sport : packet.dport;
  }
  return addition;
}

// Every path of the packet's new trace passes the check.
bool Passes(const Context& context, Blame blame, const PhantunTrace& failing, const Ruleset& ruleset,
            netfilter::Trace* retraced) {
  *retraced = netfilter::TracePacket(ruleset, context.network, failing.request);
  for (const netfilter::Path& path : retraced->paths) {
    const Blame found = JudgePath(context, failing.role, path).blame;
    if (found == blame || found == Blame::kUnknown) return false;
  }
  return true;
}

bool AnyDropped(const Context& context, PacketRole role, const netfilter::Trace& trace) {
  for (const netfilter::Path& path : trace.paths) {
    if (JudgePath(context, role, path).blame == Blame::kChains) return true;
  }
  return false;
}

// The nat base chains of `hook` that see the family, in the order the kernel runs them, as
// indexes of table and chain.
std::vector<std::pair<int, int>> NatChains(const Ruleset& ruleset, Hook hook, Family family) {
  std::vector<std::pair<int, int>> found;
  for (const netfilter::BaseChain& base : netfilter::BaseChainsOn(ruleset, hook, family)) {
    if (!netfilter::IsNatChain(*base.table, *base.chain)) continue;
    found.emplace_back(static_cast<int>(base.table - ruleset.tables.data()), static_cast<int>(base.index));
  }
  return found;
}

// Accepts added until no chain drops the packet; `copy` is the ruleset to add them to, `trace`
// the packet's trace through it. nullopt when they do not make it pass.
std::optional<std::vector<Addition>> ChainsAccepts(const Context& context, const PhantunTrace& failing,
                                                   const std::string& comment, Ruleset* copy, netfilter::Trace trace) {
  std::vector<Addition> additions;
  for (int round = 0; round < kMaxRounds; ++round) {
    // The first path that a chain drops: an accept at the top of that chain.
    const netfilter::Path* dropped = nullptr;
    for (const netfilter::Path& path : trace.paths) {
      if (JudgePath(context, failing.role, path).blame == Blame::kChains) {
        dropped = &path;
        break;
      }
    }
    // Nothing drops it, yet it did not pass: it fails on something an accept cannot change (or
    // that the doctor cannot tell), so no accept is proven to help.
    if (dropped == nullptr) return std::nullopt;
    const netfilter::Hop& hop = dropped->hops[static_cast<size_t>(dropped->decisive)];
    if (hop.table < 0 || hop.chain < 0) return std::nullopt;
    additions.push_back(AcceptFor(*copy, hop.table, hop.chain, dropped->packet, comment));
    Apply(additions.back(), copy);
    if (Passes(context, Blame::kChains, failing, *copy, &trace)) return additions;
  }
  return std::nullopt;
}

// A SYN that now gets through has a reply, which the same host may drop on its way back (a
// forward chain with policy drop and no accept of established traffic): the accepts it needs,
// proven on the reply's own trace. Empty when it needs none or none can help.
std::vector<Addition> ReplyAccepts(const Context& context, const PhantunTrace& syn, const std::string& comment,
                                   Ruleset* copy, const netfilter::Trace& retraced) {
  if (syn.role != PacketRole::kServerSyn && syn.role != PacketRole::kClientSyn) return {};
  PhantunTrace now{syn.role, syn.request, retraced};
  PhantunTrace reply;
  reply.role = syn.role == PacketRole::kServerSyn ? PacketRole::kServerReply : PacketRole::kClientReply;
  reply.request = ReplyRequest(context, now);
  if (reply.request.name.empty()) return {};
  reply.trace = netfilter::TracePacket(*copy, context.network, reply.request);
  if (!AnyDropped(context, reply.role, reply.trace)) return {};
  return ChainsAccepts(context, reply, comment, copy, reply.trace).value_or(std::vector<Addition>());
}

// Once the NAT is right, the packet goes further than before and may meet a chain that drops it:
// the fix then includes the accepts that let it through, so that what is printed makes the
// packet arrive, not just pass this one check.
std::string WithAccepts(const Context& context, const PhantunTrace& failing, const std::string& nat_command,
                        Ruleset with_nat, const netfilter::Trace& retraced) {
  PhantunTrace now{failing.role, failing.request, retraced};
  const std::optional<std::vector<Addition>> accepts = AcceptsThrough(context, now, "", &with_nat);
  if (!accepts.has_value() || accepts->empty()) return nat_command;
  return absl::StrCat(nat_command, "; ", Commands(with_nat, *accepts));
}

// A new nftables table of phantun's own with one nat chain, for a host with no nat chain at all;
// returns its index in `ruleset` and sets the commands that create it.
int NewNatTable(Hook hook, Ruleset* ruleset, std::string* table_command) {
  Table table;
  table.source = Source::kNftables;
  table.family = Family::kInet;
  table.name = "phantun";
  netfilter::Chain chain;
  chain.base = true;
  chain.type = "nat";
  chain.hook = hook;
  chain.name = hook == Hook::kPrerouting ? "prerouting" : "postrouting";
  chain.priority = hook == Hook::kPrerouting ? -100 : 100;
  table.chains.push_back(chain);
  ruleset->tables.push_back(table);
  *table_command = absl::StrCat("nft add table inet phantun; nft 'add chain inet phantun ", chain.name, " { type nat hook ",
                                chain.name, " priority ", hook == Hook::kPrerouting ? "dstnat" : "srcnat",
                                "; policy accept; }'");
  return static_cast<int>(ruleset->tables.size()) - 1;
}

std::string NatFix(const Context& context, Blame blame, const PhantunTrace& failing) {
  const netfilter::Packet& start = failing.request.packet;
  const bool server = failing.role == PacketRole::kServerSyn;
  if (!server && failing.role != PacketRole::kClientSyn) return "";
  const Hook hook = server ? Hook::kPrerouting : Hook::kPostrouting;
  // The client's packet as it reaches postrouting: its route decided its output interface.
  netfilter::Packet at_hook = start;
  if (!server) {
    if (failing.trace.paths.empty()) return "";
    const netfilter::Path& path = failing.trace.paths.front();
    if (path.packet.oifname.empty()) return "";
    at_hook.oifname = path.packet.oifname;
    at_hook.oifindex = path.packet.oifindex;
  }
  const auto nat_for = [&](const Ruleset& ruleset, int table, int chain) {
    return server ? DnatFor(table, chain, context, at_hook, "") : MasqueradeFor(ruleset, table, chain, at_hook, "");
  };
  const Ruleset& ruleset = context.netfilter.ruleset;
  netfilter::Trace retraced;
  for (const auto& [table, chain] : NatChains(ruleset, hook, start.family)) {
    Ruleset copy = ruleset;
    const Addition addition = nat_for(copy, table, chain);
    Apply(addition, &copy);
    if (Passes(context, blame, failing, copy, &retraced)) {
      // The command first: the arguments below may be evaluated in any order, and `copy` is moved.
      const std::string command = InsertCommand(copy, addition);
      return WithAccepts(context, failing, command, std::move(copy), retraced);
    }
  }
  Ruleset copy = ruleset;
  std::string table_command;
  const Addition addition = nat_for(copy, NewNatTable(hook, &copy, &table_command), 0);
  Apply(addition, &copy);
  if (Passes(context, blame, failing, copy, &retraced)) {
    const Table& table = TableOf(copy, addition);
    const std::string rule_command = absl::StrCat("nft add rule inet ", table.name, " ", table.chains[0].name, " ",
                                                  NftRuleText(addition.spec, table.family));
    return WithAccepts(context, failing, absl::StrCat(table_command, "; ", rule_command), std::move(copy), retraced);
  }
  return "";
}

}  // namespace

// The DNAT phantun's server needs, at the top of a nat prerouting chain.
Addition DnatFor(int table_index, int chain_index, const Context& context, const netfilter::Packet& syn,
                 const std::string& comment) {
  Addition addition;
  addition.table = table_index;
  addition.chain = chain_index;
  RuleSpec& spec = addition.spec;
  spec.action = Action::kDnat;
  spec.family = syn.family;
  spec.iifname = syn.iifname;
  spec.tcp = true;
  spec.dport = syn.dport;
  spec.to = syn.family == Family::kIpv6 ? context.options.tun_peer6 : context.options.tun_peer;
  spec.comment = comment;
  return addition;
}

// The masquerade phantun's client needs, at the top of a nat postrouting chain: of what comes
// from the TUN (nft), or from the TUN peer address (iptables has no -i in POSTROUTING).
Addition MasqueradeFor(const Ruleset& ruleset, int table_index, int chain_index, const netfilter::Packet& out,
                       const std::string& comment) {
  Addition addition;
  addition.table = table_index;
  addition.chain = chain_index;
  RuleSpec& spec = addition.spec;
  spec.action = Action::kMasquerade;
  if (ruleset.tables[static_cast<size_t>(table_index)].source == Source::kNftables) {
    spec.iifname = out.iifname;
  } else {
    spec.saddr = netfilter::FormatIpAddress(out.saddr);
  }
  spec.oifname = out.oifname;
  spec.comment = comment;
  return addition;
}

std::string IptablesBinary(const Table& table) {
  const bool v6 = table.family == Family::kIpv6;
  if (table.source == Source::kIptablesLegacy) return v6 ? "ip6tables-legacy" : "iptables-legacy";
  return v6 ? "ip6tables-nft" : "iptables-nft";
}

void Apply(const Addition& addition, Ruleset* ruleset) {
  Table& table = ruleset->tables[static_cast<size_t>(addition.table)];
  auto& rules = table.chains[static_cast<size_t>(addition.chain)].rules;
  rules.insert(rules.begin(), ModelRule(addition.spec, table.family));
}

std::optional<std::vector<Addition>> AcceptsThrough(const Context& context, const PhantunTrace& syn,
                                                     const std::string& comment, Ruleset* copy) {
  std::vector<Addition> additions;
  netfilter::Trace through = syn.trace;
  if (AnyDropped(context, syn.role, syn.trace)) {
    std::optional<std::vector<Addition>> accepts = ChainsAccepts(context, syn, comment, copy, syn.trace);
    if (!accepts.has_value()) return std::nullopt;
    additions = std::move(*accepts);
    through = netfilter::TracePacket(*copy, context.network, syn.request);
  }
  for (Addition& addition : ReplyAccepts(context, syn, comment, copy, through)) additions.push_back(std::move(addition));
  return additions;
}

std::string ProvenFix(const Context& context, Blame blame, const PhantunTrace& failing) {
  if (blame == Blame::kNat) return NatFix(context, blame, failing);
  if (blame != Blame::kChains) return "";
  Ruleset copy = context.netfilter.ruleset;
  const std::optional<std::vector<Addition>> accepts = AcceptsThrough(context, failing, "", &copy);
  return accepts.has_value() ? Commands(copy, *accepts) : "";
}

}  // namespace phantun_runtime::doctor
