#include "runtime/doctor/netlink/attribute.h"

#include <linux/netlink.h>

#include "gtest/gtest.h"
#include "tests/doctor/netlink/build_bytes.h"

namespace phantun_runtime::netlink {
namespace {

using phantun_test::Attr;
using phantun_test::BigEndian32;
using phantun_test::Raw;

TEST(AttributeReader, ReadsTypesFlagsAndPayloads) {
  const std::string list = Attr(1, "ab") + Attr(2 | NLA_F_NESTED, Attr(7, "x")) + Attr(3 | NLA_F_NET_BYTEORDER, "1234");
  AttributeReader reader(AsBytes(list));
  Attribute attribute;
  ASSERT_TRUE(reader.Next(&attribute));
  EXPECT_EQ(attribute.type, 1);
  EXPECT_FALSE(attribute.nested);
  EXPECT_EQ(AsText(attribute.payload), "ab");
  ASSERT_TRUE(reader.Next(&attribute));
  EXPECT_EQ(attribute.type, 2);
  EXPECT_TRUE(attribute.nested);
  Attribute inner;
  ASSERT_TRUE(FindAttribute(attribute.payload, 7, &inner));
  EXPECT_EQ(AsText(inner.payload), "x");
  ASSERT_TRUE(reader.Next(&attribute));
  EXPECT_EQ(attribute.type, 3);
  EXPECT_TRUE(attribute.network_order);
  EXPECT_FALSE(reader.Next(&attribute));
  EXPECT_FALSE(reader.malformed());
}

TEST(AttributeReader, RefusesLengthsOutsideTheList) {
  const std::string good = Attr(1, "abcd");
  for (const std::string& bad : {good.substr(0, 3), Raw<uint16_t>(3) + good.substr(2), Raw<uint16_t>(0) + good.substr(2),
                                 Raw<uint16_t>(9) + good.substr(2), Raw<uint16_t>(0xffff) + good.substr(2),
                                 good + std::string("\x08\x00", 2)}) {
    AttributeReader reader(AsBytes(bad));
    Attribute attribute;
    while (reader.Next(&attribute)) {
      EXPECT_LE(attribute.payload.data() + attribute.payload.size(),
                reinterpret_cast<const uint8_t*>(bad.data()) + bad.size());
    }
    EXPECT_TRUE(reader.malformed());
  }
}

TEST(AttributeReader, LastAttributeMayLackItsPadding) {
  std::string list = Attr(1, "abcde");
  list.resize(4 + 5);
  AttributeReader reader(AsBytes(list));
  Attribute attribute;
  ASSERT_TRUE(reader.Next(&attribute));
  EXPECT_EQ(AsText(attribute.payload), "abcde");
  EXPECT_FALSE(reader.Next(&attribute));
  EXPECT_FALSE(reader.malformed());
}

TEST(TypedReads, NeedTheExactSize) {
  const std::string list = Attr(1, Raw<uint8_t>(7)) + Attr(2, Raw<uint16_t>(0x1234)) + Attr(3, Raw<uint32_t>(0xdeadbeef)) +
                           Attr(4, Raw<uint64_t>(0x0102030405060708)) + Attr(5, BigEndian32(4567)) +
                           Attr(6, std::string("\x11\xd7", 2)) + Attr(7, std::string("\0\0\0\0\0\0\x11\xd7", 8));
  const AttributeIndex index(AsBytes(list), 10);
  EXPECT_EQ(index.U8(1), 7);
  EXPECT_EQ(index.U16(2), 0x1234);
  EXPECT_EQ(index.U32(3), 0xdeadbeefu);
  uint64_t u64 = 0;
  ASSERT_TRUE(ReadU64(*index.Get(4), &u64));
  EXPECT_EQ(u64, 0x0102030405060708u);
  EXPECT_EQ(index.Be32(5), 4567u);
  EXPECT_EQ(index.Be16(6), 4567);
  EXPECT_EQ(index.Be64(7), 4567u);
  // Wrong sizes are refused, not truncated or over-read.
  EXPECT_EQ(index.U32(1), std::nullopt);
  EXPECT_EQ(index.U8(2), std::nullopt);
  EXPECT_EQ(index.Be16(5), std::nullopt);
  EXPECT_EQ(index.Be64(5), std::nullopt);
  EXPECT_EQ(index.U16(9), std::nullopt);  // absent
}

TEST(ReadString, StopsAtTheFirstNulOrTheEnd) {
  const std::string list = Attr(1, std::string("eth0\0junk", 9)) + Attr(2, "tun0") + Attr(3, "");
  const AttributeIndex index(AsBytes(list), 3);
  EXPECT_EQ(index.String(1), "eth0");
  EXPECT_EQ(index.String(2), "tun0");
  EXPECT_EQ(index.String(3), "");
  EXPECT_EQ(index.String(4), std::nullopt);
}

TEST(AttributeIndex, KeepsTheFirstOfATypeAndSkipsUnknownTypes) {
  const std::string list = Attr(2, "first") + Attr(2, "second") + Attr(40, "newer kernel");
  const AttributeIndex index(AsBytes(list), 5);
  EXPECT_EQ(index.String(2), "first");
  EXPECT_FALSE(index.Has(40));
  EXPECT_FALSE(index.malformed());
  EXPECT_TRUE(index.Payload(1).empty());
}

TEST(AttributeIndex, ReportsAMalformedListButKeepsWhatCameBefore) {
  const std::string list = Attr(1, "ok") + Raw<uint16_t>(200) + Raw<uint16_t>(2);
  const AttributeIndex index(AsBytes(list), 5);
  EXPECT_TRUE(index.malformed());
  EXPECT_EQ(index.String(1), "ok");
  EXPECT_FALSE(index.Has(2));
}

}  // namespace
}  // namespace phantun_runtime::netlink
