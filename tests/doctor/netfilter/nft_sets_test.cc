// nftables sets as the model sees them: the elements of a GETSETELEM dump as ranges, and a
// lookup in them as a condition.
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netfilter/evaluate.h"
#include "runtime/doctor/netfilter/nft_messages.h"

namespace phantun_runtime::netfilter {
namespace {

std::string Ip(const char* text) { return ParseIpAddress(text).value(); }

NftSetElements::Key Start(std::string key) { return {std::move(key), "", false}; }
NftSetElements::Key End(std::string key) { return {std::move(key), "", true}; }

using Ranges = std::vector<std::pair<std::string, std::string>>;

TEST(NftSetRanges, PlainElementsAreRangesOfOne) {
  NftSetElements elements;
  elements.keys = {Start(std::string("\x11\xd7", 2)), Start(std::string("\x11\xd8", 2))};
  EXPECT_EQ(NftSetRanges(elements), (Ranges{{std::string("\x11\xd7", 2), std::string("\x11\xd7", 2)},
                                            {std::string("\x11\xd8", 2), std::string("\x11\xd8", 2)}}));
}

// The lab's guard, `ip daddr != { 198.18.0.0/15, 198.19.0.0/16 }`: the kernel merges the two into
// one interval, sent as its start and the first address after it, flagged as an end; dumps come
// in whatever order the tree gives, so the order is the reader's to restore.
TEST(NftSetRanges, IntervalsAreStartsAndExclusiveEndsInAnyOrder) {
  NftSetElements elements;
  elements.keys = {End(Ip("198.20.0.0")), Start(Ip("198.18.0.0")), End(Ip("10.0.0.1")), Start(Ip("10.0.0.0"))};
  EXPECT_EQ(NftSetRanges(elements), (Ranges{{Ip("10.0.0.0"), Ip("10.0.0.0")}, {Ip("198.18.0.0"), Ip("198.19.255.255")}}));
  // An interval that runs to the end of the key space has no end element.
  elements.keys = {Start(Ip("224.0.0.0")), End(Ip("0.0.0.1")), Start(Ip("0.0.0.0"))};
  EXPECT_EQ(NftSetRanges(elements), (Ranges{{Ip("0.0.0.0"), Ip("0.0.0.0")}, {Ip("224.0.0.0"), Ip("255.255.255.255")}}));
}

TEST(NftSetRanges, ConcatenatedRangesCarryTheirEnd) {
  NftSetElements elements;
  elements.keys = {{std::string("\x10\x00", 2), std::string("\x1f\xff", 2), false}};
  EXPECT_EQ(NftSetRanges(elements), (Ranges{{std::string("\x10\x00", 2), std::string("\x1f\xff", 2)}}));
}

TEST(SetConditions, InAndNotIn) {
  Condition in_set;
  in_set.field = Field::kDaddr;
  in_set.op = Op::kInSet;
  in_set.set = {{Ip("198.18.0.0"), Ip("198.19.255.255")}, {Ip("10.0.0.1"), Ip("10.0.0.1")}};
  Condition not_in_set = in_set;
  not_in_set.op = Op::kNotInSet;
  Packet packet;
  packet.daddr = Ip("198.19.200.2");
  EXPECT_EQ(Evaluate(in_set, packet), Tristate::kYes);
  EXPECT_EQ(Evaluate(not_in_set, packet), Tristate::kNo);
  packet.daddr = Ip("10.0.0.2");
  EXPECT_EQ(Evaluate(in_set, packet), Tristate::kNo);
  EXPECT_EQ(Evaluate(not_in_set, packet), Tristate::kYes);
  packet.daddr = "";  // unknown
  EXPECT_EQ(Evaluate(in_set, packet), Tristate::kMaybe);
  packet.daddr = Ip("fcc9::2");  // an IPv4 set never holds an IPv6 address
  EXPECT_EQ(Evaluate(in_set, packet), Tristate::kNo);
}

}  // namespace
}  // namespace phantun_runtime::netfilter
