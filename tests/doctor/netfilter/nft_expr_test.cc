// Expressions the captures do not cover, built by hand: register numbering, things the decoder
// must not trust, and how an undecoded expression turns into uncertainty rather than a wrong rule.
#include "runtime/doctor/netfilter/nft_expr.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <string>

#include "gtest/gtest.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netfilter/evaluate.h"
#include "tests/doctor/netlink/build_bytes.h"

namespace phantun_runtime::netfilter {
namespace {

using phantun_test::Attr;
using phantun_test::BigEndian32;

std::string Expr(const char* name, const std::string& data) {
  return Attr(NFTA_LIST_ELEM, Attr(NFTA_EXPR_NAME, std::string(name) + '\0') + Attr(NFTA_EXPR_DATA, data));
}

std::string U32(uint16_t type, uint32_t value) { return Attr(type, BigEndian32(value)); }

std::string Data(uint16_t type, const std::string& value) { return Attr(type, Attr(NFTA_DATA_VALUE, value)); }

std::string MetaLoad(uint32_t key, uint32_t dreg) {
  return Expr("meta", U32(NFTA_META_KEY, key) + U32(NFTA_META_DREG, dreg));
}

std::string Cmp(uint32_t sreg, uint32_t op, const std::string& value) {
  return Expr("cmp", U32(NFTA_CMP_SREG, sreg) + U32(NFTA_CMP_OP, op) + Data(NFTA_CMP_DATA, value));
}

std::string Verdict(int32_t code, const char* chain = nullptr) {
  std::string verdict = U32(NFTA_VERDICT_CODE, static_cast<uint32_t>(code));
  if (chain != nullptr) verdict += Attr(NFTA_VERDICT_CHAIN, std::string(chain) + '\0');
  return Expr("immediate", U32(NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT) +
                               Attr(NFTA_IMMEDIATE_DATA, Attr(NFTA_DATA_VERDICT, verdict)));
}

std::string HostU32(uint32_t value) { return phantun_test::Raw<uint32_t>(value); }

Rule Decode(const std::string& expressions, Family family = Family::kInet) {
  Rule rule;
  DecodeNftExpressions(netlink::AsBytes(expressions), family, &rule);
  return rule;
}

TEST(NftExpressions, OldAndNewRegisterNumbersName16ByteRegisters) {
  // NFT_REG_1 is the 16-byte view of NFT_REG32_00..03.
  const Rule rule = Decode(MetaLoad(NFT_META_IIFNAME, NFT_REG_1) + Cmp(NFT_REG32_00, NFT_CMP_EQ, "tun0") +
                           Verdict(NF_ACCEPT));
  ASSERT_EQ(rule.conditions.size(), 1u);
  EXPECT_EQ(rule.conditions[0].field, Field::kIifname);
  EXPECT_EQ(rule.conditions[0].value, "tun0");  // a prefix: "tun0*"
  EXPECT_EQ(rule.action, Action::kAccept);
  EXPECT_FALSE(rule.uncertain);
}

TEST(NftExpressions, VerdictCodes) {
  EXPECT_EQ(Decode(Verdict(NF_DROP)).action, Action::kDrop);
  EXPECT_EQ(Decode(Verdict(NFT_RETURN)).action, Action::kReturn);
  EXPECT_EQ(Decode(Verdict(NFT_CONTINUE)).action, Action::kContinue);
  EXPECT_EQ(Decode(Verdict(NFT_BREAK)).action, Action::kContinue);
  const Rule jump = Decode(Verdict(NFT_JUMP, "user"));
  EXPECT_EQ(jump.action, Action::kJump);
  EXPECT_EQ(jump.target_chain, "user");
  EXPECT_EQ(Decode(Verdict(NFT_GOTO, "user")).action, Action::kGoto);
  EXPECT_EQ(Decode(Verdict(NF_QUEUE | (3 << 16))).action, Action::kUnknown);
}

TEST(NftExpressions, AnUnknownExpressionMakesTheRuleUncertain) {
  const Rule alone = Decode(Expr("frobnicate", U32(1, 1)));
  EXPECT_TRUE(alone.uncertain);
  EXPECT_EQ(alone.action, Action::kUnknown);  // it may have been a verdict of its own
  EXPECT_EQ(alone.opaque, std::vector<std::string>{"frobnicate"});
  const Rule then_accept = Decode(Expr("frobnicate", "") + Verdict(NF_ACCEPT));
  EXPECT_TRUE(then_accept.uncertain);
  EXPECT_EQ(then_accept.action, Action::kAccept);
  Packet packet;
  EXPECT_EQ(EvaluateRule(then_accept, packet), Tristate::kMaybe);
}

TEST(NftExpressions, StatementsThatEndThePathAreUnknownVerdicts) {
  for (const char* name : {"queue", "tproxy", "fwd", "synproxy"}) {
    const Rule rule = Decode(Expr(name, U32(1, 0)));
    EXPECT_EQ(rule.action, Action::kUnknown) << name;
  }
  const Rule counted = Decode(Expr("counter", "") + Expr("log", "") + Verdict(NF_DROP));
  EXPECT_EQ(counted.action, Action::kDrop);
  EXPECT_FALSE(counted.uncertain);
}

TEST(NftExpressions, ACompareWithNothingLoadedIsNotTrusted) {
  const Rule rule = Decode(Cmp(NFT_REG32_05, NFT_CMP_EQ, "x") + Verdict(NF_ACCEPT));
  EXPECT_TRUE(rule.uncertain);
  EXPECT_TRUE(rule.conditions.empty());
  EXPECT_TRUE(Decode(Cmp(99, NFT_CMP_EQ, "x")).uncertain);  // not a register at all
}

TEST(NftExpressions, ConntrackStateIsKeptInNetworkOrder) {
  const std::string expressions =
      Expr("ct", U32(NFTA_CT_KEY, NFT_CT_STATE) + U32(NFTA_CT_DREG, NFT_REG32_00)) +
      Expr("bitwise", U32(NFTA_BITWISE_SREG, NFT_REG32_00) + U32(NFTA_BITWISE_DREG, NFT_REG32_00) +
                          U32(NFTA_BITWISE_LEN, 4) + Data(NFTA_BITWISE_MASK, HostU32(kCtStateNew)) +
                          Data(NFTA_BITWISE_XOR, HostU32(0))) +
      Cmp(NFT_REG32_00, NFT_CMP_NEQ, HostU32(0)) + Verdict(NF_ACCEPT);
  const Rule rule = Decode(expressions);
  ASSERT_EQ(rule.conditions.size(), 1u);
  EXPECT_EQ(rule.conditions[0].field, Field::kCtState);
  EXPECT_EQ(rule.conditions[0].mask, BigEndian32(kCtStateNew));
  Packet packet;
  packet.ct_state = kCtStateNew;
  EXPECT_EQ(EvaluateRule(rule, packet), Tristate::kYes);
  packet.ct_state = kCtStateEstablished;
  EXPECT_EQ(EvaluateRule(rule, packet), Tristate::kNo);
  packet.ct_state = 0;
  EXPECT_EQ(EvaluateRule(rule, packet), Tristate::kMaybe);
}

TEST(NftExpressions, NetworkHeaderOfAnInetRuleNeedsTheFamilyCheckFirst) {
  const std::string load_saddr =
      Expr("payload", U32(NFTA_PAYLOAD_DREG, NFT_REG32_00) + U32(NFTA_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER) +
                          U32(NFTA_PAYLOAD_OFFSET, 12) + U32(NFTA_PAYLOAD_LEN, 4)) +
      Cmp(NFT_REG32_00, NFT_CMP_EQ, ParseIpAddress("192.168.200.2").value());
  const Rule unchecked = Decode(load_saddr);
  EXPECT_TRUE(unchecked.conditions.empty());
  EXPECT_EQ(unchecked.opaque, std::vector<std::string>{"@nh,96,32 == 0xc0a8c802"});
  const Rule checked =
      Decode(MetaLoad(NFT_META_NFPROTO, NFT_REG32_00) + Cmp(NFT_REG32_00, NFT_CMP_EQ, std::string(1, NFPROTO_IPV4)) +
             load_saddr);
  ASSERT_EQ(checked.conditions.size(), 2u);
  EXPECT_EQ(checked.conditions[1].field, Field::kSaddr);
  EXPECT_TRUE(checked.conditions[1].mask.empty());
  // In an ip table the family is the table's.
  EXPECT_EQ(Decode(load_saddr, Family::kIpv4).conditions.size(), 1u);
}

TEST(NftExpressions, MetaProtocolStandsForTheFamily) {
  const Rule rule = Decode(MetaLoad(NFT_META_PROTOCOL, NFT_REG32_00) +
                           Cmp(NFT_REG32_00, NFT_CMP_EQ, std::string("\x86\xdd", 2)));
  ASSERT_EQ(rule.conditions.size(), 1u);
  EXPECT_EQ(rule.conditions[0].field, Field::kNfproto);
  EXPECT_EQ(rule.conditions[0].value, std::string(1, NFPROTO_IPV6));
}

TEST(NftExpressions, NatFromAMapHasAnUnknownAddress) {
  const std::string expressions =
      Expr("payload", U32(NFTA_PAYLOAD_DREG, NFT_REG32_00) + U32(NFTA_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER) +
                          U32(NFTA_PAYLOAD_OFFSET, 2) + U32(NFTA_PAYLOAD_LEN, 2)) +
      Expr("lookup", Attr(NFTA_LOOKUP_SET, "ports\0") + U32(NFTA_LOOKUP_SREG, NFT_REG32_00) +
                         U32(NFTA_LOOKUP_DREG, NFT_REG32_01)) +
      Expr("nat", U32(NFTA_NAT_TYPE, NFT_NAT_DNAT) + U32(NFTA_NAT_FAMILY, NFPROTO_IPV4) +
                      U32(NFTA_NAT_REG_ADDR_MIN, NFT_REG32_01));
  const Rule rule = Decode(expressions, Family::kIpv4);
  EXPECT_EQ(rule.action, Action::kDnat);
  EXPECT_TRUE(rule.nat.unknown_address);
  EXPECT_EQ(rule.opaque, std::vector<std::string>{"th dport @ports"});
}

TEST(NftExpressions, MalformedListsAreUncertainNotFatal) {
  const std::string good = MetaLoad(NFT_META_OIFNAME, NFT_REG32_00) + Cmp(NFT_REG32_00, NFT_CMP_EQ, "eth0") +
                           Verdict(NF_ACCEPT);
  for (size_t cut = 1; cut < good.size(); ++cut) {
    const Rule rule = Decode(good.substr(0, cut));
    if (rule.action == Action::kAccept) continue;  // cut inside the padding at the very end
    EXPECT_TRUE(rule.uncertain || rule.action == Action::kContinue) << cut;
  }
  const Rule no_name = Decode(Attr(NFTA_LIST_ELEM, Attr(NFTA_EXPR_DATA, "")));
  EXPECT_TRUE(no_name.uncertain);
}

// `fib daddr type local jump DOCKER`: the destination's route type, a host-order number in the
// register, becomes a condition the tracer decides from the host's addresses; a fib lookup of
// anything else stays opaque.
TEST(NftExpressions, FibDaddrTypeIsTheDestinationsRouteType) {
  const std::string fib = Expr("fib", U32(NFTA_FIB_DREG, NFT_REG32_00) + U32(NFTA_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE) +
                                          U32(NFTA_FIB_FLAGS, NFTA_FIB_F_DADDR));
  const Rule rule = Decode(fib + Cmp(NFT_REG32_00, NFT_CMP_EQ, HostU32(2)) + Verdict(NFT_JUMP, "DOCKER"));
  ASSERT_EQ(rule.conditions.size(), 1u) << rule.opaque.size();
  Packet packet;
  packet.daddr_type = kRouteTypeLocal;
  EXPECT_EQ(EvaluateRule(rule, packet), Tristate::kYes);
  packet.daddr_type = kRouteTypeUnicast;
  EXPECT_EQ(EvaluateRule(rule, packet), Tristate::kNo);
  packet.daddr_type = 0;
  EXPECT_EQ(EvaluateRule(rule, packet), Tristate::kMaybe);

  const std::string oif = Expr("fib", U32(NFTA_FIB_DREG, NFT_REG32_00) + U32(NFTA_FIB_RESULT, NFT_FIB_RESULT_OIF) +
                                          U32(NFTA_FIB_FLAGS, NFTA_FIB_F_DADDR | NFTA_FIB_F_IIF));
  EXPECT_FALSE(Decode(oif + Cmp(NFT_REG32_00, NFT_CMP_EQ, HostU32(0)) + Verdict(NF_DROP)).opaque.empty());
}

}  // namespace
}  // namespace phantun_runtime::netfilter
