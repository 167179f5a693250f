// The packet tracer on hand-built rulesets: the kernel's order of base chains across tables and
// backends, chain verdicts, jumps, NAT binding, routing facts, and the paths a "may" rule opens.
#include "runtime/doctor/netfilter/trace.h"

#include <string.h>

#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "runtime/doctor/netfilter/address.h"

namespace phantun_runtime::netfilter {
namespace {

std::string Ip(const char* text) { return ParseIpAddress(text).value(); }

Condition Is(Field field, std::string value) {
  Condition condition;
  condition.field = field;
  condition.value = std::move(value);
  return condition;
}
Condition Iif(const char* name) { return Is(Field::kIifname, std::string(name) + std::string(16 - strlen(name), '\0')); }
Condition Dport(uint16_t port) { return Is(Field::kDport, std::string{static_cast<char>(port >> 8), static_cast<char>(port)}); }
Condition CtEstablished() {
  Condition condition = Is(Field::kCtState, std::string("\0\0\0\0", 4));
  condition.op = Op::kNeq;
  condition.mask = std::string("\0\0\0\x06", 4);
  return condition;
}

Rule Make(std::vector<Condition> conditions, Action action, std::string text) {
  Rule rule;
  rule.conditions = std::move(conditions);
  rule.action = action;
  rule.text = std::move(text);
  return rule;
}
Rule Dnat(std::vector<Condition> conditions, const char* to, std::string text) {
  Rule rule = Make(std::move(conditions), Action::kDnat, std::move(text));
  rule.nat.address_min = rule.nat.address_max = Ip(to);
  return rule;
}
Rule JumpTo(std::vector<Condition> conditions, Action action, const char* chain) {
  Rule rule = Make(std::move(conditions), action, std::string("jump ") + chain);
  rule.target_chain = chain;
  return rule;
}

Chain Base(const char* name, Hook hook, int32_t priority, const char* type, std::vector<Rule> rules,
           Action policy = Action::kAccept) {
  Chain chain;
  chain.name = name;
  chain.base = true;
  chain.hook = hook;
  chain.priority = priority;
  chain.type = type;
  chain.policy = policy;
  chain.rules = std::move(rules);
  return chain;
}
Chain User(const char* name, std::vector<Rule> rules) {
  Chain chain;
  chain.name = name;
  chain.rules = std::move(rules);
  return chain;
}
Table Nft(const char* name, std::vector<Chain> chains, Family family = Family::kInet) {
  Table table;
  table.name = name;
  table.family = family;
  table.chains = std::move(chains);
  return table;
}

// A server host: eth0 (2, 198.18.0.2) is the WAN, tun0 (9, 198.19.201.1) phantun's TUN.
class Tracer : public ::testing::Test {
 protected:
  Tracer() {
    facts.interfaces = {{2, "eth0", {Ip("198.18.0.2")}}, {9, "tun0", {Ip("198.19.201.1")}}};
    facts.ipv4_forwarding = Tristate::kYes;
    Answer("198.19.201.2", "198.18.0.1", 2, RouteType::kUnicast, 9);
    Answer("198.18.0.2", "198.18.0.1", 2, RouteType::kLocal, 1);
    Answer("198.19.201.1", "198.18.0.1", 2, RouteType::kLocal, 1);
    syn.name = "SYN";
    syn.packet.iifname = "eth0";
    syn.packet.iifindex = 2;
    syn.packet.saddr = Ip("198.18.0.1");
    syn.packet.daddr = Ip("198.18.0.2");
    syn.packet.dport = 4567;
    syn.packet.ct_state = kCtStateNew;
    syn.assume_oifname = "tun0";
    syn.assume_oifindex = 9;
  }
  void Answer(const char* daddr, const char* saddr, uint32_t iif, RouteType type, uint32_t oif) {
    RouteFact fact;
    fact.daddr = Ip(daddr);
    fact.saddr = Ip(saddr);
    fact.iif = iif;
    fact.answered = true;
    fact.type = type;
    fact.oif = oif;
    facts.routes.push_back(fact);
  }
  Trace Run() { return TracePacket(ruleset, facts, syn); }

  NetworkFacts facts;
  Ruleset ruleset;
  TraceRequest syn;
};

const Rule kRightDnat = Dnat({Iif("eth0"), Dport(4567)}, "198.19.201.2", "right dnat");

TEST_F(Tracer, TheRightDnatLeavesByTheTun) {
  ruleset.tables = {Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat", {kRightDnat})})};
  const Trace trace = Run();
  ASSERT_EQ(trace.paths.size(), 1u);
  EXPECT_EQ(trace.paths[0].fate, Fate::kLeft);
  EXPECT_EQ(trace.paths[0].packet.oifname, "tun0");
  EXPECT_EQ(trace.paths[0].packet.daddr, Ip("198.19.201.2"));
  EXPECT_TRUE(trace.unanswered_routes.empty());
}

TEST_F(Tracer, AWrongDnatAheadOfTheRightOneBinds) {
  ruleset.tables = {Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat",
                                     {Dnat({Dport(4567)}, "198.19.201.1", "wrong dnat"), kRightDnat})})};
  const Trace trace = Run();
  ASSERT_EQ(trace.paths.size(), 1u);
  EXPECT_EQ(trace.paths[0].fate, Fate::kLocal);
  EXPECT_EQ(trace.paths[0].packet.daddr, Ip("198.19.201.1"));
}

TEST_F(Tracer, TheFirstNatChainToBindWinsAndLaterNatChainsAreNotConsulted) {
  ruleset.tables = {Nft("early", {Base("pre", Hook::kPrerouting, -150, "nat", {Dnat({Dport(4567)}, "198.19.201.1", "early")})}),
                    Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat", {kRightDnat})})};
  EXPECT_EQ(Run().paths[0].fate, Fate::kLocal);
  // An accept in the earlier nat chain binds nothing: the later one is still consulted.
  ruleset.tables[0].chains[0].rules = {Make({Dport(4567)}, Action::kAccept, "accept")};
  EXPECT_EQ(Run().paths[0].fate, Fate::kLeft);
}

TEST_F(Tracer, AReturnAheadOfTheDnatEndsTheChainAndItsWhyIsShown) {
  ruleset.tables = {Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat",
                                     {Dnat({Iif("wan9"), Dport(4567)}, "198.19.201.2", "other iface"),
                                      Make({Dport(4567)}, Action::kReturn, "return"), kRightDnat})})};
  const Trace trace = Run();
  ASSERT_EQ(trace.paths.size(), 1u);
  EXPECT_EQ(trace.paths[0].fate, Fate::kLocal);
  ASSERT_FALSE(trace.paths[0].near_misses.empty());
  EXPECT_EQ(trace.paths[0].near_misses[0].why, "iifname is \"eth0\", the rule wants \"wan9\"");
}

TEST_F(Tracer, JumpsReturnsAndGotos) {
  ruleset.tables = {Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat",
                                     {JumpTo({}, Action::kJump, "empty"), JumpTo({Iif("eth0")}, Action::kGoto, "svc")}),
                                User("empty", {Make({}, Action::kReturn, "return")}), User("svc", {kRightDnat})})};
  EXPECT_EQ(Run().paths[0].fate, Fate::kLeft);
}

TEST_F(Tracer, AcceptEndsOnlyItsChainAndALaterBaseChainStillDrops) {
  ruleset.tables = {
      Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat", {kRightDnat})}),
      Nft("a", {Base("forward", Hook::kForward, -10, "filter", {Make({}, Action::kAccept, "accept all")})}),
      Nft("b", {Base("forward", Hook::kForward, 0, "filter",
                     {Make({CtEstablished()}, Action::kAccept, "ct state established,related accept")}, Action::kDrop)})};
  const Trace trace = Run();
  ASSERT_EQ(trace.paths.size(), 1u);
  EXPECT_EQ(trace.paths[0].fate, Fate::kDropped);
  EXPECT_EQ(trace.paths[0].hops[static_cast<size_t>(trace.paths[0].decisive)].what, "no rule decides: policy drop");
}

TEST_F(Tracer, LegacyTablesRunAtTheirOwnPrioritiesBesideNftables) {
  Table legacy = Nft("filter", {Base("FORWARD", Hook::kForward, 0, "", {}, Action::kDrop)}, Family::kIpv4);
  legacy.source = Source::kIptablesLegacy;
  Table legacy_nat = Nft("nat", {Base("PREROUTING", Hook::kPrerouting, -100, "", {kRightDnat})}, Family::kIpv4);
  legacy_nat.source = Source::kIptablesLegacy;
  ruleset.tables = {legacy, legacy_nat,
                    Nft("filter", {Base("forward", Hook::kForward, 0, "filter", {Make({}, Action::kAccept, "accept")})})};
  const Trace trace = Run();
  EXPECT_EQ(trace.paths[0].fate, Fate::kDropped);
  EXPECT_NE(trace.paths[0].hops[static_cast<size_t>(trace.paths[0].decisive)].where.find("iptables-legacy"),
            std::string::npos);
}

TEST_F(Tracer, ARuleTheDoctorCannotDecideSplitsThePath) {
  Rule maybe = Make({}, Action::kDrop, "opaque drop");
  maybe.opaque.push_back("something unknown");
  ruleset.tables = {Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat", {kRightDnat})}),
                    Nft("f", {Base("forward", Hook::kForward, 0, "filter", {maybe})})};
  const Trace trace = Run();
  ASSERT_EQ(trace.paths.size(), 2u);
  EXPECT_EQ(trace.paths[0].fate, Fate::kDropped);
  EXPECT_EQ(trace.paths[0].assumptions, std::vector<std::string>{"if this rule applies: opaque drop"});
  EXPECT_EQ(trace.paths[1].fate, Fate::kLeft);
}

// Each undecidable rule doubles the ways through; past a bound the trace says it cannot tell
// instead of exploring them all, and a long chain of such rules is no deeper a recursion.
TEST_F(Tracer, TooManyUndecidableRulesAreUnknownNotExplored) {
  std::vector<Rule> rules;
  for (int i = 0; i < 100000; ++i) {
    Rule maybe = Make({}, Action::kDrop, "opaque drop");
    maybe.opaque.push_back("something unknown");
    rules.push_back(std::move(maybe));
  }
  ruleset.tables = {Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat", {kRightDnat})}),
                    Nft("f", {Base("forward", Hook::kForward, 0, "filter", std::move(rules))})};
  const Trace trace = Run();
  ASSERT_EQ(trace.paths.size(), 1u);
  EXPECT_EQ(trace.paths[0].fate, Fate::kUnknown);
  EXPECT_NE(trace.paths[0].hops.back().what.find("too many rules the doctor cannot decide"), std::string::npos);
}

// Chains that jump four times into chains that do the same, 13 deep, and all return: each chain
// is walked once for the packet, not once per way of reaching it (4^12 ways to the deepest).
TEST_F(Tracer, NestedJumpsAreWalkedOncePerChain) {
  std::vector<Chain> chains;
  chains.push_back(Base("prerouting", Hook::kPrerouting, -100, "nat", {JumpTo({}, Action::kJump, "level1"), kRightDnat}));
  for (int level = 1; level <= 13; ++level) {
    std::vector<Rule> rules;
    const std::string next = "level" + std::to_string(level + 1);
    for (int i = 0; i < 4 && level < 13; ++i) {
      Rule jump = Make({}, Action::kJump, "jump " + next);
      jump.target_chain = next;
      rules.push_back(std::move(jump));
    }
    if (level == 13) rules.push_back(Make({Dport(9)}, Action::kDrop, "never for this packet"));
    Chain chain = User("", std::move(rules));
    chain.name = "level" + std::to_string(level);
    chains.push_back(std::move(chain));
  }
  ruleset.tables = {Nft("nat", std::move(chains))};
  const Trace trace = Run();
  ASSERT_EQ(trace.paths.size(), 1u);
  EXPECT_EQ(trace.paths[0].fate, Fate::kLeft);
}

// Docker's nat PREROUTING: `-m addrtype --dst-type LOCAL -j DOCKER`. The server's SYN is for the
// host's own address, so the jump applies (and DOCKER returns); after a DNAT to the TUN peer the
// destination is no longer local.
TEST_F(Tracer, TheDestinationsAddressTypeIsKnown) {
  Condition local;
  local.field = Field::kDaddrType;
  local.op = Op::kInSet;
  local.set = {{std::string("\0\0\0\x02", 4), std::string("\0\0\0\x02", 4)}};
  ruleset.tables = {Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat",
                                     {JumpTo({local}, Action::kJump, "DOCKER"), kRightDnat}),
                                User("DOCKER", {Make({Dport(8080)}, Action::kDrop, "published elsewhere")})}),
                    Nft("f", {Base("forward", Hook::kForward, 0, "filter", {Make({local}, Action::kDrop, "local drop")})})};
  const Trace trace = Run();
  ASSERT_EQ(trace.paths.size(), 1u);  // no rule was undecidable
  EXPECT_EQ(trace.paths[0].fate, Fate::kLeft);
}

// A chain whose rules are not read yet: the trace says which, and cannot tell what happens there.
TEST_F(Tracer, UnreadChainsAreAskedFor) {
  ruleset.tables = {Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat", {JumpTo({}, Action::kJump, "svc")}),
                                User("svc", {kRightDnat})})};
  ruleset.tables[0].chains[1].rules_read = false;
  Trace trace = Run();
  ASSERT_EQ(trace.unread_chains, (std::vector<std::pair<int, int>>{{0, 1}}));
  EXPECT_EQ(trace.paths[0].fate, Fate::kUnknown);
  ruleset.tables[0].chains[1].rules_read = true;
  trace = Run();
  EXPECT_TRUE(trace.unread_chains.empty());
  EXPECT_EQ(trace.paths[0].fate, Fate::kLeft);
}

TEST_F(Tracer, RoutesComeFromTheFactsAndMissingOnesAreAsked) {
  ruleset.tables = {Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat", {kRightDnat})})};
  facts.routes[0].type = RouteType::kBlackhole;
  EXPECT_EQ(Run().paths[0].fate, Fate::kDropped);
  facts.routes[0].error = "network unreachable (no route)";
  EXPECT_EQ(Run().paths[0].fate, Fate::kDropped);
  facts.routes.clear();
  const Trace trace = Run();
  ASSERT_EQ(trace.unanswered_routes.size(), 1u);
  EXPECT_EQ(trace.unanswered_routes[0].daddr, Ip("198.19.201.2"));
  EXPECT_EQ(trace.unanswered_routes[0].iif, 2u);
  EXPECT_EQ(trace.paths[0].packet.oifname, "tun0");  // assumed, and said so
  EXPECT_FALSE(trace.paths[0].assumptions.empty());
}

// Forwarding off is fwd.ipv4's to report: the trace says so and goes on, so the rules after it are
// judged too; the route is then asked as for the host's own packet (the kernel would refuse a
// forwarded one).
TEST_F(Tracer, ForwardingOffIsAnAssumptionAndTheTraceGoesOn) {
  facts.routes.clear();
  facts.ipv4_forwarding = Tristate::kNo;
  ruleset.tables = {Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat", {kRightDnat})})};
  const Trace trace = Run();
  ASSERT_EQ(trace.unanswered_routes.size(), 1u);
  EXPECT_EQ(trace.unanswered_routes[0].saddr, "");
  EXPECT_EQ(trace.unanswered_routes[0].iif, 0u);
  EXPECT_EQ(trace.paths[0].fate, Fate::kLeft);
  EXPECT_EQ(trace.paths[0].assumptions.back(), "if net.ipv4.ip_forward is set to 1");
}

TEST_F(Tracer, AReplyMeetsNoNatChainAndConntrackRestoresItsSource) {
  ruleset.tables = {Nft("nat", {Base("postrouting", Hook::kPostrouting, 100, "nat",
                                     {Make({}, Action::kDrop, "a drop in a nat chain")})})};
  TraceRequest reply;
  reply.packet.iifname = "tun0";
  reply.packet.iifindex = 9;
  reply.packet.saddr = Ip("198.19.201.2");
  reply.packet.sport = 4567;
  reply.packet.daddr = Ip("198.18.0.1");
  reply.packet.ct_state = kCtStateEstablished;
  reply.reply_saddr = Ip("198.18.0.2");
  reply.assume_oifname = "eth0";
  const Trace trace = TracePacket(ruleset, facts, reply);
  ASSERT_EQ(trace.paths.size(), 1u);
  EXPECT_EQ(trace.paths[0].fate, Fate::kLeft);
  EXPECT_EQ(trace.paths[0].packet.saddr, Ip("198.18.0.2"));
}

TEST_F(Tracer, MasqueradeTakesTheOutputInterfacesAddress) {
  Rule masquerade = Make({}, Action::kMasquerade, "masquerade");
  ruleset.tables = {Nft("nat", {Base("prerouting", Hook::kPrerouting, -100, "nat", {kRightDnat}),
                                Base("postrouting", Hook::kPostrouting, 100, "nat", {masquerade})})};
  const Trace trace = Run();
  EXPECT_EQ(trace.paths[0].packet.saddr, Ip("198.19.201.1"));
  EXPECT_TRUE(trace.paths[0].snat_bound);
}

}  // namespace
}  // namespace phantun_runtime::netfilter
