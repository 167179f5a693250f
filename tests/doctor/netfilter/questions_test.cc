// The doctor's three questions, asked of netfilter state captured from a real kernel.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netfilter/forward_question.h"
#include "runtime/doctor/netfilter/host_netfilter.h"
#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netfilter/nat_questions.h"
#include "runtime/doctor/netfilter/views.h"
#include "tests/doctor/netfilter/scenario.h"

namespace phantun_runtime::netfilter {
namespace {

using phantun_test::ReadScenario;

std::string Ip(const char* text) { return ParseIpAddress(text).value(); }

ClientNatQuestion Client(const char* tun, const char* peer, const char* wan) {
  return ClientNatQuestion{tun, Ip(peer), wan};
}

ServerNatQuestion Server(const char* wan, uint16_t port, const char* peer) { return ServerNatQuestion{wan, port, Ip(peer)}; }

Packet Forward(const char* from, const char* to, Family family = Family::kIpv4) {
  Packet question;
  question.iifname = from;
  question.oifname = to;
  question.family = family;
  return question;
}

// The scenarios that configure phantun's documented rules, each with a different tool.
class PhantunRules : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    host_ = ReadScenario(GetParam());
    nat_ = CollectNatRules(host_.ruleset);
  }
  HostNetfilter host_;
  std::vector<NatRule> nat_;
};

INSTANTIATE_TEST_SUITE_P(Tools, PhantunRules, ::testing::Values("nft_phantun", "legacy_phantun", "iptables_nft_phantun"));

TEST_P(PhantunRules, ClientIsMasqueraded) {
  const NatAnswer answer = FindClientMasquerade(nat_, Client("tun0", "192.168.200.2", "eth0"));
  ASSERT_EQ(answer.answer, Tristate::kYes);
  ASSERT_EQ(answer.rules.size(), 1u);
  EXPECT_EQ(answer.rules[0].kind, NatKind::kMasquerade);
  EXPECT_EQ(answer.rules[0].hook, Hook::kPostrouting);
  EXPECT_FALSE(answer.rules[0].text.empty());
}

TEST_P(PhantunRules, ClientThroughAnotherWanInterfaceIsNot) {
  EXPECT_EQ(FindClientMasquerade(nat_, Client("tun0", "192.168.200.2", "eth1")).answer, Tristate::kNo);
}

TEST_P(PhantunRules, ServerDnatsItsPortToThePeer) {
  const NatAnswer answer = FindServerDnat(nat_, Server("eth0", 4567, "192.168.201.2"));
  ASSERT_EQ(answer.answer, Tristate::kYes);
  EXPECT_EQ(answer.rules.at(0).kind, NatKind::kDnat);
  EXPECT_EQ(answer.rules.at(0).hook, Hook::kPrerouting);
}

TEST_P(PhantunRules, ServerNegativeCases) {
  EXPECT_EQ(FindServerDnat(nat_, Server("eth0", 4568, "192.168.201.2")).answer, Tristate::kNo) << "wrong port";
  EXPECT_EQ(FindServerDnat(nat_, Server("eth0", 4567, "192.168.201.3")).answer, Tristate::kNo) << "wrong address";
  EXPECT_EQ(FindServerDnat(nat_, Server("eth1", 4567, "192.168.201.2")).answer, Tristate::kNo) << "wrong interface";
  // An unknown WAN interface cannot be matched against "-i eth0": maybe.
  EXPECT_EQ(FindServerDnat(nat_, Server("", 4567, "192.168.201.2")).answer, Tristate::kMaybe);
}

TEST_P(PhantunRules, ForwardFromTunIsAcceptedAndBackIsDroppedByThePolicy) {
  const std::vector<ForwardAnswer> out = AnswerForward(host_.ruleset, Forward("tun0", "eth0"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].accepted, Tristate::kYes);
  EXPECT_EQ(out[0].policy, Action::kDrop);
  EXPECT_NE(out[0].rule_text.find("tun0"), std::string::npos) << out[0].rule_text;

  const std::vector<ForwardAnswer> back = AnswerForward(host_.ruleset, Forward("eth0", "tun0"));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].accepted, Tristate::kNo);
  EXPECT_TRUE(back[0].rule_text == "policy drop" || back[0].rule_text == "-P FORWARD DROP") << back[0].rule_text;
  EXPECT_EQ(CombineForward(back), Tristate::kNo);
}

TEST(PhantunRulesNft, InetMasqueradeCoversIpv6ButTheDnatIsIpv4Only) {
  const std::vector<NatRule> nat = CollectNatRules(ReadScenario("nft_phantun").ruleset);
  EXPECT_EQ(FindClientMasquerade(nat, Client("tun0", "fcc8::2", "eth0")).answer, Tristate::kYes);
  EXPECT_EQ(FindServerDnat(nat, Server("eth0", 4567, "fcc9::2")).answer, Tristate::kNo);
  EXPECT_EQ(FindClientMasquerade(nat, Client("tun1", "192.168.200.2", "eth0")).answer, Tristate::kNo);
}

TEST(PhantunRulesLegacy, Ip6tablesRulesAnswerForIpv6) {
  for (const char* scenario : {"legacy_phantun", "iptables_nft_phantun"}) {
    const std::vector<NatRule> nat = CollectNatRules(ReadScenario(scenario).ruleset);
    EXPECT_EQ(FindClientMasquerade(nat, Client("tun0", "fcc8::2", "eth0")).answer, Tristate::kYes) << scenario;
    EXPECT_EQ(FindServerDnat(nat, Server("eth0", 4567, "fcc9::2")).answer, Tristate::kYes) << scenario;
    // "--to-destination [fcc9::2]:4567" names the port: another port is not sent to the peer.
    EXPECT_EQ(FindServerDnat(nat, Server("eth0", 4568, "fcc9::2")).answer, Tristate::kNo) << scenario;
  }
}

TEST(EmptyNamespace, NothingIsMasqueradedAndForwardingIsAccepted) {
  const HostNetfilter host = ReadScenario("empty");
  const std::vector<NatRule> nat = CollectNatRules(host.ruleset);
  EXPECT_EQ(FindClientMasquerade(nat, Client("tun0", "192.168.200.2", "eth0")).answer, Tristate::kNo);
  EXPECT_EQ(FindServerDnat(nat, Server("eth0", 4567, "192.168.201.2")).answer, Tristate::kNo);
  EXPECT_TRUE(AnswerForward(host.ruleset, Forward("tun0", "eth0")).empty());
  EXPECT_EQ(CombineForward({}), Tristate::kYes);
}

// nft_variety: prefixes, wildcard names, port ranges, sets, a user chain that masquerades, DNAT
// with a port, and a forward chain that jumps.
class NftVariety : public ::testing::Test {
 protected:
  void SetUp() override {
    host_ = ReadScenario("nft_variety");
    nat_ = CollectNatRules(host_.ruleset);
  }
  HostNetfilter host_;
  std::vector<NatRule> nat_;
};

TEST_F(NftVariety, MasqueradeInAJumpedToChainCounts) {
  const NatAnswer answer = FindClientMasquerade(nat_, Client("tun0", "192.168.200.2", "wan0"));
  ASSERT_EQ(answer.answer, Tristate::kYes);
  EXPECT_EQ(answer.rules[0].chain, "helper");
  EXPECT_EQ(answer.rules[0].hook, Hook::kPostrouting);
}

TEST_F(NftVariety, ConditionsOnTheUnknownServerPortMakeItUncertain) {
  // eth0 matches "eth*" and the /24, but "tcp dport 1000-2000" depends on the server's port.
  const NatAnswer answer = FindClientMasquerade(nat_, Client("tun0", "192.168.200.2", "eth0"));
  ASSERT_EQ(answer.answer, Tristate::kMaybe);
  std::vector<std::string> texts;
  for (const NatRule& rule : answer.rules) texts.push_back(rule.text);
  EXPECT_EQ(texts, (std::vector<std::string>{
                       "ip saddr 192.168.200.0/24 oifname \"eth*\" tcp dport 1000-2000 snat to 198.18.0.1:5000",
                       "meta l4proto tcp th dport @__set0 masquerade"}));
  // A peer outside the /24 rules the SNAT out (and "!= 192.168.200.2" would have matched it, but
  // that rule masquerades only to ports 6000-7000, which is still a masquerade).
  const NatAnswer other = FindClientMasquerade(nat_, Client("tun0", "192.168.9.2", "eth0"));
  EXPECT_EQ(other.answer, Tristate::kMaybe);
  for (const NatRule& rule : other.rules) EXPECT_EQ(rule.text.find("snat"), std::string::npos) << rule.text;
}

TEST_F(NftVariety, DnatWithTheSamePortOrKeepingItIsYesAnotherPortNo) {
  EXPECT_EQ(FindServerDnat(nat_, Server("wan0", 4567, "192.168.201.2")).answer, Tristate::kYes);
  EXPECT_EQ(FindServerDnat(nat_, Server("wan0", 5005, "192.168.201.2")).answer, Tristate::kYes);
  EXPECT_EQ(FindServerDnat(nat_, Server("wan0", 4600, "192.168.201.2")).answer, Tristate::kNo);
  EXPECT_EQ(FindServerDnat(nat_, Server("eth0", 4567, "192.168.201.2")).answer, Tristate::kNo);
}

ForwardAnswer Only(const std::vector<ForwardAnswer>& answers, Family family) {
  for (const ForwardAnswer& answer : answers) {
    if (answer.family == family) return answer;
  }
  ADD_FAILURE() << "no chain of that family";
  return ForwardAnswer();
}

TEST_F(NftVariety, ForwardIsUncertainUntilTheConntrackStateAndPortAreKnown) {
  Packet question = Forward("tun0", "wan0");
  std::vector<ForwardAnswer> answers = AnswerForward(host_.ruleset, question);
  ASSERT_EQ(answers.size(), 1u);  // the ip6 and bridge chains do not see IPv4
  EXPECT_EQ(answers[0].accepted, Tristate::kMaybe);
  EXPECT_EQ(answers[0].rule_text, "ct state established,related accept");

  question.ct_state = kCtStateNew;
  question.dport = 4567;
  answers = AnswerForward(host_.ruleset, question);
  EXPECT_EQ(answers[0].accepted, Tristate::kYes);
  EXPECT_EQ(answers[0].rule_text, "log accept");  // in the jumped-to chain

  question.dport = 22;
  answers = AnswerForward(host_.ruleset, question);
  EXPECT_EQ(answers[0].accepted, Tristate::kNo);
  EXPECT_EQ(answers[0].rule_text, "tcp dport 22 drop");

  // Only the port unknown: "tcp dport 22 drop" may or may not apply, and the ways disagree.
  question.dport = 0;
  answers = AnswerForward(host_.ruleset, question);
  EXPECT_EQ(answers[0].accepted, Tristate::kMaybe);
  EXPECT_EQ(answers[0].rule_text, "tcp dport 22 drop");
}

TEST_F(NftVariety, ReplyDirectionNeedsTheDaddrRuleOrEstablished) {
  Packet question = Forward("wan0", "tun0");
  question.ct_state = kCtStateNew;
  question.daddr = Ip("192.168.201.2");
  question.dport = 4567;
  EXPECT_EQ(AnswerForward(host_.ruleset, question).at(0).accepted, Tristate::kYes);
  question.dport = 4568;
  const ForwardAnswer wrong_port = AnswerForward(host_.ruleset, question).at(0);
  EXPECT_EQ(wrong_port.accepted, Tristate::kNo);
  EXPECT_EQ(wrong_port.rule_text, "policy drop");
  question.ct_state = kCtStateEstablished;
  EXPECT_EQ(AnswerForward(host_.ruleset, question).at(0).accepted, Tristate::kYes);
}

TEST_F(NftVariety, Ipv6ForwardRejectsUniqueLocalSources) {
  Packet question = Forward("tun0", "wan0", Family::kIpv6);
  question.saddr = Ip("fcc8::2");
  const ForwardAnswer answer = Only(AnswerForward(host_.ruleset, question), Family::kIpv6);
  EXPECT_EQ(answer.accepted, Tristate::kNo);
  EXPECT_EQ(answer.rule_text, "ip6 saddr fc00::/7 oifname \"wan0\" reject");
  question.saddr = Ip("2001:db8::2");
  EXPECT_EQ(Only(AnswerForward(host_.ruleset, question), Family::kIpv6).accepted, Tristate::kYes);
}

// The deciding rule of the table's forward chain.
std::string TextOf(const std::vector<ForwardAnswer>& answers, const char* table) {
  for (const ForwardAnswer& answer : answers) {
    if (answer.table == table) return answer.rule_text;
  }
  return "<no such chain>";
}

// The same x_tables rules, legacy and through iptables-nft: user chains, goto, conntrack, mangle.
class XtablesVariety : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { host_ = ReadScenario(GetParam()); }
  HostNetfilter host_;
};

INSTANTIATE_TEST_SUITE_P(Tools, XtablesVariety, ::testing::Values("legacy_variety", "iptables_nft_variety"));

TEST_P(XtablesVariety, ForwardThroughUserChainsAndGoto) {
  Packet question = Forward("tun0", "wan0");
  question.ct_state = kCtStateNew;
  question.daddr = Ip("198.18.0.7");
  question.dport = 4567;
  std::vector<ForwardAnswer> answers = AnswerForward(host_.ruleset, question);
  ASSERT_EQ(answers.size(), 2u);  // filter FORWARD and mangle FORWARD
  EXPECT_EQ(CombineForward(answers), Tristate::kYes);
  EXPECT_EQ(TextOf(answers, "filter"), "-A out -j ACCEPT");
  EXPECT_EQ(TextOf(answers, "mangle"), "-P FORWARD ACCEPT");
  question.dport = 22;
  EXPECT_EQ(CombineForward(AnswerForward(host_.ruleset, question)), Tristate::kNo);  // REJECT
  // 1000:2000 goes to out2, which drops 198.18.0.0/15 and otherwise returns past "out" (a goto):
  // back in FORWARD, nothing else matches, so the policy drops it too.
  question.dport = 1500;
  answers = AnswerForward(host_.ruleset, question);
  EXPECT_EQ(CombineForward(answers), Tristate::kNo);
  question.saddr = Ip("192.168.200.2");
  question.daddr = "";
  EXPECT_EQ(TextOf(AnswerForward(host_.ruleset, question), "filter"), "-P FORWARD DROP");
  question.saddr = Ip("198.18.0.9");
  EXPECT_EQ(TextOf(AnswerForward(host_.ruleset, question), "filter"), "-A out2 -s 198.18.0.0/15 -j DROP");
  // From elsewhere: only the reply rule or the DNAT target port can let it through.
  EXPECT_EQ(CombineForward(AnswerForward(host_.ruleset, Forward("eth5", "tun0"))), Tristate::kMaybe);
}

TEST_P(XtablesVariety, NatRules) {
  const std::vector<NatRule> nat = CollectNatRules(host_.ruleset);
  EXPECT_EQ(FindClientMasquerade(nat, Client("tun0", "192.168.200.2", "wan0")).answer, Tristate::kYes);
  EXPECT_EQ(FindClientMasquerade(nat, Client("tun0", "192.168.100.2", "wan0")).answer, Tristate::kNo);
  EXPECT_EQ(FindServerDnat(nat, Server("wan0", 4567, "192.168.201.2")).answer, Tristate::kYes);
  // "-m multiport --dports 5000,5001" is not decoded: a DNAT for 5000 might come from it.
  const NatAnswer multiport = FindServerDnat(nat, Server("wan0", 5000, "192.168.201.2"));
  EXPECT_EQ(multiport.answer, Tristate::kMaybe);
  ASSERT_EQ(multiport.rules.size(), 1u);
  EXPECT_NE(multiport.rules[0].text.find("-m multiport"), std::string::npos);
}

}  // namespace
}  // namespace phantun_runtime::netfilter
