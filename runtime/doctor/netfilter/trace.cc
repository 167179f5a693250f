#include "runtime/doctor/netfilter/trace.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netfilter/render.h"

namespace phantun_runtime::netfilter {
namespace {

constexpr int kMaxJumpDepth = 16;  // NFT_JUMP_STACK_SIZE
// Every undecidable rule doubles the paths; past this many the rest is reported as unknown
// rather than explored (a host would need dozens of "may" rules in a row to get there).
constexpr size_t kMaxPaths = 64;

// The kernel's NAT priorities (NF_IP_PRI_NAT_DST, NF_IP_PRI_NAT_SRC): where conntrack undoes a
// reply's NAT, between the base chains below and above them.
constexpr int32_t kNatDstPriority = -100;
constexpr int32_t kNatSrcPriority = 100;

int ChainIndex(const Table& table, const std::string& name) {
  for (size_t i = 0; i < table.chains.size(); ++i) {
    if (table.chains[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// Where a rule is, for the operator: nftables rules by handle, iptables rules by position.
std::string RuleAt(const Table& table, const Chain& chain, size_t index, const Rule& rule) {
  if (table.source == Source::kIptablesLegacy || rule.handle == 0) {
    return absl::StrCat("chain ", chain.name, ", rule ", index + 1);
  }
  return absl::StrCat("chain ", chain.name, ", handle ", rule.handle);
}

std::string FieldName(Field field) {
  switch (field) {
    case Field::kIifname: return "iifname";
    case Field::kOifname: return "oifname";
    case Field::kIifindex: return "iif";
    case Field::kOifindex: return "oif";
    case Field::kNfproto: return "nfproto";
    case Field::kL4proto: return "protocol";
    case Field::kSaddr: return "saddr";
    case Field::kDaddr: return "daddr";
    case Field::kSport: return "sport";
    case Field::kDport: return "dport";
    case Field::kCtState: return "ct state";
    case Field::kDaddrType: return "daddr type";
  }
  return "?";
}

uint64_t FromBigEndian(const std::string& bytes) {
  uint64_t value = 0;
  for (const char byte : bytes) value = (value << 8) | static_cast<uint8_t>(byte);
  return value;
}

std::string InterfaceText(const std::string& bytes) {
  return absl::StrCat("\"", std::string(bytes.c_str()), bytes.size() < 16 ? "*" : "", "\"");
}

// A condition's value and the packet's, as the operator would write them.
std::string ValueText(Field field, const std::string& value, const std::string& mask) {
  switch (field) {
    case Field::kIifname:
    case Field::kOifname: return InterfaceText(value);
    case Field::kSaddr:
    case Field::kDaddr: return mask.empty() ? FormatIpAddress(value) : FormatPrefix(value, mask);
    case Field::kCtState: return absl::StrCat("0x", absl::Hex(FromBigEndian(value)));
    default: return absl::StrCat(FromBigEndian(value));
  }
}

std::string PacketValue(Field field, const Packet& packet) {
  switch (field) {
    case Field::kIifname: return absl::StrCat("\"", packet.iifname, "\"");
    case Field::kOifname: return absl::StrCat("\"", packet.oifname, "\"");
    case Field::kIifindex: return absl::StrCat(packet.iifindex);
    case Field::kOifindex: return absl::StrCat(packet.oifindex);
    case Field::kNfproto: return packet.family == Family::kIpv6 ? "ipv6" : "ipv4";
    case Field::kL4proto: return absl::StrCat(packet.l4proto);
    case Field::kSaddr: return FormatIpAddress(packet.saddr);
    case Field::kDaddr: return FormatIpAddress(packet.daddr);
    case Field::kSport: return absl::StrCat(packet.sport);
    case Field::kDport: return absl::StrCat(packet.dport);
    case Field::kCtState: return packet.ct_state == kCtStateNew ? "new" : "established";
    case Field::kDaddrType: return packet.daddr_type == kRouteTypeLocal ? "local" : "unicast";
  }
  return "?";
}

// The one condition that keeps a rule from applying, or "" when it is not exactly one.
std::string WhyNot(const Rule& rule, const Packet& packet) {
  std::string why;
  int failing = 0;
  for (const Condition& condition : rule.conditions) {
    if (Evaluate(condition, packet) != Tristate::kNo) continue;
    if (++failing > 1) return "";
    if (condition.field == Field::kCtState && !condition.mask.empty()) {
      // ct state established,related: (state & mask) != 0, so the rule wants one of the mask's states.
      why = absl::StrCat("ct state is ", PacketValue(condition.field, packet), ", the rule wants ",
                         CtStateNames(static_cast<uint32_t>(FromBigEndian(condition.mask)), false));
      continue;
    }
    const char* op = condition.op == Op::kEq ? "" : condition.op == Op::kNeq ? "not " : "a range around ";
    why = absl::StrCat(FieldName(condition.field), " is ", PacketValue(condition.field, packet), ", the rule wants ", op,
                       ValueText(condition.field, condition.value, condition.mask));
  }
  return why;
}

// What ending a chain walk means for the packet.
struct Outcome {
  enum class Kind : uint8_t { kAccept, kDrop, kNat, kLeave, kUnknown };
  Kind kind = Kind::kLeave;
  const Rule* rule = nullptr;
  std::string at;
  std::vector<std::string> assumptions;
  std::string unknown_why;
};

// Walks the chains of one table for one packet; a "may" rule splits the walk.
class ChainWalker {
 public:
  ChainWalker(const Table& table, int table_index, const Packet& packet, std::vector<NearMiss>* near_misses,
              const std::string& where, std::vector<std::pair<int, int>>* unread)
      : table_(table), table_index_(table_index), packet_(packet), near_misses_(near_misses), where_(where), unread_(unread) {}

  // The outcomes of the chain from rule `from` on. A rule that may apply adds its outcomes and the
  // walk goes on, in this same loop, assuming it did not: no recursion per undecidable rule, so a
  // chain of 100k of them cannot exhaust the stack.
  std::vector<Outcome> Walk(size_t chain, size_t from, int depth, const std::vector<std::string>& assumed) {
    const Chain& current = table_.chains[chain];
    if (!current.rules_read) {
      unread_->emplace_back(table_index_, static_cast<int>(chain));
      return {Unknown(absl::StrCat("the rules of chain ", current.name, " are not read yet"), assumed)};
    }
    std::vector<Outcome> out;
    std::vector<std::string> so_far = assumed;
    for (size_t i = from; i < current.rules.size(); ++i) {
      const Rule& rule = current.rules[i];
      const Tristate applies = EvaluateRule(rule, packet_);
      if (applies == Tristate::kNo) {
        NoteNearMiss(current, i, rule);
        continue;
      }
      if (rule.action == Action::kContinue) continue;  // counters, logs, marks: no verdict
      // `dnat ip to` in an inet table: the kernel applies it to IPv4 packets only and, for the
      // others, goes on with the next rule.
      const bool nat = rule.action == Action::kDnat || rule.action == Action::kSnat ||
                       rule.action == Action::kMasquerade || rule.action == Action::kRedirect;
      if (nat && rule.nat.family != Family::kUnspec && rule.nat.family != Family::kInet &&
          rule.nat.family != packet_.family) {
        continue;
      }
      std::vector<std::string> if_applies = so_far;
      if (applies == Tristate::kMaybe) if_applies.push_back(absl::StrCat("if this rule applies: ", rule.text));
      std::vector<Outcome> effect = Effect(chain, i, rule, depth, if_applies);
      out.insert(out.end(), std::make_move_iterator(effect.begin()), std::make_move_iterator(effect.end()));
      if (out.size() > kMaxPaths) return {Unknown("too many rules the doctor cannot decide", assumed)};
      if (applies == Tristate::kYes) return out;
      so_far.push_back(absl::StrCat("if this rule does not apply: ", rule.text));
    }
    Outcome leave;
    leave.kind = Outcome::Kind::kLeave;
    leave.assumptions = std::move(so_far);
    out.push_back(std::move(leave));
    return out;
  }

 private:
  static Outcome Unknown(std::string why, const std::vector<std::string>& assumed) {
    Outcome outcome;
    outcome.kind = Outcome::Kind::kUnknown;
    outcome.unknown_why = std::move(why);
    outcome.assumptions = assumed;
    return outcome;
  }

  void NoteNearMiss(const Chain& chain, size_t index, const Rule& rule) {
    const bool decisive = rule.action == Action::kDnat || rule.action == Action::kSnat ||
                          rule.action == Action::kMasquerade || rule.action == Action::kAccept ||
                          rule.action == Action::kJump || rule.action == Action::kGoto;
    if (!decisive || near_misses_->size() >= 4) return;
    std::string why = WhyNot(rule, packet_);
    if (why.empty()) return;
    near_misses_->push_back(NearMiss{absl::StrCat(where_, ", ", RuleAt(table_, chain, index, rule)), rule.text, std::move(why)});
  }

  std::vector<Outcome> Effect(size_t chain, size_t index, const Rule& rule, int depth,
                              const std::vector<std::string>& assumed) {
    Outcome outcome;
    outcome.rule = &rule;
    outcome.at = RuleAt(table_, table_.chains[chain], index, rule);
    outcome.assumptions = assumed;
    switch (rule.action) {
      case Action::kAccept: outcome.kind = Outcome::Kind::kAccept; return {outcome};
      case Action::kDrop:
      case Action::kReject: outcome.kind = Outcome::Kind::kDrop; return {outcome};
      case Action::kMasquerade:
      case Action::kSnat:
      case Action::kDnat:
      case Action::kRedirect: outcome.kind = Outcome::Kind::kNat; return {outcome};
      case Action::kReturn: outcome.kind = Outcome::Kind::kLeave; return {outcome};
      case Action::kJump:
      case Action::kGoto: {
        const int target = Find(rule.target_chain);
        if (target < 0 || depth >= kMaxJumpDepth) {
          return {Unknown(absl::StrCat("jumps to ", rule.target_chain, ", which the doctor cannot follow"), assumed)};
        }
        std::vector<Outcome> called = Called(static_cast<size_t>(target), depth + 1);
        for (Outcome& each : called) each.assumptions.insert(each.assumptions.begin(), assumed.begin(), assumed.end());
        std::vector<Outcome> out;
        for (Outcome& each : called) {
          if (each.kind != Outcome::Kind::kLeave) {
            out.push_back(std::move(each));
          } else if (rule.action == Action::kGoto) {
            out.push_back(std::move(each));  // a goto's return leaves the calling chain too
          } else {
            std::vector<Outcome> rest = Walk(chain, index + 1, depth, each.assumptions);
            out.insert(out.end(), rest.begin(), rest.end());
          }
          if (out.size() > kMaxPaths) return {Unknown("too many rules the doctor cannot decide", assumed)};
        }
        return out;
      }
      case Action::kUnknown:
      default:
        outcome.kind = Outcome::Kind::kUnknown;
        outcome.unknown_why = "a statement the doctor cannot evaluate";
        return {outcome};
    }
  }

  // A called chain's outcomes for this packet are the same wherever it is called from, so each is
  // walked once: chains that jump several times into chains that do the same would otherwise cost
  // time exponential in the nesting. (The depth of the first call decides the 16-deep limit.)
  std::vector<Outcome> Called(size_t chain, int depth) {
    if (called_.empty()) called_.resize(table_.chains.size());
    if (!called_[chain]) called_[chain] = Walk(chain, 0, depth, {});
    return *called_[chain];
  }

  // The chain named `name`, looked up once per name: a packet meets few of a large ruleset's
  // chains, but may jump to some of them many times.
  int Find(const std::string& name) {
    for (const auto& [known, index] : found_) {
      if (known == name) return index;
    }
    found_.emplace_back(name, ChainIndex(table_, name));
    return found_.back().second;
  }

  const Table& table_;
  const int table_index_;
  const Packet& packet_;
  std::vector<NearMiss>* near_misses_;
  const std::string& where_;
  std::vector<std::pair<int, int>>* unread_;
  std::vector<std::optional<std::vector<Outcome>>> called_;
  std::vector<std::pair<std::string, int>> found_;
};


std::string HookName(Hook hook) {
  switch (hook) {
    case Hook::kPrerouting: return "prerouting";
    case Hook::kInput: return "input";
    case Hook::kForward: return "forward";
    case Hook::kOutput: return "output";
    case Hook::kPostrouting: return "postrouting";
    default: return "?";
  }
}

std::string NatText(const Rule& rule, const Packet& after) {
  switch (rule.action) {
    case Action::kMasquerade: return absl::StrCat("masquerade: source becomes ", FormatIpAddress(after.saddr));
    case Action::kSnat: return absl::StrCat("snat to ", FormatIpAddress(after.saddr));
    case Action::kRedirect: return absl::StrCat("redirect to this host, port ", after.dport);
    default: return absl::StrCat("dnat to ", FormatIpAddress(after.daddr), ":", after.dport);
  }
}

const char* RouteTypeName(RouteType type) {
  switch (type) {
    case RouteType::kUnicast: return "unicast";
    case RouteType::kLocal: return "local";
    case RouteType::kBlackhole: return "blackhole";
    case RouteType::kUnreachable: return "unreachable";
    case RouteType::kProhibit: return "prohibit";
    case RouteType::kOther: return "other";
  }
  return "?";
}

class Tracer {
 public:
  Tracer(const Ruleset& ruleset, const NetworkFacts& facts, const TraceRequest& request, Trace* trace)
      : ruleset_(ruleset), facts_(facts), request_(request), trace_(trace) {}

  void Run() {
    Path start;
    start.packet = request_.packet;
    std::vector<Path> paths = {start};
    paths = RunHook(Hook::kPrerouting, std::move(paths));
    paths = Route(std::move(paths));
    std::vector<Path> forwarded;
    for (Path& path : paths) {
      if (path.fate == Fate::kUnknown && path.decisive < 0) {
        forwarded.push_back(std::move(path));
      } else {
        trace_->paths.push_back(std::move(path));
      }
    }
    forwarded = RunHook(Hook::kForward, std::move(forwarded));
    forwarded = RunHook(Hook::kPostrouting, std::move(forwarded));
    for (Path& path : forwarded) {
      if (path.fate == Fate::kUnknown && path.decisive < 0) {
        path.fate = Fate::kLeft;
        path.hops.push_back(Hop{"out", path.packet.oifname, "leaves the host", "", ""});
      }
      trace_->paths.push_back(std::move(path));
    }
  }

 private:
  // A path still going: not decided, and not stopped at an undecidable rule.
  static bool Going(const Path& path) { return path.fate == Fate::kUnknown && path.decisive < 0; }

  static void Decide(Path* path, Fate fate, Hop hop) {
    path->hops.push_back(std::move(hop));
    path->fate = fate;
    path->decisive = static_cast<int>(path->hops.size()) - 1;
  }

  std::vector<Path> RunHook(Hook hook, std::vector<Path> paths) {
    const std::vector<BaseChain> chains = BaseChainsOn(ruleset_, hook, request_.packet.family);
    const std::string stage = HookName(hook);
    for (const BaseChain& base : chains) {
      std::vector<Path> next;
      for (Path& path : paths) {
        if (!Going(path)) {
          next.push_back(std::move(path));
          continue;
        }
        UndoReplyNat(hook, base.chain->priority, &path);
        RunChain(stage, base, std::move(path), &next);
      }
      paths = std::move(next);
      if (paths.size() > kMaxPaths) paths.resize(kMaxPaths);
    }
    for (Path& path : paths) {
      if (Going(path)) UndoReplyNat(hook, INT32_MAX, &path);
    }
    return paths;
  }

  // conntrack's de-NAT of a reply happens at the NAT priority of its hook: the base chains before
  // it see the packet as sent, the ones after it as translated.
  void UndoReplyNat(Hook hook, int32_t before_priority, Path* path) const {
    if (hook == Hook::kPrerouting && before_priority > kNatDstPriority && !request_.reply_daddr.empty() &&
        !path->dnat_bound) {
      path->packet.daddr = request_.reply_daddr;
      if (request_.reply_dport != 0) path->packet.dport = request_.reply_dport;
      path->dnat_bound = true;
      path->hops.push_back(Hop{"prerouting", "conntrack", absl::StrCat("reply: destination restored to ",
                                                                        FormatIpAddress(path->packet.daddr)), "", ""});
    }
    if (hook == Hook::kPostrouting && before_priority > kNatSrcPriority && !request_.reply_saddr.empty() &&
        !path->snat_bound) {
      path->packet.saddr = request_.reply_saddr;
      if (request_.reply_sport != 0) path->packet.sport = request_.reply_sport;
      path->snat_bound = true;
      path->hops.push_back(Hop{"postrouting", "conntrack", absl::StrCat("reply: source restored to ",
                                                                         FormatIpAddress(path->packet.saddr)), "", ""});
    }
  }

  // Marks the hops added since `from` as the base chain's.
  void Own(const BaseChain& base, size_t from, Path* path) const {
    for (size_t i = from; i < path->hops.size(); ++i) {
      path->hops[i].table = static_cast<int>(base.table - ruleset_.tables.data());
      path->hops[i].chain = static_cast<int>(base.index);
    }
  }

  void RunChain(const std::string& stage, const BaseChain& base, Path path, std::vector<Path>* out) {
    const Table& table = *base.table;
    const Chain& chain = *base.chain;
    const std::string where = DescribeChain(table, chain);
    const bool nat_chain = IsNatChain(table, chain);
    if (nat_chain) {
      // Only a connection's first packet meets the nat chains, and only until one binds.
      const bool bound = stage == "prerouting" ? path.dnat_bound : path.snat_bound;
      if (path.packet.ct_state != kCtStateNew || bound) {
        out->push_back(std::move(path));
        return;
      }
    }
    // `fib daddr type local` / `-m addrtype --dst-type LOCAL`: whether the destination, as it is
    // now (after any DNAT), is one of this host's addresses.
    if (!path.packet.daddr.empty()) {
      path.packet.daddr_type = facts_.IsLocalAddress(path.packet.daddr) ? kRouteTypeLocal : kRouteTypeUnicast;
    }
    ChainWalker walker(table, static_cast<int>(base.table - ruleset_.tables.data()), path.packet, &path.near_misses, where,
                       &trace_->unread_chains);
    const std::vector<Outcome> outcomes = walker.Walk(base.index, 0, 0, {});
    for (const Outcome& outcome : outcomes) {
      Path branch = path;
      const size_t first_hop = branch.hops.size();
      branch.assumptions.insert(branch.assumptions.end(), outcome.assumptions.begin(), outcome.assumptions.end());
      const std::string rule_text = outcome.rule != nullptr ? outcome.rule->text : "";
      switch (outcome.kind) {
        case Outcome::Kind::kAccept:
          branch.hops.push_back(Hop{stage, where, "accept", rule_text, outcome.at});
          break;
        case Outcome::Kind::kDrop:
          Decide(&branch, Fate::kDropped,
                 Hop{stage, where, outcome.rule->action == Action::kReject ? "reject" : "drop", rule_text, outcome.at});
          break;
        case Outcome::Kind::kUnknown:
          branch.hops.push_back(Hop{stage, where, absl::StrCat("may do anything: ", outcome.unknown_why), rule_text, outcome.at});
          branch.decisive = static_cast<int>(branch.hops.size()) - 1;
          break;
        case Outcome::Kind::kLeave:
          if (chain.policy == Action::kDrop) {
            Decide(&branch, Fate::kDropped,
                   outcome.rule != nullptr
                       ? Hop{stage, where, "return: the chain ends here, policy drop", rule_text, outcome.at}
                       : Hop{stage, where, "no rule decides: policy drop", "", ""});
          } else if (outcome.rule != nullptr) {
            // A return in the base chain (or a goto's): the chain ends here without a verdict.
            branch.hops.push_back(Hop{stage, where, "return: the chain ends here, policy accept", rule_text, outcome.at});
          } else {
            branch.hops.push_back(Hop{stage, where, "no rule decides: policy accept", "", ""});
          }
          break;
        case Outcome::Kind::kNat:
          ApplyNat(stage, where, *outcome.rule, outcome.at, &branch);
          break;
      }
      Own(base, first_hop, &branch);
      out->push_back(std::move(branch));
    }
  }

  void ApplyNat(const std::string& stage, const std::string& where, const Rule& rule, const std::string& at, Path* path) {
    Packet& packet = path->packet;
    const NatTarget& to = rule.nat;
    if (to.unknown_address) {
      path->hops.push_back(Hop{stage, where, "may do anything: NAT to an address the doctor cannot read", rule.text, at});
      path->decisive = static_cast<int>(path->hops.size()) - 1;
      return;
    }
    switch (rule.action) {
      case Action::kDnat:
        if (!to.address_min.empty()) packet.daddr = to.address_min;
        if (to.port_min != 0) packet.dport = to.port_min;
        path->dnat_bound = true;
        break;
      case Action::kRedirect: {
        const InterfaceFact* in = facts_.FindInterface(packet.iifname);
        std::string local;
        if (in != nullptr) {
          for (const std::string& address : in->addresses) {
            if (address.size() == packet.daddr.size() || packet.daddr.empty()) {
              local = address;
              break;
            }
          }
        }
        packet.daddr = local;
        path->redirected = true;
        if (to.port_min != 0) packet.dport = to.port_min;
        path->dnat_bound = true;
        break;
      }
      case Action::kMasquerade: {
        const InterfaceFact* out = facts_.FindInterface(packet.oifname);
        std::string chosen;
        if (out != nullptr) {
          const size_t size = packet.family == Family::kIpv6 ? 16 : 4;
          for (const std::string& address : out->addresses) {
            if (address.size() == size) {
              chosen = address;
              break;
            }
          }
        }
        if (chosen.empty()) {
          Decide(path, Fate::kDropped, Hop{stage, where, absl::StrCat("masquerade, but ", packet.oifname,
                                                                       " has no address: the kernel drops the packet"),
                                           rule.text, at});
          return;
        }
        packet.saddr = chosen;
        if (to.port_min != 0) packet.sport = to.port_min;
        path->snat_bound = true;
        break;
      }
      default:  // kSnat
        if (!to.address_min.empty()) packet.saddr = to.address_min;
        if (to.port_min != 0) packet.sport = to.port_min;
        path->snat_bound = true;
        break;
    }
    std::string what = NatText(rule, packet);
    if (to.address_min != to.address_max && !to.address_max.empty()) absl::StrAppend(&what, " (first of a range)");
    path->hops.push_back(Hop{stage, where, std::move(what), rule.text, at});
  }

  std::vector<Path> Route(std::vector<Path> paths) {
    for (Path& path : paths) {
      if (!Going(path)) continue;
      Packet& packet = path.packet;
      if (path.redirected) {
        Decide(&path, Fate::kLocal, Hop{"routing", "", "redirected: delivered to this host's own stack", "", ""});
        continue;
      }
      const RouteFact* fact = nullptr;
      // With forwarding off the kernel refuses every lookup of a forwarded packet; the route is
      // then asked as for the host's own packet, and forwarding is judged on its own below.
      const bool forwarding_off = ForwardingState(packet.family) == Tristate::kNo;
      const std::string source = forwarding_off ? std::string() : packet.saddr;
      if (!packet.daddr.empty()) {
        fact = facts_.FindRoute(packet.family, packet.daddr, source, packet.iifindex);
        if (fact == nullptr) {
          RouteFact question;
          question.family = packet.family;
          question.daddr = packet.daddr;
          question.saddr = source;
          question.iif = source.empty() ? 0 : packet.iifindex;
          trace_->unanswered_routes.push_back(std::move(question));
        }
      }
      if (fact == nullptr || fact->lookup_failed) {
        packet.oifname = request_.assume_oifname;
        packet.oifindex = request_.assume_oifindex;
        const std::string why = packet.daddr.empty()                        ? "destination unknown"
                                : fact != nullptr && !fact->error.empty() ? absl::StrCat("route not known: ", fact->error)
                                                                          : "route not known";
        path.hops.push_back(Hop{"routing", "", absl::StrCat(why, ": assumed to leave by ", packet.oifname), "", ""});
        path.assumptions.push_back(absl::StrCat("if the route goes out ", packet.oifname, " (", why, ")"));
        ForwardingOn(&path);
        continue;
      }
      const std::string dest = FormatIpAddress(packet.daddr);
      if (!fact->error.empty()) {
        Decide(&path, Fate::kDropped,
               Hop{"routing", "", absl::StrCat("the kernel has no route for ", dest, " from ", packet.iifname, ": ", fact->error),
                   "", ""});
        continue;
      }
      const std::string table = fact->table != 0 && fact->table != 254 ? absl::StrCat(" (table ", fact->table, ")") : "";
      if (fact->type == RouteType::kLocal) {
        Decide(&path, Fate::kLocal,
               Hop{"routing", "", absl::StrCat(dest, " is this host's own address: delivered locally, not forwarded", table), "", ""});
        continue;
      }
      if (fact->type != RouteType::kUnicast) {
        Decide(&path, Fate::kDropped,
               Hop{"routing", "", absl::StrCat("route to ", dest, " is ", RouteTypeName(fact->type), table), "", ""});
        continue;
      }
      const InterfaceFact* out = facts_.FindInterface(fact->oif);
      packet.oifindex = fact->oif;
      packet.oifname = out != nullptr ? out->name : "";
      std::string via = fact->gateway.empty() ? "" : absl::StrCat(" via ", FormatIpAddress(fact->gateway));
      path.hops.push_back(Hop{"routing", "", absl::StrCat(dest, via, " dev ", packet.oifname, table), "", ""});
      ForwardingOn(&path);
    }
    return paths;
  }

  // Forwarding must be on for the packet's family; the route lookup of a packet with a known
  // source already accounts for it (the kernel refuses the lookup), the others are checked here.
  Tristate ForwardingState(Family family) const {
    return family == Family::kIpv6 ? facts_.ipv6_forwarding : facts_.ipv4_forwarding;
  }

  // Forwarding off drops every forwarded packet, which the fwd.* checks report; the trace says so
  // and goes on as if it were on, so that the rules and routes after it are judged too.
  void ForwardingOn(Path* path) const {
    const bool v6 = path->packet.family == Family::kIpv6;
    if (ForwardingState(path->packet.family) != Tristate::kNo) return;
    const char* sysctl = v6 ? "net.ipv6.conf.all.forwarding" : "net.ipv4.ip_forward";
    path->hops.push_back(Hop{"routing", "", absl::StrCat(sysctl, " = 0: the kernel drops forwarded packets (see fwd.ipv",
                                                          v6 ? "6" : "4", "); traced on as if it were 1"),
                             "", ""});
    path->assumptions.push_back(absl::StrCat("if ", sysctl, " is set to 1"));
  }

  const Ruleset& ruleset_;
  const NetworkFacts& facts_;
  const TraceRequest& request_;
  Trace* trace_;
};

}  // namespace

bool IsNatChain(const Table& table, const Chain& chain) {
  if (table.source == Source::kIptablesLegacy) return table.name == "nat";
  return chain.type == "nat";
}


std::vector<BaseChain> BaseChainsOn(const Ruleset& ruleset, Hook hook, Family family) {
  std::vector<BaseChain> chains;
  for (const Table& table : ruleset.tables) {
    if (table.dormant || !TableSees(table.family, family)) continue;
    for (size_t i = 0; i < table.chains.size(); ++i) {
      const Chain& chain = table.chains[i];
      if (chain.base && chain.hook == hook) chains.push_back(BaseChain{&table, &chain, i});
    }
  }
  // The kernel runs a hook's functions in priority order; equal priorities run in registration
  // order, which the tracer cannot know, so it keeps the order the tables were read in.
  std::stable_sort(chains.begin(), chains.end(),
                   [](const BaseChain& a, const BaseChain& b) { return a.chain->priority < b.chain->priority; });
  return chains;
}

const InterfaceFact* NetworkFacts::FindInterface(const std::string& name) const {
  if (name.empty()) return nullptr;
  for (const InterfaceFact& iface : interfaces) {
    if (iface.name == name) return &iface;
  }
  return nullptr;
}

const InterfaceFact* NetworkFacts::FindInterface(uint32_t index) const {
  for (const InterfaceFact& iface : interfaces) {
    if (iface.index == index) return &iface;
  }
  return nullptr;
}

bool NetworkFacts::IsLocalAddress(const std::string& address) const {
  for (const InterfaceFact& iface : interfaces) {
    for (const std::string& own : iface.addresses) {
      if (own == address) return true;
    }
  }
  return false;
}

const RouteFact* NetworkFacts::FindRoute(Family family, const std::string& daddr, const std::string& saddr,
                                         uint32_t iif) const {
  // An unknown source is asked as the host's own packet (no input interface).
  const uint32_t asked_iif = saddr.empty() ? 0 : iif;
  for (const RouteFact& route : routes) {
    if (route.family == family && route.daddr == daddr && route.saddr == saddr && route.iif == asked_iif) return &route;
  }
  return nullptr;
}

std::string SourceName(Source source) {
  switch (source) {
    case Source::kNftables: return "nft";
    case Source::kIptablesLegacy: return "iptables-legacy";
    case Source::kIptablesNft: return "iptables-nft";
  }
  return "?";
}

std::string FamilyName(Family family) {
  switch (family) {
    case Family::kInet: return "inet";
    case Family::kIpv4: return "ip";
    case Family::kIpv6: return "ip6";
    case Family::kArp: return "arp";
    case Family::kNetdev: return "netdev";
    case Family::kBridge: return "bridge";
    default: return "unspec";
  }
}

std::string DescribeChain(const Table& table, const Chain& chain) {
  const std::string family = table.source == Source::kNftables ? FamilyName(table.family)
                             : table.family == Family::kIpv6  ? "ip6"
                                                              : "ip";
  return absl::StrCat(SourceName(table.source), " ", family, " ", table.name, " ", chain.name, " (priority ",
                      chain.priority, ")");
}

Trace TracePacket(const Ruleset& ruleset, const NetworkFacts& facts, const TraceRequest& request) {
  Trace trace;
  trace.name = request.name;
  trace.start = request.packet;
  Tracer(ruleset, facts, request, &trace).Run();
  return trace;
}

}  // namespace phantun_runtime::netfilter
