#include "tests/doctor/netfilter/trace_host.h"

#include <stdlib.h>

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "runtime/doctor/netfilter/address.h"

namespace phantun_test {

using phantun_runtime::netfilter::Fate;
using phantun_runtime::netfilter::Family;
using phantun_runtime::netfilter::Hop;
using phantun_runtime::netfilter::InterfaceFact;
using phantun_runtime::netfilter::NetworkFacts;
using phantun_runtime::netfilter::Packet;
using phantun_runtime::netfilter::Path;
using phantun_runtime::netfilter::RouteFact;
using phantun_runtime::netfilter::RouteType;
using phantun_runtime::netfilter::Ruleset;
using phantun_runtime::netfilter::Trace;
using phantun_runtime::netfilter::TraceRequest;
using phantun_runtime::netfilter::Tristate;

namespace {

const char* FateName(Fate fate) {
  switch (fate) {
    case Fate::kLeft: return "left";
    case Fate::kLocal: return "local";
    case Fate::kDropped: return "dropped";
    case Fate::kUnknown: return "unknown";
  }
  return "?";
}

// Whether `address` starts with the bytes of `prefix` (an address of the same family) for `bits`.
bool InPrefix(const std::string& address, const char* prefix, size_t bits) {
  const std::string network = Ip(prefix);
  if (address.size() != network.size()) return false;
  for (size_t bit = 0; bit < bits; ++bit) {
    const unsigned shift = 7 - bit % 8;
    if (((static_cast<uint8_t>(address[bit / 8]) >> shift) & 1) != ((static_cast<uint8_t>(network[bit / 8]) >> shift) & 1)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string Ip(const char* text) {
  const std::optional<std::string> raw = phantun_runtime::netfilter::ParseIpAddress(text);
  if (!raw.has_value()) abort();
  return *raw;
}

NetworkFacts TestHostFacts() {
  NetworkFacts facts;
  facts.interfaces = {
      InterfaceFact{1, "lo", {Ip("127.0.0.1"), Ip("::1")}},
      InterfaceFact{2, "eth0", {Ip("198.18.0.2"), Ip("2001:db8::2")}},
      InterfaceFact{3, "eth1", {Ip("198.18.1.2"), Ip("2001:db8:1::2")}},
      InterfaceFact{4, "wan0", {Ip("198.18.0.1"), Ip("2001:db8:4::1")}},
      InterfaceFact{5, "eth5", {Ip("198.18.5.2")}},
      InterfaceFact{9, "tun0", {Ip("192.168.200.1"), Ip("192.168.201.1"), Ip("fcc8::1"), Ip("fcc9::1")}},
      InterfaceFact{10, "tun1", {Ip("192.168.202.1")}},
  };
  facts.ipv4_forwarding = Tristate::kYes;
  facts.ipv6_forwarding = Tristate::kYes;
  return facts;
}

RouteFact AnswerRoute(const NetworkFacts& facts, const RouteFact& question, const std::string& default_oifname) {
  RouteFact answer = question;
  answer.answered = true;
  answer.table = 254;
  if (facts.IsLocalAddress(question.daddr)) {
    answer.type = RouteType::kLocal;
    answer.oif = 1;
    answer.table = 255;
    return answer;
  }
  answer.type = RouteType::kUnicast;
  const std::string& daddr = question.daddr;
  const bool tun = InPrefix(daddr, "192.168.200.0", 24) || InPrefix(daddr, "192.168.201.0", 24) ||
                   InPrefix(daddr, "fcc8::", 16) || InPrefix(daddr, "fcc9::", 16);
  const InterfaceFact* out = facts.FindInterface(tun ? std::string("tun0") : default_oifname);
  answer.oif = out != nullptr ? out->index : 0;
  return answer;
}

Trace TraceOn(const Ruleset& ruleset, const Packet& packet, const std::string& out) {
  NetworkFacts facts = TestHostFacts();
  TraceRequest request;
  request.name = "test packet";
  request.packet = packet;
  if (const InterfaceFact* in = facts.FindInterface(packet.iifname)) request.packet.iifindex = in->index;
  request.assume_oifname = out;
  if (const InterfaceFact* assumed = facts.FindInterface(out)) request.assume_oifindex = assumed->index;
  Trace trace = TracePacket(ruleset, facts, request);
  // Each round answers the questions of the last; a DNAT in a path can raise one more.
  for (int round = 0; round < 4 && !trace.unanswered_routes.empty(); ++round) {
    for (const RouteFact& question : trace.unanswered_routes) facts.routes.push_back(AnswerRoute(facts, question, out));
    trace = TracePacket(ruleset, facts, request);
  }
  return trace;
}

Packet ClientSyn(const char* tun, const char* peer, const char* server, uint16_t port) {
  Packet packet;
  packet.family = Ip(peer).size() == 16 ? Family::kIpv6 : Family::kIpv4;
  packet.iifname = tun;
  packet.saddr = Ip(peer);
  packet.daddr = Ip(server);
  packet.sport = 40000;
  packet.dport = port;
  packet.ct_state = phantun_runtime::netfilter::kCtStateNew;
  return packet;
}

Packet ServerSyn(const char* wan, const char* client, const char* to, uint16_t port) {
  Packet packet;
  packet.family = Ip(client).size() == 16 ? Family::kIpv6 : Family::kIpv4;
  packet.iifname = wan;
  packet.saddr = Ip(client);
  packet.daddr = Ip(to);
  packet.sport = 40000;
  packet.dport = port;
  packet.ct_state = phantun_runtime::netfilter::kCtStateNew;
  return packet;
}

Packet Forwarded(const char* iif, Family family) {
  Packet packet;
  packet.family = family;
  packet.iifname = iif;
  return packet;
}

std::vector<TraceRequest> PhantunRequests(Family family) {
  const bool v6 = family == Family::kIpv6;
  std::vector<TraceRequest> requests;
  auto add = [&](const char* name, Packet packet, const char* out, uint32_t out_index) {
    TraceRequest request;
    request.name = name;
    request.packet = std::move(packet);
    if (request.packet.iifname == "eth0") request.packet.iifindex = 2;
    if (request.packet.iifname == "tun0") request.packet.iifindex = 9;
    request.assume_oifname = out;
    request.assume_oifindex = out_index;
    requests.push_back(std::move(request));
  };
  add("client SYN", ClientSyn("tun0", v6 ? "fcc8::2" : "192.168.200.2", v6 ? "2001:db8:9::9" : "203.0.113.9", 4567),
      "eth0", 2);
  add("server SYN", ServerSyn("eth0", v6 ? "2001:db8:7::7" : "203.0.113.7", v6 ? "2001:db8::2" : "198.18.0.2", 4567),
      "tun0", 9);
  add("server SYN, interface unknown",
      ServerSyn("", v6 ? "2001:db8:7::7" : "203.0.113.7", v6 ? "2001:db8::2" : "198.18.0.2", 4567), "tun0", 9);
  Packet reply = ServerSyn("tun0", v6 ? "fcc9::2" : "192.168.201.2", v6 ? "2001:db8:7::7" : "203.0.113.7", 40000);
  reply.sport = 4567;
  reply.ct_state = phantun_runtime::netfilter::kCtStateEstablished;
  add("server reply", reply, "eth0", 2);
  requests.back().reply_saddr = Ip(v6 ? "2001:db8::2" : "198.18.0.2");
  add("forwarded, nothing known", Forwarded("tun0", family), "eth0", 2);
  return requests;
}

std::vector<const Hop*> HopsAt(const Path& path, const std::string& stage) {
  std::vector<const Hop*> hops;
  for (const Hop& hop : path.hops) {
    if (hop.stage == stage && hop.table >= 0) hops.push_back(&hop);
  }
  return hops;
}

const Hop* NatHop(const Path& path) {
  for (const Hop& hop : path.hops) {
    for (const char* kind : {"dnat to ", "snat to ", "masquerade: ", "redirect to "}) {
      if (hop.what.rfind(kind, 0) == 0) return &hop;
    }
  }
  return nullptr;
}

Hop DecisiveHop(const Path& path) {
  if (path.decisive < 0 || static_cast<size_t>(path.decisive) >= path.hops.size()) return Hop{"", "", "none", "", ""};
  return path.hops[static_cast<size_t>(path.decisive)];
}

bool Assumes(const Path& path, bool applies, const std::string& rule_text) {
  const std::string wanted = absl::StrCat(applies ? "if this rule applies: " : "if this rule does not apply: ", rule_text);
  for (const std::string& assumption : path.assumptions) {
    if (assumption == wanted) return true;
  }
  return false;
}

std::vector<Fate> Fates(const Trace& trace) {
  std::vector<Fate> fates;
  for (const Path& path : trace.paths) fates.push_back(path.fate);
  return fates;
}

bool WellFormed(const Ruleset& ruleset, const Trace& trace) {
  if (trace.paths.empty()) return false;
  for (const Path& path : trace.paths) {
    if (path.decisive < -1 || path.decisive >= static_cast<int>(path.hops.size())) return false;
    for (const Hop& hop : path.hops) {
      if (hop.table < 0 && hop.chain < 0) continue;
      if (hop.table < 0 || static_cast<size_t>(hop.table) >= ruleset.tables.size()) return false;
      const auto& chains = ruleset.tables[static_cast<size_t>(hop.table)].chains;
      if (hop.chain < 0 || static_cast<size_t>(hop.chain) >= chains.size()) return false;
      if (!chains[static_cast<size_t>(hop.chain)].base) return false;
    }
  }
  return true;
}

std::string Describe(const Trace& trace) {
  std::string text;
  for (size_t i = 0; i < trace.paths.size(); ++i) {
    const Path& path = trace.paths[i];
    absl::StrAppend(&text, "path ", i, ": ", FateName(path.fate), ", ",
                    phantun_runtime::netfilter::FormatIpAddress(path.packet.saddr), " -> ",
                    phantun_runtime::netfilter::FormatIpAddress(path.packet.daddr), ":", path.packet.dport, "\n");
    for (const std::string& assumption : path.assumptions) absl::StrAppend(&text, "  ", assumption, "\n");
    for (const Hop& hop : path.hops) {
      absl::StrAppend(&text, "  [", hop.stage, "] ", hop.where, ": ", hop.what);
      if (!hop.rule.empty()) absl::StrAppend(&text, " <", hop.rule, "> ", hop.at);
      absl::StrAppend(&text, "\n");
    }
  }
  return text;
}

}  // namespace phantun_test

namespace phantun_runtime::netfilter {

void PrintTo(Fate fate, std::ostream* out) {
  switch (fate) {
    case Fate::kLeft: *out << "kLeft"; return;
    case Fate::kLocal: *out << "kLocal"; return;
    case Fate::kDropped: *out << "kDropped"; return;
    case Fate::kUnknown: *out << "kUnknown"; return;
  }
  *out << "Fate(" << static_cast<int>(fate) << ")";
}

}  // namespace phantun_runtime::netfilter
