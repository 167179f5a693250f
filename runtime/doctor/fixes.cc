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
using netfilter::Condition;
using netfilter::Family;
using netfilter::Field;
using netfilter::Hook;
using netfilter::Rule;
using netfilter::Ruleset;
using netfilter::Source;
using netfilter::Table;

constexpr size_t kInterfaceNameSize = 16;
constexpr int kMaxRounds = 4;  // rules added one after another for one packet, at most

Condition Exact(Field field, std::string value) {
  Condition condition;
  condition.field = field;
  condition.value = std::move(value);
  return condition;
}

Condition Interface(Field field, const std::string& name) {
  std::string padded = name;
  padded.resize(kInterfaceNameSize, '\0');
  return Exact(field, padded);
}

std::string Port(uint16_t port) { return std::string{static_cast<char>(port >> 8), static_cast<char>(port & 0xff)}; }

// What one fix adds to one chain: the model's rule and the command that adds it.
struct Addition {
  int table = -1;
  int chain = -1;
  Rule rule;
  std::string command;
};

std::string IptablesBinary(const Table& table) {
  const bool v6 = table.family == Family::kIpv6;
  if (table.source == Source::kIptablesLegacy) return v6 ? "ip6tables-legacy" : "iptables-legacy";
  return v6 ? "ip6tables-nft" : "iptables-nft";
}

// The command that inserts `nft_rule` / `iptables_rule` at the top of the chain.
std::string InsertCommand(const Table& table, const std::string& chain, const std::string& nft_rule,
                          const std::string& iptables_rule) {
  if (table.source == Source::kNftables) {
    return absl::StrCat("nft insert rule ", netfilter::FamilyName(table.family), " ", table.name, " ", chain, " ", nft_rule);
  }
  return absl::StrCat(IptablesBinary(table), " -t ", table.name, " -I ", chain, " 1 ", iptables_rule);
}

std::string Quoted(const std::string& name) { return absl::StrCat("\"", name, "\""); }

// The nft family keyword of a NAT address in an inet table ("ip"/"ip6"), nothing in ip/ip6 tables.
std::string NatFamily(const Table& table, Family family) {
  if (table.family != Family::kInet) return "";
  return family == Family::kIpv6 ? " ip6" : " ip";
}

// An accept for the packet as it met the chain (its interfaces; its port when the hook knows no
// output interface), at the top of the base chain the drop happened in, or of DOCKER-USER.
Addition AcceptFor(const Ruleset& ruleset, int table_index, int chain_index, const netfilter::Packet& packet) {
  const Table& table = ruleset.tables[static_cast<size_t>(table_index)];
  const netfilter::Chain& base = table.chains[static_cast<size_t>(chain_index)];
  Addition addition;
  addition.table = table_index;
  addition.chain = chain_index;
  std::string chain_name = base.name;
  if (table.source != Source::kNftables && base.name == "FORWARD") {
    // Docker rebuilds FORWARD when it starts, but leaves DOCKER-USER, which FORWARD jumps to first.
    for (size_t i = 0; i < table.chains.size(); ++i) {
      if (table.chains[i].name == "DOCKER-USER") {
        addition.chain = static_cast<int>(i);
        chain_name = "DOCKER-USER";
      }
    }
  }
  Rule& rule = addition.rule;
  rule.action = Action::kAccept;
  const bool has_oif = base.hook == Hook::kForward || base.hook == Hook::kPostrouting || base.hook == Hook::kOutput;
  std::string nft;
  std::string ipt;
  if (!packet.iifname.empty()) {
    rule.conditions.push_back(Interface(Field::kIifname, packet.iifname));
    absl::StrAppend(&nft, "iifname ", Quoted(packet.iifname), " ");
    absl::StrAppend(&ipt, "-i ", packet.iifname, " ");
  }
  if (has_oif && !packet.oifname.empty()) {
    rule.conditions.push_back(Interface(Field::kOifname, packet.oifname));
    absl::StrAppend(&nft, "oifname ", Quoted(packet.oifname), " ");
    absl::StrAppend(&ipt, "-o ", packet.oifname, " ");
  }
  rule.conditions.push_back(Exact(Field::kL4proto, std::string(1, '\x06')));
  if (!has_oif || packet.iifname.empty()) {
    const bool by_source_port = packet.dport == 0;
    const uint16_t port = by_source_port ? packet.sport : packet.dport;
    rule.conditions.push_back(Exact(by_source_port ? Field::kSport : Field::kDport, Port(port)));
    absl::StrAppend(&nft, "tcp ", by_source_port ? "sport " : "dport ", port, " ");
    absl::StrAppend(&ipt, "-p tcp ", by_source_port ? "--sport " : "--dport ", port, " ");
  } else {
    absl::StrAppend(&nft, "meta l4proto tcp ");
    absl::StrAppend(&ipt, "-p tcp ");
  }
  absl::StrAppend(&nft, "accept");
  absl::StrAppend(&ipt, "-j ACCEPT");
  addition.command = InsertCommand(table, chain_name, nft, ipt);
  rule.text = nft;
  return addition;
}

// The DNAT phantun's server needs, at the top of a nat prerouting chain.
Addition DnatFor(const Ruleset& ruleset, int table_index, int chain_index, const Context& context,
                 const netfilter::Packet& syn) {
  const Table& table = ruleset.tables[static_cast<size_t>(table_index)];
  Addition addition;
  addition.table = table_index;
  addition.chain = chain_index;
  const bool v6 = syn.family == Family::kIpv6;
  const std::string peer_text = v6 ? context.options.tun_peer6 : context.options.tun_peer;
  Rule& rule = addition.rule;
  rule.action = Action::kDnat;
  rule.nat.family = syn.family;
  rule.nat.address_min = rule.nat.address_max = netfilter::ParseIpAddress(peer_text).value_or("");
  rule.conditions.push_back(Interface(Field::kIifname, syn.iifname));
  rule.conditions.push_back(Exact(Field::kL4proto, std::string(1, '\x06')));
  rule.conditions.push_back(Exact(Field::kDport, Port(syn.dport)));
  const std::string nft = absl::StrCat("iifname ", Quoted(syn.iifname), " tcp dport ", syn.dport, " dnat",
                                       NatFamily(table, syn.family), " to ", peer_text);
  const std::string ipt = absl::StrCat("-i ", syn.iifname, " -p tcp --dport ", syn.dport, " -j DNAT --to-destination ", peer_text);
  addition.command = InsertCommand(table, table.chains[static_cast<size_t>(chain_index)].name, nft, ipt);
  rule.text = nft;
  return addition;
}

// The masquerade phantun's client needs, at the top of a nat postrouting chain.
Addition MasqueradeFor(const Ruleset& ruleset, int table_index, int chain_index, const netfilter::Packet& out) {
  const Table& table = ruleset.tables[static_cast<size_t>(table_index)];
  Addition addition;
  addition.table = table_index;
  addition.chain = chain_index;
  Rule& rule = addition.rule;
  rule.action = Action::kMasquerade;
  rule.conditions.push_back(Interface(Field::kIifname, out.iifname));
  rule.conditions.push_back(Interface(Field::kOifname, out.oifname));
  const std::string nft = absl::StrCat("iifname ", Quoted(out.iifname), " oifname ", Quoted(out.oifname), " masquerade");
  const std::string ipt =
      absl::StrCat("-s ", netfilter::FormatIpAddress(out.saddr), " -o ", out.oifname, " -j MASQUERADE");
  if (table.source != Source::kNftables) {
    rule.conditions[0] = Exact(Field::kSaddr, out.saddr);  // iptables has no -i in POSTROUTING
  }
  addition.command = InsertCommand(table, table.chains[static_cast<size_t>(chain_index)].name, nft, ipt);
  rule.text = nft;
  return addition;
}

void Apply(const Addition& addition, Ruleset* ruleset) {
  auto& rules = ruleset->tables[static_cast<size_t>(addition.table)].chains[static_cast<size_t>(addition.chain)].rules;
  rules.insert(rules.begin(), addition.rule);
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

// A new nftables table of phantun's own with one nat chain, for a host with no nat chain at all.
std::string NewNatTable(const netfilter::Packet& packet, const Context& context, Hook hook, Ruleset* ruleset,
                        std::string* rule_command) {
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
  const int index = static_cast<int>(ruleset->tables.size()) - 1;
  const Addition addition = hook == Hook::kPrerouting ? DnatFor(*ruleset, index, 0, context, packet)
                                                      : MasqueradeFor(*ruleset, index, 0, packet);
  Apply(addition, ruleset);
  *rule_command = absl::StrCat("nft add rule inet phantun ", chain.name, " ", addition.rule.text);
  return absl::StrCat("nft add table inet phantun; nft 'add chain inet phantun ", chain.name, " { type nat hook ",
                      chain.name, " priority ", hook == Hook::kPrerouting ? "dstnat" : "srcnat", "; policy accept; }'");
}

std::string ChainsFix(const Context& context, const PhantunTrace& failing, Ruleset* copy, netfilter::Trace trace);
std::string ReplyAccepts(const Context& context, const PhantunTrace& syn, Ruleset* copy, const netfilter::Trace& retraced);

// Once the NAT is right, the packet goes further than before and may meet a chain that drops it:
// the fix then includes the accepts that let it through, so that what is printed makes the
// packet arrive, not just pass this one check.
std::string WithAccepts(const Context& context, const PhantunTrace& failing, const std::string& nat_command,
                        Ruleset with_nat, netfilter::Trace retraced) {
  std::string commands = nat_command;
  bool dropped = false;
  for (const netfilter::Path& path : retraced.paths) {
    dropped |= JudgePath(context, failing.role, path).blame == Blame::kChains;
  }
  if (dropped) {
    const std::string accepts = ChainsFix(context, failing, &with_nat, retraced);
    if (accepts.empty()) return nat_command;
    absl::StrAppend(&commands, "; ", accepts);
    retraced = netfilter::TracePacket(with_nat, context.network, failing.request);
  }
  const std::string replies = ReplyAccepts(context, failing, &with_nat, retraced);
  return replies.empty() ? commands : absl::StrCat(commands, "; ", replies);
}

// A SYN that now gets through has a reply, which the same host may drop on its way back (a
// forward chain with policy drop and no accept of established traffic): the accepts it needs
// are part of the fix, proven on the reply's own trace. "" when it needs none or none can help.
std::string ReplyAccepts(const Context& context, const PhantunTrace& syn, Ruleset* copy, const netfilter::Trace& retraced) {
  if (syn.role != PacketRole::kServerSyn && syn.role != PacketRole::kClientSyn) return "";
  PhantunTrace now{syn.role, syn.request, retraced};
  PhantunTrace reply;
  reply.role = syn.role == PacketRole::kServerSyn ? PacketRole::kServerReply : PacketRole::kClientReply;
  reply.request = ReplyRequest(context, now);
  if (reply.request.name.empty()) return "";
  reply.trace = netfilter::TracePacket(*copy, context.network, reply.request);
  bool dropped = false;
  for (const netfilter::Path& path : reply.trace.paths) {
    dropped |= JudgePath(context, reply.role, path).blame == Blame::kChains;
  }
  return dropped ? ChainsFix(context, reply, copy, reply.trace) : "";
}

// The packet as it met the nat hook: for a SYN to DNAT, the packet as it arrived; for one to
// masquerade, as it left (its output interface known).
const netfilter::Path* FirstPath(const PhantunTrace& failing) {
  return failing.trace.paths.empty() ? nullptr : &failing.trace.paths.front();
}

std::string NatFix(const Context& context, Blame blame, const PhantunTrace& failing) {
  const netfilter::Packet& start = failing.request.packet;
  const bool server = failing.role == PacketRole::kServerSyn;
  if (!server && failing.role != PacketRole::kClientSyn) return "";
  const Hook hook = server ? Hook::kPrerouting : Hook::kPostrouting;
  // The client's packet as it reaches postrouting: its route decided its output interface.
  netfilter::Packet at_hook = start;
  if (!server) {
    const netfilter::Path* path = FirstPath(failing);
    if (path == nullptr || path->packet.oifname.empty()) return "";
    at_hook.oifname = path->packet.oifname;
    at_hook.oifindex = path->packet.oifindex;
  }
  const Ruleset& ruleset = context.netfilter.ruleset;
  netfilter::Trace retraced;
  for (const auto& [table, chain] : NatChains(ruleset, hook, start.family)) {
    Ruleset copy = ruleset;
    const Addition addition = server ? DnatFor(copy, table, chain, context, at_hook) : MasqueradeFor(copy, table, chain, at_hook);
    Apply(addition, &copy);
    if (Passes(context, blame, failing, copy, &retraced)) return WithAccepts(context, failing, addition.command, copy, retraced);
  }
  Ruleset copy = ruleset;
  std::string rule_command;
  const std::string table_command = NewNatTable(at_hook, context, hook, &copy, &rule_command);
  if (Passes(context, blame, failing, copy, &retraced)) {
    return WithAccepts(context, failing, absl::StrCat(table_command, "; ", rule_command), copy, retraced);
  }
  return "";
}

// Accepts added until no chain drops the packet; `copy` is the ruleset to add them to, `trace`
// the packet's trace through it.
std::string ChainsFix(const Context& context, const PhantunTrace& failing, Ruleset* copy, netfilter::Trace trace) {
  std::string commands;
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
    if (dropped == nullptr) return "";
    const netfilter::Hop& hop = dropped->hops[static_cast<size_t>(dropped->decisive)];
    if (hop.table < 0 || hop.chain < 0) return "";
    const Addition addition = AcceptFor(*copy, hop.table, hop.chain, dropped->packet);
    Apply(addition, copy);
    absl::StrAppend(&commands, commands.empty() ? "" : "; ", addition.command);
    if (Passes(context, Blame::kChains, failing, *copy, &trace)) return commands;
  }
  return "";
}

}  // namespace

std::string ProvenFix(const Context& context, Blame blame, const PhantunTrace& failing) {
  if (blame == Blame::kNat) return NatFix(context, blame, failing);
  if (blame == Blame::kChains) {
    Ruleset copy = context.netfilter.ruleset;
    const std::string accepts = ChainsFix(context, failing, &copy, failing.trace);
    if (accepts.empty()) return "";
    const std::string replies =
        ReplyAccepts(context, failing, &copy, netfilter::TracePacket(copy, context.network, failing.request));
    return replies.empty() ? accepts : absl::StrCat(accepts, "; ", replies);
  }
  return "";
}

}  // namespace phantun_runtime::doctor
