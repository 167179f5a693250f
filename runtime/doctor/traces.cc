#include "runtime/doctor/traces.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "runtime/doctor/context.h"
#include "runtime/doctor/fixes.h"
#include "runtime/doctor/netfilter/address.h"

namespace phantun_runtime::doctor {
namespace {

using netfilter::Fate;
using netfilter::Family;
using netfilter::FormatIpAddress;

constexpr uint8_t kTcp = 6;

std::string Address(const std::string& text) { return netfilter::ParseIpAddress(text).value_or(""); }

bool IsV6(Family family) { return family == Family::kIpv6; }

// The first address of `family` on the interface, raw; "" when it has none (or is unknown).
std::string FirstAddress(const Context& context, const std::string& iface, Family family) {
  const netfilter::InterfaceFact* fact = context.network.FindInterface(iface);
  if (fact == nullptr) return "";
  for (const std::string& address : fact->addresses) {
    if (address.size() == (IsV6(family) ? 16u : 4u)) return address;
  }
  return "";
}

uint32_t IndexOf(const Context& context, const std::string& iface) {
  const netfilter::InterfaceFact* fact = context.network.FindInterface(iface);
  return fact != nullptr ? fact->index : 0;
}

std::string Peer(const Context& context, Family family) {
  return Address(IsV6(family) ? context.options.tun_peer6 : context.options.tun_peer);
}

// --remote, if it is of this family.
std::string Remote(const Context& context, Family family) {
  const std::string remote = Address(context.options.remote_address);
  return remote.size() == (IsV6(family) ? 16u : 4u) ? remote : "";
}

uint16_t ServerPort(const Context& context) {
  if (context.options.mode == Mode::kClient && context.options.remote_port != 0) {
    return static_cast<uint16_t>(context.options.remote_port);
  }
  return static_cast<uint16_t>(context.options.port);
}

// The first path that left the host, or nullptr.
const netfilter::Path* FirstLeft(const netfilter::Trace& trace) {
  for (const netfilter::Path& path : trace.paths) {
    if (path.fate == Fate::kLeft) return &path;
  }
  return nullptr;
}

std::string Endpoint(const std::string& address, uint16_t port) {
  const std::string text = address.empty() ? std::string("?") : FormatIpAddress(address);
  const std::string host = address.size() == 16 ? absl::StrCat("[", text, "]") : text;
  return port != 0 ? absl::StrCat(host, ":", port) : host;
}

}  // namespace

std::string RoleName(PacketRole role) {
  switch (role) {
    case PacketRole::kServerSyn: return "SYN from a client";
    case PacketRole::kServerReply: return "server's reply";
    case PacketRole::kClientSyn: return "SYN to the server";
    case PacketRole::kClientReply: return "server's reply";
  }
  return "?";
}

netfilter::TraceRequest SynRequest(const Context& context, Family family) {
  netfilter::TraceRequest request;
  netfilter::Packet& packet = request.packet;
  packet.family = family;
  packet.l4proto = kTcp;
  packet.ct_state = netfilter::kCtStateNew;
  if (context.options.mode == Mode::kServer) {
    packet.iifname = context.wan;
    packet.iifindex = IndexOf(context, context.wan);
    packet.saddr = Remote(context, family);
    packet.daddr = FirstAddress(context, context.wan, family);
    packet.dport = ServerPort(context);
    request.assume_oifname = context.tun;
    request.assume_oifindex = IndexOf(context, context.tun);
  } else {
    packet.iifname = context.tun;
    packet.iifindex = IndexOf(context, context.tun);
    packet.saddr = Peer(context, family);
    packet.daddr = Remote(context, family);
    packet.dport = ServerPort(context);
    request.assume_oifname = context.wan;
    request.assume_oifindex = IndexOf(context, context.wan);
  }
  const bool server = context.options.mode == Mode::kServer;
  request.name = absl::StrCat(IsV6(family) ? "IPv6 " : "", server ? "SYN from a client " : "SYN to the server ",
                              Endpoint(packet.saddr, packet.sport), " -> ", Endpoint(packet.daddr, packet.dport), " in on ",
                              packet.iifname.empty() ? "?" : packet.iifname);
  return request;
}

netfilter::TraceRequest ReplyRequest(const Context& context, const PhantunTrace& syn) {
  netfilter::TraceRequest request;
  const netfilter::Path* left = FirstLeft(syn.trace);
  if (left == nullptr) return request;
  const netfilter::Packet& out = left->packet;
  netfilter::Packet& packet = request.packet;
  packet.family = out.family;
  packet.l4proto = kTcp;
  packet.ct_state = netfilter::kCtStateEstablished;
  if (context.options.mode == Mode::kServer) {
    // phantun answers from the TUN peer address; conntrack restores the address the client used.
    packet.iifname = out.oifname;
    packet.iifindex = out.oifindex;
    packet.saddr = out.daddr;
    packet.sport = out.dport;
    packet.daddr = syn.trace.start.saddr;
    if (out.daddr != syn.trace.start.daddr || out.dport != syn.trace.start.dport) {
      request.reply_saddr = syn.trace.start.daddr;
      request.reply_sport = syn.trace.start.dport;
    }
    request.assume_oifname = syn.trace.start.iifname;
    request.assume_oifindex = syn.trace.start.iifindex;
  } else {
    // The server answers the translated source; conntrack restores the TUN peer address.
    packet.iifname = out.oifname;
    packet.iifindex = out.oifindex;
    packet.saddr = out.daddr;
    packet.sport = out.dport;
    packet.daddr = out.saddr;
    if (out.saddr != syn.trace.start.saddr) request.reply_daddr = syn.trace.start.saddr;
    request.assume_oifname = syn.trace.start.iifname;
    request.assume_oifindex = syn.trace.start.iifindex;
  }
  request.name = absl::StrCat(packet.family == Family::kIpv6 ? "IPv6 " : "", "reply ", Endpoint(packet.saddr, packet.sport),
                              " -> ", Endpoint(packet.daddr, packet.dport), " in on ", packet.iifname);
  return request;
}

std::string WhyNotTraced(const Context& context) {
  if (context.options.mode == Mode::kUnknown) return "phantun's packets are traced for a mode: give --mode client|server";
  // Rules name interfaces: a packet on an interface whose name is unknown would leave most of
  // them undecided. (Before phantun starts, --tun gives the name it will have.)
  if (context.tun.empty()) return absl::StrCat("the TUN interface is not known (", context.tun_reason, "): give --tun");
  // A server's SYN comes in on the WAN; a client's leaves by it, unless the route says otherwise.
  if (context.wan.empty() && (context.options.mode == Mode::kServer || context.options.remote_address.empty())) {
    return "the WAN interface is not known (no IPv4 default route here): give --wan";
  }
  return "";
}

bool TracesIpv6(const Context& context) {
  if (context.options.ipv6) return true;
  // Without --ipv6: when this host looks set up for IPv6 phantun traffic (the TUN has an IPv6
  // address, which phantun gives it unless started with -4, or there are ip6 rules), and that
  // traffic can happen: the WAN has a global IPv6 address (for a client, unless its --remote is
  // an IPv4 address), or --remote is an IPv6 address.
  bool set_up = !FirstAddress(context, context.tun, Family::kIpv6).empty();
  for (const netfilter::Table& table : context.netfilter.ruleset.tables) {
    if (table.family != Family::kIpv6) continue;
    for (const netfilter::Chain& chain : table.chains) set_up |= !chain.rules.empty() || !chain.rules_read;
  }
  if (!set_up) return false;
  if (!Remote(context, Family::kIpv6).empty()) return true;
  if (!Remote(context, Family::kIpv4).empty() && context.options.mode == Mode::kClient) return false;
  const netfilter::InterfaceFact* wan = context.network.FindInterface(context.wan);
  if (wan == nullptr) return false;
  for (const std::string& address : wan->addresses) {
    const bool link_local = address.size() == 16 && static_cast<uint8_t>(address[0]) == 0xfe &&
                            (static_cast<uint8_t>(address[1]) & 0xc0) == 0x80;
    if (address.size() == 16 && !link_local) return true;
  }
  return false;
}

std::vector<PhantunTrace> TraceAll(const Context& context) {
  std::vector<PhantunTrace> traces;
  if (!WhyNotTraced(context).empty()) return traces;
  const bool server = context.options.mode == Mode::kServer;
  std::vector<Family> families = {Family::kIpv4};
  if (TracesIpv6(context)) families.push_back(Family::kIpv6);
  for (const Family family : families) {
    PhantunTrace syn;
    syn.role = server ? PacketRole::kServerSyn : PacketRole::kClientSyn;
    syn.request = SynRequest(context, family);
    syn.trace = netfilter::TracePacket(context.netfilter.ruleset, context.network, syn.request);
    PhantunTrace reply;
    reply.role = server ? PacketRole::kServerReply : PacketRole::kClientReply;
    reply.request = ReplyRequest(context, syn);
    const bool has_reply = !reply.request.name.empty();
    if (has_reply) reply.trace = netfilter::TracePacket(context.netfilter.ruleset, context.network, reply.request);
    traces.push_back(std::move(syn));
    if (has_reply) traces.push_back(std::move(reply));
  }
  return traces;
}

PathVerdict JudgePath(const Context& context, PacketRole role, const netfilter::Path& path) {
  const netfilter::Packet& packet = path.packet;
  const std::string decided = path.decisive >= 0 ? path.hops[static_cast<size_t>(path.decisive)].what : "";
  const std::string stage = path.decisive >= 0 ? path.hops[static_cast<size_t>(path.decisive)].stage : "";
  // A server's SYN that got through prerouting with the wrong destination fails its DNAT, whatever
  // the route then does with that destination (none, this host, another interface).
  const bool past_prerouting = path.fate == Fate::kLeft || path.fate == Fate::kLocal ||
                               (path.fate == Fate::kDropped && stage != "prerouting");
  const std::string peer = Peer(context, packet.family);
  const uint16_t port = ServerPort(context);
  // Where phantun_server listens: the TUN peer address and --local port.
  const bool for_phantun = packet.daddr == peer && (port == 0 || packet.dport == port);
  if (role == PacketRole::kServerSyn && past_prerouting && path.dnat_bound && !path.redirected && !for_phantun) {
    return {Blame::kNat, absl::StrCat("DNATed to ", Endpoint(packet.daddr, packet.dport), "; phantun needs ",
                                      Endpoint(peer, port))};
  }
  switch (path.fate) {
    case Fate::kUnknown:
      return {Blame::kUnknown, decided};
    case Fate::kDropped:
      if (stage == "routing") return {Blame::kRoute, decided};
      if (decided.rfind("masquerade", 0) == 0) return {Blame::kNat, decided};
      return {Blame::kChains, "dropped"};
    case Fate::kLocal:
      if (role == PacketRole::kServerSyn) {
        return {Blame::kNat, path.dnat_bound ? absl::StrCat("DNATed to ", Endpoint(packet.daddr, packet.dport),
                                                           ", an address of this host: phantun never sees it")
                                             : "not DNATed: delivered to this host itself, where phantun never sees it"};
      }
      return {Blame::kRoute, decided};
    case Fate::kLeft:
      break;
  }
  const Family family = packet.family;
  switch (role) {
    case PacketRole::kServerSyn: {
      if (!for_phantun) {
        return {Blame::kNat, absl::StrCat(path.dnat_bound ? "DNATed to " : "not DNATed: leaves for ",
                                          Endpoint(packet.daddr, packet.dport), " by ", packet.oifname, "; phantun needs ",
                                          Endpoint(peer, port))};
      }
      if (!context.tun.empty() && packet.oifname != context.tun) {
        return {Blame::kRoute, absl::StrCat("routed out ", packet.oifname, ", not the TUN ", context.tun)};
      }
      return {};
    }
    case PacketRole::kClientSyn: {
      if (packet.saddr == Peer(context, family)) {
        return {Blame::kNat, absl::StrCat("leaves ", packet.oifname, " with source ", FormatIpAddress(packet.saddr),
                                          ", the TUN peer address, untranslated: the server's replies cannot come back")};
      }
      if (!context.network.IsLocalAddress(packet.saddr)) {
        return {Blame::kNat, absl::StrCat("SNATed to ", FormatIpAddress(packet.saddr),
                                          ", which is not an address of this host: the server's replies cannot come back")};
      }
      const std::string remote = Remote(context, family);
      if (!remote.empty() && packet.daddr != remote) {
        return {Blame::kNat, absl::StrCat("DNATed to ", Endpoint(packet.daddr, packet.dport), " instead of the server")};
      }
      return {};
    }
    case PacketRole::kClientReply:
      if (!context.tun.empty() && packet.oifname != context.tun) {
        return {Blame::kRoute, absl::StrCat("routed out ", packet.oifname, ", not the TUN ", context.tun)};
      }
      return {};
    case PacketRole::kServerReply:
      return {};
  }
  return {};
}

std::string DescribeDecision(const netfilter::Path& path) {
  std::string out;
  if (path.decisive >= 0) {
    const netfilter::Hop& hop = path.hops[static_cast<size_t>(path.decisive)];
    out = hop.where.empty() ? hop.what : absl::StrCat(hop.where, ": ", hop.what);
    if (!hop.rule.empty()) absl::StrAppend(&out, " [", hop.at, ": ", hop.rule, "]");
  }
  for (const netfilter::NearMiss& miss : path.near_misses) {
    absl::StrAppend(&out, out.empty() ? "" : "; ", "not applying: ", miss.where, ": ", miss.rule, " (", miss.why, ")");
  }
  return out;
}

namespace {

// The hop that did what the check is about, for a pass: the NAT, or the route.
std::string PassDetail(Blame blame, const netfilter::Path& path) {
  for (const netfilter::Hop& hop : path.hops) {
    const bool nat = hop.what.rfind("dnat", 0) == 0 || hop.what.rfind("snat", 0) == 0 ||
                     hop.what.rfind("masquerade", 0) == 0;
    if (blame == Blame::kNat && nat) return absl::StrCat(hop.what, " [", hop.where, ", ", hop.at, ": ", hop.rule, "]");
    // No NAT: the rule that ended a chain before its NAT could (a return or an accept).
    if (blame == Blame::kNat && !hop.rule.empty() && hop.what.rfind("return", 0) == 0) {
      return absl::StrCat(hop.what, " [", hop.where, ", ", hop.at, ": ", hop.rule, "]");
    }
    if (blame == Blame::kNat && !hop.rule.empty() && hop.what == "accept" && hop.where.find(" nat ") != std::string::npos) {
      return absl::StrCat("accept before any NAT [", hop.where, ", ", hop.at, ": ", hop.rule, "]");
    }
    if (blame == Blame::kRoute && hop.stage == "routing") return hop.what;
  }
  if (blame == Blame::kChains) {
    int chains = 0;
    for (const netfilter::Hop& hop : path.hops) chains += hop.chain >= 0 ? 1 : 0;
    return absl::StrCat("no rule or policy drops it (", chains, chains == 1 ? " base chain" : " base chains", " on its path)");
  }
  return "";
}

std::string Assumed(const netfilter::Path& path) {
  std::string out;
  for (const std::string& assumption : path.assumptions) absl::StrAppend(&out, out.empty() ? "" : "; ", assumption);
  return out;
}

}  // namespace

namespace {

// Where along a packet's way each thing is decided, in order: the prerouting chains, the DNAT
// (at prerouting's NAT priority), the route, the forward chains, the postrouting chains, the
// source NAT.
enum Stage : int { kPreroutingChains, kDestinationNat, kRouting, kForwardChains, kPostroutingChains, kSourceNat, kEnd };

int HopStage(const std::string& stage) {
  if (stage == "prerouting") return kPreroutingChains;
  if (stage == "routing") return kRouting;
  if (stage == "forward") return kForwardChains;
  if (stage == "postrouting") return kPostroutingChains;
  return kEnd;
}

int FailureStage(PacketRole role, const PathVerdict& verdict, const netfilter::Path& path) {
  switch (verdict.blame) {
    case Blame::kNone: return kEnd;
    case Blame::kNat: return role == PacketRole::kServerSyn ? kDestinationNat : kSourceNat;
    case Blame::kRoute: return kRouting;
    case Blame::kChains:
    case Blame::kUnknown:
      return path.decisive >= 0 ? HopStage(path.hops[static_cast<size_t>(path.decisive)].stage) : kEnd;
  }
  return kEnd;
}

// The first stage a check needs the packet to reach to be judged at all.
int JudgedStage(Blame check, PacketRole role) {
  switch (check) {
    case Blame::kNat: return role == PacketRole::kServerSyn ? kDestinationNat : kSourceNat;
    case Blame::kRoute: return kRouting;
    case Blame::kChains: return kForwardChains;
    default: return kEnd;
  }
}

}  // namespace

CheckAnswer JudgeTraces(const Context& context, Blame blame, const std::vector<PacketRole>& roles) {
  CheckAnswer answer;
  std::vector<std::string> passes;
  for (const PhantunTrace& traced : context.traces) {
    bool wanted = false;
    for (const PacketRole role : roles) wanted |= role == traced.role;
    if (!wanted) continue;
    size_t failing = 0;
    size_t failing_other = 0;
    std::string other_why;
    const netfilter::Path* first_failing = nullptr;
    const netfilter::Path* first_doubt = nullptr;
    PathVerdict failing_verdict;
    PathVerdict doubt_verdict;
    for (const netfilter::Path& path : traced.trace.paths) {
      const PathVerdict verdict = JudgePath(context, traced.role, path);
      // A failure (or a doubt) further along than what this check judges leaves it passing on
      // this path; one before it means the check cannot be judged on this path.
      const bool before = FailureStage(traced.role, verdict, path) < JudgedStage(blame, traced.role);
      if (verdict.blame == blame) {
        ++failing;
        if (first_failing == nullptr) {
          first_failing = &path;
          failing_verdict = verdict;
        }
      } else if (verdict.blame == Blame::kUnknown && before) {
        if (first_doubt == nullptr) {
          first_doubt = &path;
          doubt_verdict = verdict;
        }
      } else if (verdict.blame != Blame::kNone && verdict.blame != Blame::kUnknown && before) {
        ++failing_other;
        if (other_why.empty()) other_why = verdict.why;
      }
    }
    if (failing_other == traced.trace.paths.size() && failing_other > 0) {
      // Nothing to judge for this check: the packet never gets to where it matters.
      if (answer.kind == CheckAnswer::Kind::kNotTraced || answer.kind == CheckAnswer::Kind::kNotReached) {
        answer.kind = CheckAnswer::Kind::kNotReached;
        answer.trace = &traced;
        answer.finding = absl::StrCat(traced.trace.name, ": not judged here, it fails first: ", other_why);
      }
      continue;
    }
    std::string decision = first_failing != nullptr ? DescribeDecision(*first_failing) : "";
    if (blame == Blame::kNat && first_failing != nullptr) {
      // The NAT that did the wrong thing (or the nat chains the packet went through without one).
      const std::string nat = PassDetail(Blame::kNat, *first_failing);
      if (!nat.empty()) decision = absl::StrCat("by ", nat, decision.empty() ? "" : "; ", decision);
    }
    if (failing == traced.trace.paths.size() && failing > 0) {
      answer.kind = CheckAnswer::Kind::kFail;
      answer.trace = &traced;
      answer.path = first_failing;
      answer.finding = absl::StrCat(traced.trace.name, ": ", failing_verdict.why,
                                    decision.empty() || decision == failing_verdict.why ? "" : absl::StrCat(" (", decision, ")"));
      return answer;
    }
    if (answer.kind != CheckAnswer::Kind::kWarn && (first_failing != nullptr || first_doubt != nullptr)) {
      const netfilter::Path* path = first_failing != nullptr ? first_failing : first_doubt;
      const PathVerdict& verdict = first_failing != nullptr ? failing_verdict : doubt_verdict;
      answer.kind = CheckAnswer::Kind::kWarn;
      answer.trace = &traced;
      answer.path = path;
      answer.finding = absl::StrCat(traced.trace.name, ": may fail: ", verdict.why, " (", DescribeDecision(*path),
                                    "), ", Assumed(*path));
    }
    if (answer.kind == CheckAnswer::Kind::kNotTraced || answer.kind == CheckAnswer::Kind::kNotReached) {
      const std::string detail = traced.trace.paths.empty() ? "" : PassDetail(blame, traced.trace.paths.front());
      passes.push_back(absl::StrCat(traced.trace.name, detail.empty() ? "" : ": ", detail));
      if (answer.trace == nullptr) {
        answer.trace = &traced;
        if (!traced.trace.paths.empty()) answer.path = &traced.trace.paths.front();
      }
    }
  }
  if (answer.kind == CheckAnswer::Kind::kNotTraced && !passes.empty()) {
    answer.kind = CheckAnswer::Kind::kPass;
    std::string joined;
    for (const std::string& pass : passes) absl::StrAppend(&joined, joined.empty() ? "" : "; ", pass);
    answer.finding = joined;
  }
  return answer;
}

namespace {

// What an operator runs to see the kernel's own answer for the packet that failed.
std::string RouteAdvice(const CheckAnswer& answer) {
  std::string look = "ip route get <address>";
  if (answer.path != nullptr && !answer.path->packet.daddr.empty()) {
    const netfilter::Packet& packet = answer.path->packet;
    look = absl::StrCat("ip ", packet.family == Family::kIpv6 ? "-6 " : "", "route get ", FormatIpAddress(packet.daddr));
    if (!packet.saddr.empty() && !packet.iifname.empty()) {
      absl::StrAppend(&look, " from ", FormatIpAddress(packet.saddr), " iif ", packet.iifname);
    }
  }
  return absl::StrCat("routes and policy rules are the host admin's (ip route / ip rule); the kernel's own answer: ", look);
}

}  // namespace

void ReportTraced(const Context& context, const char* id, Blame blame, const std::vector<PacketRole>& roles,
                  Report* report) {
  const CheckAnswer answer = JudgeTraces(context, blame, roles);
  const std::string see_paths = context.options.trace ? "see the trace below: every path and what it assumes"
                                                      : "run phantun-doctor --trace to see every path and what it assumes";
  switch (answer.kind) {
    case CheckAnswer::Kind::kPass:
      report->Add(id, Verdict::kPass, answer.finding);
      return;
    case CheckAnswer::Kind::kWarn:
      report->Add(id, Verdict::kWarn, answer.finding, blame == Blame::kRoute ? RouteAdvice(answer) : see_paths);
      return;
    case CheckAnswer::Kind::kFail: {
      std::string fix = blame == Blame::kRoute ? RouteAdvice(answer) : ProvenFix(context, blame, *answer.trace);
      if (fix.empty()) fix = "no single added rule makes this pass: change the rule named above";
      report->Add(id, Verdict::kFail, answer.finding, std::move(fix));
      return;
    }
    case CheckAnswer::Kind::kNotReached:
      report->Add(id, Verdict::kSkip, answer.finding);
      return;
    case CheckAnswer::Kind::kNotTraced:
      report->Add(id, Verdict::kSkip, absl::StrCat("not traced: ", WhyNotTraced(context)));
      return;
  }
}

}  // namespace phantun_runtime::doctor
