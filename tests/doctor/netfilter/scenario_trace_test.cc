// The packet tracer on netfilter state captured from a real kernel (tests/doctor/testdata): the
// packets phantun depends on, traced through each captured host. These were once the doctor's
// three questions (is the client's traffic masqueraded, is the server's port DNATed to the TUN
// peer, is a forwarded packet accepted); each is now the trace of the packet the question was
// about, and its answer is read off the trace's paths: where the packet goes, which hop decided
// it, and what a path had to assume when a rule could not be decided.
#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/doctor/netfilter/host_netfilter.h"
#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netfilter/trace.h"
#include "tests/doctor/netfilter/scenario.h"
#include "tests/doctor/netfilter/trace_host.h"

namespace phantun_runtime::netfilter {
namespace {

using phantun_test::ClientSyn;
using phantun_test::DecisiveHop;
using phantun_test::Describe;
using phantun_test::Fates;
using phantun_test::Forwarded;
using phantun_test::HopsAt;
using phantun_test::Ip;
using phantun_test::NatHop;
using phantun_test::ReadScenario;
using phantun_test::ServerSyn;
using phantun_test::TraceOn;

// The far ends (outside 198.18.0.0/15, which nft_variety's rules single out): the phantun server
// as its client sees it, and a phantun client as its server sees it.
constexpr char kServer[] = "203.0.113.9";
constexpr char kServer6[] = "2001:db8:9::9";
constexpr char kClient[] = "203.0.113.7";
constexpr char kClient6[] = "2001:db8:7::7";

// The ruleset with its forward chains detached from the hook, for questions about the NAT rules
// alone that the captured filter would otherwise answer first (by dropping the packet).
Ruleset WithoutForwardChains(Ruleset ruleset) {
  for (Table& table : ruleset.tables) {
    for (Chain& chain : table.chains) {
      if (chain.base && chain.hook == Hook::kForward) chain.base = false;
    }
  }
  return ruleset;
}

bool StartsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// The scenarios that configure phantun's documented rules, each with a different tool.
class PhantunRules : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { host_ = ReadScenario(GetParam()); }
  Trace Run(const Packet& packet, const char* out) const { return TraceOn(host_.ruleset, packet, out); }
  HostNetfilter host_;
};

INSTANTIATE_TEST_SUITE_P(Tools, PhantunRules, ::testing::Values("nft_phantun", "legacy_phantun", "iptables_nft_phantun"));

TEST_P(PhantunRules, ClientIsMasqueraded) {
  const Trace trace = Run(ClientSyn("tun0", "192.168.200.2", kServer, 4567), "eth0");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  const Path& path = trace.paths[0];
  EXPECT_EQ(path.fate, Fate::kLeft) << Describe(trace);
  EXPECT_TRUE(path.assumptions.empty()) << Describe(trace);
  EXPECT_EQ(path.packet.oifname, "eth0");
  EXPECT_TRUE(path.snat_bound);
  EXPECT_EQ(path.packet.saddr, Ip("198.18.0.2")) << "eth0's address";
  const Hop* nat = NatHop(path);
  ASSERT_NE(nat, nullptr) << Describe(trace);
  EXPECT_EQ(nat->stage, "postrouting");
  EXPECT_EQ(nat->what, "masquerade: source becomes 198.18.0.2");
  EXPECT_FALSE(nat->rule.empty());
  EXPECT_TRUE(trace.unanswered_routes.empty());
}

TEST_P(PhantunRules, ClientThroughAnotherWanInterfaceIsNot) {
  const Trace trace = Run(ClientSyn("tun0", "192.168.200.2", kServer, 4567), "eth1");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  EXPECT_EQ(trace.paths[0].fate, Fate::kLeft);
  EXPECT_EQ(trace.paths[0].packet.oifname, "eth1");
  EXPECT_FALSE(trace.paths[0].snat_bound);
  EXPECT_EQ(trace.paths[0].packet.saddr, Ip("192.168.200.2"));
  EXPECT_EQ(NatHop(trace.paths[0]), nullptr) << Describe(trace);
}

TEST_P(PhantunRules, ServerDnatsItsPortToThePeer) {
  const Trace trace = Run(ServerSyn("eth0", kClient, "198.18.0.2", 4567), "eth0");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  const Path& path = trace.paths[0];
  EXPECT_TRUE(path.dnat_bound);
  EXPECT_EQ(path.packet.daddr, Ip("192.168.201.2"));
  EXPECT_EQ(path.packet.dport, 4567);
  EXPECT_EQ(path.packet.oifname, "tun0");
  const Hop* nat = NatHop(path);
  ASSERT_NE(nat, nullptr) << Describe(trace);
  EXPECT_EQ(nat->stage, "prerouting");
  EXPECT_EQ(nat->what, "dnat to 192.168.201.2:4567");
  // The documented filter lets only what comes from the TUN through: the DNATed SYN is dropped by
  // the forward chain's policy (what the old forward question said of eth0 -> tun0).
  EXPECT_EQ(path.fate, Fate::kDropped);
  EXPECT_EQ(DecisiveHop(path).stage, "forward");
  EXPECT_EQ(DecisiveHop(path).what, "no rule decides: policy drop");
}

TEST_P(PhantunRules, ServerNegativeCases) {
  // Another port: not DNATed, so the host keeps it for itself.
  const Trace wrong_port = Run(ServerSyn("eth0", kClient, "198.18.0.2", 4568), "eth0");
  ASSERT_EQ(wrong_port.paths.size(), 1u) << Describe(wrong_port);
  EXPECT_FALSE(wrong_port.paths[0].dnat_bound);
  EXPECT_EQ(NatHop(wrong_port.paths[0]), nullptr);
  EXPECT_EQ(wrong_port.paths[0].packet.daddr, Ip("198.18.0.2"));
  EXPECT_EQ(wrong_port.paths[0].fate, Fate::kLocal);

  // The DNAT goes to 192.168.201.2: a TUN peer at 192.168.201.3 would not get the packet.
  const Trace right = Run(ServerSyn("eth0", kClient, "198.18.0.2", 4567), "eth0");
  ASSERT_EQ(right.paths.size(), 1u);
  EXPECT_NE(right.paths[0].packet.daddr, Ip("192.168.201.3"));

  // Another interface.
  const Trace wrong_interface = Run(ServerSyn("eth1", kClient, "198.18.1.2", 4567), "eth1");
  ASSERT_EQ(wrong_interface.paths.size(), 1u) << Describe(wrong_interface);
  EXPECT_FALSE(wrong_interface.paths[0].dnat_bound);
  EXPECT_EQ(wrong_interface.paths[0].fate, Fate::kLocal);

  // An unknown input interface cannot be matched against "-i eth0": the DNAT may or may not
  // apply, and the trace has paths for each, saying which it assumed (the DNATed ones split again
  // on the forward rule's "-i tun0").
  const Trace unknown = Run(ServerSyn("", kClient, "198.18.0.2", 4567), "eth0");
  const auto dnated = std::find_if(unknown.paths.begin(), unknown.paths.end(), [](const Path& p) { return p.dnat_bound; });
  ASSERT_NE(dnated, unknown.paths.end()) << Describe(unknown);
  ASSERT_NE(NatHop(*dnated), nullptr);
  const std::string dnat_rule = NatHop(*dnated)->rule;
  int kept = 0;
  for (const Path& path : unknown.paths) {
    EXPECT_EQ(path.dnat_bound, phantun_test::Assumes(path, true, dnat_rule)) << Describe(unknown);
    if (path.dnat_bound) {
      EXPECT_EQ(path.packet.daddr, Ip("192.168.201.2"));
    } else {
      ++kept;
      EXPECT_TRUE(phantun_test::Assumes(path, false, dnat_rule)) << Describe(unknown);
      EXPECT_EQ(path.fate, Fate::kLocal);
    }
  }
  EXPECT_EQ(kept, 1) << Describe(unknown);
}

TEST_P(PhantunRules, ForwardFromTunIsAcceptedAndBackIsDroppedByThePolicy) {
  const Trace out = Run(Forwarded("tun0"), "eth0");
  ASSERT_EQ(out.paths.size(), 1u) << Describe(out);
  EXPECT_EQ(out.paths[0].fate, Fate::kLeft);
  const std::vector<const Hop*> forward = HopsAt(out.paths[0], "forward");
  ASSERT_EQ(forward.size(), 1u) << Describe(out);  // one forward chain sees IPv4
  EXPECT_EQ(forward[0]->what, "accept");
  EXPECT_NE(forward[0]->rule.find("tun0"), std::string::npos) << forward[0]->rule;
  const Chain& chain = host_.ruleset.tables.at(static_cast<size_t>(forward[0]->table)).chains.at(static_cast<size_t>(forward[0]->chain));
  EXPECT_EQ(chain.policy, Action::kDrop);

  const Trace back = Run(Forwarded("eth0"), "tun0");
  ASSERT_EQ(back.paths.size(), 1u) << Describe(back);
  EXPECT_EQ(back.paths[0].fate, Fate::kDropped);
  const Hop decisive = DecisiveHop(back.paths[0]);
  EXPECT_EQ(decisive.stage, "forward");
  EXPECT_EQ(decisive.what, "no rule decides: policy drop");
  EXPECT_EQ(decisive.rule, "");
  EXPECT_EQ(decisive.where, forward[0]->where);
}

TEST(PhantunRulesNft, InetMasqueradeCoversIpv6ButTheDnatIsIpv4Only) {
  const HostNetfilter host = ReadScenario("nft_phantun");
  const Trace client = TraceOn(host.ruleset, ClientSyn("tun0", "fcc8::2", kServer6, 4567), "eth0");
  ASSERT_EQ(client.paths.size(), 1u) << Describe(client);
  EXPECT_EQ(client.paths[0].fate, Fate::kLeft);
  EXPECT_TRUE(client.paths[0].snat_bound);
  EXPECT_EQ(client.paths[0].packet.saddr, Ip("2001:db8::2")) << Describe(client);

  // "dnat ip to 192.168.201.2" in the inet table leaves IPv6 alone: the SYN is the host's own.
  const Trace server = TraceOn(host.ruleset, ServerSyn("eth0", kClient6, "2001:db8::2", 4567), "eth0");
  ASSERT_EQ(server.paths.size(), 1u) << Describe(server);
  EXPECT_FALSE(server.paths[0].dnat_bound) << Describe(server);
  EXPECT_EQ(server.paths[0].packet.daddr, Ip("2001:db8::2"));
  EXPECT_EQ(server.paths[0].fate, Fate::kLocal);

  // From another TUN: the forward chain drops it before postrouting; without the filter in the
  // way, the masquerade still does not apply, and the trace says why.
  const Trace tun1 = TraceOn(host.ruleset, ClientSyn("tun1", "192.168.200.2", kServer, 4567), "eth0");
  ASSERT_EQ(tun1.paths.size(), 1u) << Describe(tun1);
  EXPECT_EQ(tun1.paths[0].fate, Fate::kDropped);
  EXPECT_EQ(DecisiveHop(tun1.paths[0]).stage, "forward");
  const Trace nat_only =
      TraceOn(WithoutForwardChains(host.ruleset), ClientSyn("tun1", "192.168.200.2", kServer, 4567), "eth0");
  ASSERT_EQ(nat_only.paths.size(), 1u) << Describe(nat_only);
  EXPECT_EQ(nat_only.paths[0].fate, Fate::kLeft);
  EXPECT_FALSE(nat_only.paths[0].snat_bound);
  bool why_shown = false;
  for (const NearMiss& miss : nat_only.paths[0].near_misses) {
    why_shown |= miss.why == "iifname is \"tun1\", the rule wants \"tun0\"";
  }
  EXPECT_TRUE(why_shown) << Describe(nat_only);
}

TEST(PhantunRulesLegacy, Ip6tablesRulesAnswerForIpv6) {
  for (const char* scenario : {"legacy_phantun", "iptables_nft_phantun"}) {
    const HostNetfilter host = ReadScenario(scenario);
    // No ip6tables filter rules: IPv6 is forwarded, masqueraded and DNATed.
    const Trace client = TraceOn(host.ruleset, ClientSyn("tun0", "fcc8::2", kServer6, 4567), "eth0");
    ASSERT_EQ(client.paths.size(), 1u) << scenario << "\n" << Describe(client);
    EXPECT_EQ(client.paths[0].fate, Fate::kLeft) << scenario;
    EXPECT_TRUE(client.paths[0].snat_bound) << scenario;
    EXPECT_EQ(client.paths[0].packet.saddr, Ip("2001:db8::2")) << scenario;

    const Trace server = TraceOn(host.ruleset, ServerSyn("eth0", kClient6, "2001:db8::2", 4567), "eth0");
    ASSERT_EQ(server.paths.size(), 1u) << scenario << "\n" << Describe(server);
    EXPECT_TRUE(server.paths[0].dnat_bound) << scenario;
    EXPECT_EQ(server.paths[0].packet.daddr, Ip("fcc9::2")) << scenario;
    EXPECT_EQ(server.paths[0].packet.dport, 4567) << scenario;
    EXPECT_EQ(server.paths[0].packet.oifname, "tun0") << scenario;
    EXPECT_EQ(server.paths[0].fate, Fate::kLeft) << scenario;

    // "--to-destination [fcc9::2]:4567" comes with "--dport 4567": another port is not DNATed.
    const Trace other = TraceOn(host.ruleset, ServerSyn("eth0", kClient6, "2001:db8::2", 4568), "eth0");
    ASSERT_EQ(other.paths.size(), 1u) << scenario;
    EXPECT_FALSE(other.paths[0].dnat_bound) << scenario;
    EXPECT_EQ(other.paths[0].fate, Fate::kLocal) << scenario;
  }
}

TEST(EmptyNamespace, NothingIsMasqueradedAndForwardingIsAccepted) {
  const HostNetfilter host = ReadScenario("empty");
  const Trace client = TraceOn(host.ruleset, ClientSyn("tun0", "192.168.200.2", kServer, 4567), "eth0");
  ASSERT_EQ(client.paths.size(), 1u);
  EXPECT_EQ(client.paths[0].fate, Fate::kLeft);
  EXPECT_FALSE(client.paths[0].snat_bound);
  EXPECT_EQ(client.paths[0].packet.saddr, Ip("192.168.200.2"));

  const Trace server = TraceOn(host.ruleset, ServerSyn("eth0", kClient, "198.18.0.2", 4567), "eth0");
  ASSERT_EQ(server.paths.size(), 1u);
  EXPECT_FALSE(server.paths[0].dnat_bound);
  EXPECT_EQ(server.paths[0].fate, Fate::kLocal);

  // No chain at all: forwarded packets pass.
  const Trace forward = TraceOn(host.ruleset, Forwarded("tun0"), "eth0");
  ASSERT_EQ(forward.paths.size(), 1u);
  EXPECT_EQ(forward.paths[0].fate, Fate::kLeft);
  EXPECT_TRUE(HopsAt(forward.paths[0], "forward").empty()) << Describe(forward);
}

// nft_variety: prefixes, wildcard names, port ranges, sets, a user chain that masquerades, DNAT
// with a port, and a forward chain that jumps.
class NftVariety : public ::testing::Test {
 protected:
  void SetUp() override { host_ = ReadScenario("nft_variety"); }
  Trace Run(const Packet& packet, const char* out) const { return TraceOn(host_.ruleset, packet, out); }
  HostNetfilter host_;
};

constexpr char kSetMasquerade[] = "meta l4proto tcp th dport @__set0 masquerade";

TEST_F(NftVariety, MasqueradeInAJumpedToChainCounts) {
  const Trace trace = Run(ClientSyn("tun0", "192.168.200.2", kServer, 4567), "wan0");
  // The set lookup ahead of the jump cannot be decided (its elements were not captured): one path
  // where it masquerades, one where the helper chain does.
  ASSERT_EQ(trace.paths.size(), 2u) << Describe(trace);
  for (const Path& path : trace.paths) {
    EXPECT_EQ(path.fate, Fate::kLeft) << Describe(trace);
    EXPECT_TRUE(path.snat_bound) << Describe(trace);
    EXPECT_EQ(path.packet.saddr, Ip("198.18.0.1")) << "wan0's address";
  }
  const auto helper = std::find_if(trace.paths.begin(), trace.paths.end(),
                                   [](const Path& p) { return phantun_test::Assumes(p, false, kSetMasquerade); });
  ASSERT_NE(helper, trace.paths.end()) << Describe(trace);
  const Hop* nat = NatHop(*helper);
  ASSERT_NE(nat, nullptr);
  EXPECT_EQ(nat->stage, "postrouting");
  EXPECT_EQ(nat->rule, "oifname \"wan0\" masquerade");
  EXPECT_TRUE(StartsWith(nat->at, "chain helper, ")) << nat->at;
  EXPECT_EQ(nat->where, "nft ip extra post (priority 110)");

  // The helper returns first for a server in 198.18.0.0/15: only the set rule may masquerade.
  const Trace inside = Run(ClientSyn("tun0", "192.168.200.2", "198.18.7.7", 4567), "wan0");
  ASSERT_EQ(inside.paths.size(), 2u) << Describe(inside);
  for (const Path& path : inside.paths) {
    EXPECT_EQ(path.snat_bound, phantun_test::Assumes(path, true, kSetMasquerade)) << Describe(inside);
  }
}

TEST_F(NftVariety, ConditionsOnTheUnknownServerPortMakeItUncertain) {
  // Out eth0, the filter drops the client's SYN whatever its port: only tun0 -> wan0 jumps to the
  // chain that accepts.
  const Trace filtered = Run(ClientSyn("tun0", "192.168.200.2", kServer, 0), "eth0");
  ASSERT_EQ(filtered.paths.size(), 1u) << Describe(filtered);
  EXPECT_EQ(filtered.paths[0].fate, Fate::kDropped);
  EXPECT_EQ(DecisiveHop(filtered.paths[0]).what, "no rule decides: policy drop");

  // The NAT rules alone. eth0 matches "eth*" and the /24, but "tcp dport 1000-2000" depends on
  // the server's port (unknown here), and the set lookup cannot be decided: a path for each rule
  // that may translate the source, and one where neither does.
  const Ruleset nat_only = WithoutForwardChains(host_.ruleset);
  const Trace trace = TraceOn(nat_only, ClientSyn("tun0", "192.168.200.2", kServer, 0), "eth0");
  std::vector<std::string> translating;
  int untouched = 0;
  for (const Path& path : trace.paths) {
    EXPECT_EQ(path.fate, Fate::kLeft) << Describe(trace);
    if (path.snat_bound) {
      const Hop* nat = NatHop(path);
      ASSERT_NE(nat, nullptr) << Describe(trace);
      EXPECT_TRUE(phantun_test::Assumes(path, true, nat->rule)) << Describe(trace);
      translating.push_back(nat->rule);
    } else {
      ++untouched;
      EXPECT_TRUE(phantun_test::Assumes(path, false, kSetMasquerade)) << Describe(trace);
    }
  }
  EXPECT_EQ(translating, (std::vector<std::string>{
                             "ip saddr 192.168.200.0/24 oifname \"eth*\" tcp dport 1000-2000 snat to 198.18.0.1:5000",
                             kSetMasquerade}))
      << Describe(trace);
  EXPECT_EQ(untouched, 1) << Describe(trace);

  // A peer outside the /24 rules the SNAT out (and "!= 192.168.200.2" matches it, but that rule
  // masquerades to ports 6000-7000, which is still a masquerade): still uncertain, never an SNAT.
  const Trace other = TraceOn(nat_only, ClientSyn("tun0", "192.168.9.2", kServer, 0), "eth0");
  int masqueraded = 0;
  for (const Path& path : other.paths) {
    const Hop* nat = NatHop(path);
    if (nat == nullptr) continue;
    ++masqueraded;
    EXPECT_TRUE(StartsWith(nat->what, "masquerade: ")) << nat->what;
    EXPECT_EQ(nat->rule.find("snat"), std::string::npos) << nat->rule;
  }
  EXPECT_GT(masqueraded, 0) << Describe(other);
  EXPECT_LT(masqueraded, static_cast<int>(other.paths.size())) << Describe(other);
}

TEST_F(NftVariety, DnatWithTheSamePortOrKeepingItIsYesAnotherPortNo) {
  const Trace named = Run(ServerSyn("wan0", kClient, "198.18.0.1", 4567), "wan0");
  ASSERT_EQ(named.paths.size(), 1u) << Describe(named);
  ASSERT_NE(NatHop(named.paths[0]), nullptr);
  EXPECT_EQ(NatHop(named.paths[0])->what, "dnat to 192.168.201.2:4567");
  EXPECT_EQ(named.paths[0].packet.daddr, Ip("192.168.201.2"));
  EXPECT_EQ(named.paths[0].fate, Fate::kLeft);

  // 5000-5010 keeps the port (and the filter does not let it through, but it is DNATed).
  const Trace kept = Run(ServerSyn("wan0", kClient, "198.18.0.1", 5005), "wan0");
  ASSERT_EQ(kept.paths.size(), 1u) << Describe(kept);
  ASSERT_NE(NatHop(kept.paths[0]), nullptr);
  EXPECT_EQ(NatHop(kept.paths[0])->what, "dnat to 192.168.201.2:5005");
  EXPECT_TRUE(kept.paths[0].dnat_bound);
  EXPECT_EQ(kept.paths[0].packet.dport, 5005);

  const Trace unmatched = Run(ServerSyn("wan0", kClient, "198.18.0.1", 4600), "wan0");
  ASSERT_EQ(unmatched.paths.size(), 1u) << Describe(unmatched);
  EXPECT_FALSE(unmatched.paths[0].dnat_bound);
  EXPECT_EQ(unmatched.paths[0].fate, Fate::kLocal);

  const Trace wrong_interface = Run(ServerSyn("eth0", kClient, "198.18.0.2", 4567), "eth0");
  ASSERT_EQ(wrong_interface.paths.size(), 1u) << Describe(wrong_interface);
  EXPECT_FALSE(wrong_interface.paths[0].dnat_bound);
  EXPECT_EQ(wrong_interface.paths[0].fate, Fate::kLocal);
  ASSERT_FALSE(wrong_interface.paths[0].near_misses.empty());
  EXPECT_EQ(wrong_interface.paths[0].near_misses[0].why, "iifname is \"eth0\", the rule wants \"wan0\"");
}

TEST_F(NftVariety, ForwardIsUncertainUntilTheConntrackStateAndPortAreKnown) {
  Packet packet = Forwarded("tun0");
  Trace trace = Run(packet, "wan0");
  // Unknown conntrack state: the paths disagree, and each assumed something of the first rule.
  EXPECT_EQ(Fates(trace), (std::vector<Fate>{Fate::kLeft, Fate::kDropped, Fate::kLeft})) << Describe(trace);
  for (const Path& path : trace.paths) {
    const bool accepted_by_it = phantun_test::Assumes(path, true, "ct state established,related accept");
    EXPECT_TRUE(accepted_by_it || phantun_test::Assumes(path, false, "ct state established,related accept"))
        << Describe(trace);
    // Only the ip table's chain sees IPv4: not the ip6 one, nor the bridge's.
    for (const Hop* hop : HopsAt(path, "forward")) EXPECT_EQ(hop->where, "nft ip extra forward (priority 0)");
  }

  packet.ct_state = kCtStateNew;
  packet.dport = 4567;
  trace = Run(packet, "wan0");
  ASSERT_FALSE(trace.paths.empty());
  for (const Path& path : trace.paths) {  // postrouting's undecidable rules split it, all leave
    EXPECT_EQ(path.fate, Fate::kLeft) << Describe(trace);
    const std::vector<const Hop*> forward = HopsAt(path, "forward");
    ASSERT_EQ(forward.size(), 1u) << Describe(trace);
    EXPECT_EQ(forward[0]->what, "accept");
    EXPECT_EQ(forward[0]->rule, "log accept");  // in the jumped-to chain
    EXPECT_TRUE(StartsWith(forward[0]->at, "chain out, ")) << forward[0]->at;
  }

  packet.dport = 22;
  trace = Run(packet, "wan0");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  EXPECT_EQ(trace.paths[0].fate, Fate::kDropped);
  EXPECT_EQ(DecisiveHop(trace.paths[0]).what, "drop");
  EXPECT_EQ(DecisiveHop(trace.paths[0]).rule, "tcp dport 22 drop");

  // Only the port unknown: "tcp dport 22 drop" may or may not apply, and the ways disagree.
  packet.dport = 0;
  trace = Run(packet, "wan0");
  int dropped = 0;
  for (const Path& path : trace.paths) {
    if (path.fate == Fate::kDropped) {
      ++dropped;
      EXPECT_EQ(DecisiveHop(path).rule, "tcp dport 22 drop");
      EXPECT_TRUE(phantun_test::Assumes(path, true, "tcp dport 22 drop")) << Describe(trace);
    } else {
      EXPECT_EQ(path.fate, Fate::kLeft) << Describe(trace);
      EXPECT_TRUE(phantun_test::Assumes(path, false, "tcp dport 22 drop")) << Describe(trace);
    }
  }
  EXPECT_EQ(dropped, 1) << Describe(trace);
  EXPECT_GT(trace.paths.size(), 1u);
}

TEST_F(NftVariety, ReplyDirectionNeedsTheDaddrRuleOrEstablished) {
  Packet packet = ServerSyn("wan0", kClient, "192.168.201.2", 4567);
  Trace trace = Run(packet, "tun0");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  EXPECT_EQ(trace.paths[0].fate, Fate::kLeft);
  ASSERT_EQ(HopsAt(trace.paths[0], "forward").size(), 1u);
  EXPECT_EQ(HopsAt(trace.paths[0], "forward")[0]->rule, "ip daddr 192.168.201.2 tcp dport 4567 accept");

  packet.dport = 4568;
  trace = Run(packet, "tun0");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  EXPECT_EQ(trace.paths[0].fate, Fate::kDropped);
  EXPECT_EQ(DecisiveHop(trace.paths[0]).what, "no rule decides: policy drop");
  EXPECT_EQ(DecisiveHop(trace.paths[0]).stage, "forward");

  packet.ct_state = kCtStateEstablished;
  trace = Run(packet, "tun0");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  EXPECT_EQ(trace.paths[0].fate, Fate::kLeft);
  ASSERT_EQ(HopsAt(trace.paths[0], "forward").size(), 1u);
  EXPECT_EQ(HopsAt(trace.paths[0], "forward")[0]->rule, "ct state established,related accept");
}

TEST_F(NftVariety, Ipv6ForwardRejectsUniqueLocalSources) {
  Packet packet = Forwarded("tun0", Family::kIpv6);
  packet.saddr = Ip("fcc8::2");
  Trace trace = Run(packet, "wan0");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  EXPECT_EQ(trace.paths[0].fate, Fate::kDropped);
  const Hop decisive = DecisiveHop(trace.paths[0]);
  EXPECT_EQ(decisive.what, "reject");
  EXPECT_EQ(decisive.rule, "ip6 saddr fc00::/7 oifname \"wan0\" reject");
  EXPECT_EQ(decisive.where, "nft ip6 extra6 forward (priority 0)");

  packet.saddr = Ip("2001:db8:7::2");
  trace = Run(packet, "wan0");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  EXPECT_EQ(trace.paths[0].fate, Fate::kLeft);
}

// The deciding hop of the path's forward chain of `table` ("filter", "mangle"), by its `where`.
const Hop* ForwardHopOf(const Path& path, const std::string& table) {
  for (const Hop* hop : HopsAt(path, "forward")) {
    if (hop->where.find(" " + table + " FORWARD ") != std::string::npos) return hop;
  }
  return nullptr;
}

// The same x_tables rules, legacy and through iptables-nft: user chains, goto, conntrack, mangle.
class XtablesVariety : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { host_ = ReadScenario(GetParam()); }
  Trace Run(const Packet& packet, const char* out) const { return TraceOn(host_.ruleset, packet, out); }
  HostNetfilter host_;
};

INSTANTIATE_TEST_SUITE_P(Tools, XtablesVariety, ::testing::Values("legacy_variety", "iptables_nft_variety"));

TEST_P(XtablesVariety, ForwardThroughUserChainsAndGoto) {
  Packet packet = Forwarded("tun0");
  packet.ct_state = kCtStateNew;
  packet.daddr = Ip("198.18.0.7");
  packet.dport = 4567;
  Trace trace = Run(packet, "wan0");
  ASSERT_FALSE(trace.paths.empty());
  for (const Path& path : trace.paths) {  // the SNAT's unknown source splits it in postrouting
    EXPECT_EQ(path.fate, Fate::kLeft) << Describe(trace);
    EXPECT_EQ(HopsAt(path, "forward").size(), 2u) << "filter FORWARD and mangle FORWARD\n" << Describe(trace);
    const Hop* filter = ForwardHopOf(path, "filter");
    const Hop* mangle = ForwardHopOf(path, "mangle");
    ASSERT_NE(filter, nullptr) << Describe(trace);
    ASSERT_NE(mangle, nullptr) << Describe(trace);
    EXPECT_EQ(filter->what, "accept");
    EXPECT_EQ(filter->rule, "-A out -j ACCEPT");
    EXPECT_EQ(mangle->what, "no rule decides: policy accept");
  }

  packet.dport = 22;
  trace = Run(packet, "wan0");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  EXPECT_EQ(trace.paths[0].fate, Fate::kDropped);
  EXPECT_EQ(DecisiveHop(trace.paths[0]).what, "reject");
  EXPECT_EQ(DecisiveHop(trace.paths[0]).rule, "-A out -p tcp -m tcp --dport 22 -j REJECT");

  // 1000:2000 goes to out2, which drops 198.18.0.0/15 and otherwise returns past "out" (a goto):
  // back in FORWARD, nothing else matches, so the policy drops it too. The source is unknown: a
  // path for each, both dropped.
  packet.dport = 1500;
  trace = Run(packet, "wan0");
  EXPECT_EQ(Fates(trace), (std::vector<Fate>{Fate::kDropped, Fate::kDropped})) << Describe(trace);
  packet.saddr = Ip("192.168.200.2");
  packet.daddr = "";
  trace = Run(packet, "wan0");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  EXPECT_EQ(trace.paths[0].fate, Fate::kDropped);
  EXPECT_EQ(DecisiveHop(trace.paths[0]).what, "no rule decides: policy drop");
  EXPECT_NE(DecisiveHop(trace.paths[0]).where.find(" filter FORWARD "), std::string::npos);
  packet.saddr = Ip("198.18.0.9");
  trace = Run(packet, "wan0");
  ASSERT_EQ(trace.paths.size(), 1u) << Describe(trace);
  EXPECT_EQ(DecisiveHop(trace.paths[0]).what, "drop");
  EXPECT_EQ(DecisiveHop(trace.paths[0]).rule, "-A out2 -s 198.18.0.0/15 -j DROP");

  // From elsewhere, nothing known: only the reply rule or the DNAT target port can let it through.
  trace = Run(Forwarded("eth5"), "tun0");
  const std::vector<Fate> fates = Fates(trace);
  EXPECT_EQ(std::count(fates.begin(), fates.end(), Fate::kLeft), 2) << Describe(trace);
  EXPECT_EQ(std::count(fates.begin(), fates.end(), Fate::kDropped), 1) << Describe(trace);
  for (const Path& path : trace.paths) {
    // Braced: EXPECT_EQ is an if/else inside, and gcc warns of the dangling else without them.
    if (path.fate == Fate::kLeft) {
      EXPECT_EQ(ForwardHopOf(path, "filter")->what, "accept") << Describe(trace);
    }
    if (path.fate == Fate::kDropped) {
      EXPECT_EQ(DecisiveHop(path).what, "no rule decides: policy drop");
    }
  }
}

TEST_P(XtablesVariety, NatRules) {
  const Trace client = Run(ClientSyn("tun0", "192.168.200.2", kServer, 4567), "wan0");
  ASSERT_EQ(client.paths.size(), 1u) << Describe(client);
  EXPECT_EQ(client.paths[0].fate, Fate::kLeft);
  EXPECT_TRUE(client.paths[0].snat_bound);
  EXPECT_EQ(client.paths[0].packet.saddr, Ip("198.18.0.1"));
  ASSERT_NE(NatHop(client.paths[0]), nullptr);
  EXPECT_EQ(NatHop(client.paths[0])->what, "snat to 198.18.0.1");
  EXPECT_EQ(client.paths[0].packet.sport, 5000) << "the first of --to-source's ports";
  EXPECT_EQ(NatHop(client.paths[0])->stage, "postrouting");

  const Trace outside = Run(ClientSyn("tun0", "192.168.100.2", kServer, 4567), "wan0");
  ASSERT_EQ(outside.paths.size(), 1u) << Describe(outside);
  EXPECT_FALSE(outside.paths[0].snat_bound);

  const Trace server = Run(ServerSyn("wan0", kClient, "198.18.0.1", 4567), "wan0");
  ASSERT_EQ(server.paths.size(), 1u) << Describe(server);
  EXPECT_TRUE(server.paths[0].dnat_bound);
  EXPECT_EQ(server.paths[0].packet.daddr, Ip("192.168.201.2"));
  EXPECT_EQ(server.paths[0].fate, Fate::kLeft);

  // "-m multiport --dports 5000,5001" is not decoded: a DNAT for 5000 might come from it, and the
  // trace has a path where it does (and the filter then drops it) and one where it does not.
  const Trace multiport = Run(ServerSyn("wan0", kClient, "198.18.0.1", 5000), "wan0");
  ASSERT_EQ(multiport.paths.size(), 2u) << Describe(multiport);
  int dnated = 0;
  for (const Path& path : multiport.paths) {
    ASSERT_EQ(path.assumptions.size(), 1u) << Describe(multiport);
    EXPECT_NE(path.assumptions[0].find("-m multiport"), std::string::npos) << path.assumptions[0];
    if (!path.dnat_bound) {
      EXPECT_EQ(path.fate, Fate::kLocal);
      continue;
    }
    ++dnated;
    EXPECT_TRUE(phantun_test::Assumes(path, true, NatHop(path)->rule)) << Describe(multiport);
    EXPECT_EQ(path.packet.daddr, Ip("192.168.201.2"));
    EXPECT_EQ(path.packet.dport, 5000);
  }
  EXPECT_EQ(dnated, 1);
}

}  // namespace
}  // namespace phantun_runtime::netfilter
