#include "runtime/doctor/netfilter/evaluate.h"

#include "gtest/gtest.h"
#include "runtime/doctor/netfilter/address.h"

namespace phantun_runtime::netfilter {
namespace {

std::string Ip(const char* text) { return ParseIpAddress(text).value(); }

Condition Make(Field field, Op op, std::string value, std::string mask = "", std::string high = "") {
  Condition condition;
  condition.field = field;
  condition.op = op;
  condition.value = std::move(value);
  condition.mask = std::move(mask);
  condition.value_high = std::move(high);
  return condition;
}

TEST(Evaluate, InterfaceNamesExactAndWildcard) {
  Packet packet;
  packet.iifname = "eth0";
  EXPECT_EQ(Evaluate(Make(Field::kIifname, Op::kEq, std::string("eth0\0", 5)), packet), Tristate::kYes);
  EXPECT_EQ(Evaluate(Make(Field::kIifname, Op::kEq, std::string("eth\0", 4)), packet), Tristate::kNo);
  EXPECT_EQ(Evaluate(Make(Field::kIifname, Op::kEq, "eth"), packet), Tristate::kYes);  // eth*
  EXPECT_EQ(Evaluate(Make(Field::kIifname, Op::kNeq, "eth"), packet), Tristate::kNo);
  packet.iifname = "eth10";
  EXPECT_EQ(Evaluate(Make(Field::kIifname, Op::kEq, std::string("eth1\0", 5)), packet), Tristate::kNo);
  packet.iifname = "";
  EXPECT_EQ(Evaluate(Make(Field::kIifname, Op::kEq, "eth"), packet), Tristate::kMaybe);
}

TEST(Evaluate, AddressPrefixesAndFamilies) {
  Packet packet;
  packet.saddr = Ip("198.19.4.5");
  const Condition slash15 = Make(Field::kSaddr, Op::kEq, Ip("198.18.0.0"), Ip("255.254.0.0"));
  EXPECT_EQ(Evaluate(slash15, packet), Tristate::kYes);
  packet.saddr = Ip("198.20.0.1");
  EXPECT_EQ(Evaluate(slash15, packet), Tristate::kNo);
  packet.saddr = Ip("fcc8::2");
  EXPECT_EQ(Evaluate(slash15, packet), Tristate::kNo);  // an IPv4 condition never holds for IPv6
  EXPECT_EQ(Evaluate(Make(Field::kSaddr, Op::kNeq, Ip("198.18.0.0"), Ip("255.254.0.0")), packet), Tristate::kNo);
  packet.saddr = "";
  EXPECT_EQ(Evaluate(slash15, packet), Tristate::kMaybe);
}

TEST(Evaluate, PortComparisonsAndRanges) {
  Packet packet;
  packet.dport = 4567;
  const std::string p1000("\x03\xe8", 2), p5000("\x13\x88", 2);
  EXPECT_EQ(Evaluate(Make(Field::kDport, Op::kInRange, p1000, "", p5000), packet), Tristate::kYes);
  EXPECT_EQ(Evaluate(Make(Field::kDport, Op::kNotInRange, p1000, "", p5000), packet), Tristate::kNo);
  EXPECT_EQ(Evaluate(Make(Field::kDport, Op::kGte, p5000), packet), Tristate::kNo);
  EXPECT_EQ(Evaluate(Make(Field::kDport, Op::kLt, p5000), packet), Tristate::kYes);
  EXPECT_EQ(Evaluate(Make(Field::kDport, Op::kInRange, p1000, "", "x"), packet), Tristate::kMaybe);  // bad range
  packet.dport = 0;
  EXPECT_EQ(Evaluate(Make(Field::kDport, Op::kEq, p1000), packet), Tristate::kMaybe);
}

TEST(EvaluateRule, NoBeatsMaybe) {
  Rule rule;
  rule.opaque.push_back("limit");
  rule.conditions.push_back(Make(Field::kL4proto, Op::kEq, std::string(1, 17)));  // udp
  Packet packet;  // tcp
  EXPECT_EQ(EvaluateRule(rule, packet), Tristate::kNo);
  rule.conditions[0].value = std::string(1, 6);
  EXPECT_EQ(EvaluateRule(rule, packet), Tristate::kMaybe);
  rule.opaque.clear();
  EXPECT_EQ(EvaluateRule(rule, packet), Tristate::kYes);
}

TEST(TableSees, InetSeesBothRoutedFamiliesOthersOnlyTheirOwn) {
  EXPECT_TRUE(TableSees(Family::kInet, Family::kIpv4));
  EXPECT_TRUE(TableSees(Family::kInet, Family::kIpv6));
  EXPECT_TRUE(TableSees(Family::kIpv4, Family::kIpv4));
  EXPECT_FALSE(TableSees(Family::kIpv4, Family::kIpv6));
  EXPECT_FALSE(TableSees(Family::kBridge, Family::kIpv4));
  EXPECT_FALSE(TableSees(Family::kNetdev, Family::kIpv4));
}

TEST(Address, ParseAndFormat) {
  EXPECT_EQ(FormatIpAddress(Ip("192.168.201.2")), "192.168.201.2");
  EXPECT_EQ(FormatIpAddress(Ip("fcc9::2")), "fcc9::2");
  EXPECT_EQ(ParseIpAddress("192.168.201"), std::nullopt);
  EXPECT_EQ(ParseIpAddress(""), std::nullopt);
  EXPECT_EQ(FormatIpAddress("abc"), "?");
  EXPECT_EQ(FormatPrefix(Ip("198.18.0.0"), Ip("255.254.0.0")), "198.18.0.0/15");
  EXPECT_EQ(FormatPrefix(Ip("198.18.0.0"), Ip("255.0.255.0")), "198.18.0.0 & 255.0.255.0");
  EXPECT_EQ(FormatPrefix(Ip("fc00::"), Ip("fe00::")), "fc00::/7");
}

}  // namespace
}  // namespace phantun_runtime::netfilter
