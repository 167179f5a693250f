#include "runtime/doctor/netlink/message.h"

#include "gtest/gtest.h"
#include "tests/doctor/netlink/build_bytes.h"

namespace phantun_runtime::netlink {
namespace {

using phantun_test::Message;
using phantun_test::Raw;

TEST(MessageReader, WalksPackedMessages) {
  const std::string buffer = Message(100, 2, 7, "abc") + Message(101, 0, 8, "");
  MessageReader reader(AsBytes(buffer));
  netlink::Message message;
  ASSERT_TRUE(reader.Next(&message));
  EXPECT_EQ(message.type, 100);
  EXPECT_EQ(message.flags, 2);
  EXPECT_EQ(message.sequence, 7u);
  EXPECT_EQ(AsText(message.payload), "abc");  // the padding is not part of the payload
  ASSERT_TRUE(reader.Next(&message));
  EXPECT_EQ(message.type, 101);
  EXPECT_TRUE(message.payload.empty());
  EXPECT_FALSE(reader.Next(&message));
  EXPECT_FALSE(reader.malformed());
}

TEST(MessageReader, LastMessageMayLackItsPadding) {
  std::string buffer = Message(100, 0, 1, "abcde");
  buffer.resize(16 + 5);
  MessageReader reader(AsBytes(buffer));
  netlink::Message message;
  ASSERT_TRUE(reader.Next(&message));
  EXPECT_EQ(AsText(message.payload), "abcde");
  EXPECT_FALSE(reader.Next(&message));
  EXPECT_FALSE(reader.malformed());
}

TEST(MessageReader, EmptyBufferIsNotMalformed) {
  MessageReader reader{Bytes()};
  netlink::Message message;
  EXPECT_FALSE(reader.Next(&message));
  EXPECT_FALSE(reader.malformed());
}

TEST(MessageReader, RefusesHeadersThatDoNotFit) {
  const std::string good = Message(100, 0, 1, "payload!");
  struct Case {
    const char* what;
    std::string bytes;
  } cases[] = {
      {"shorter than a header", good.substr(0, 15)},
      {"length below the header size", Raw<uint32_t>(15) + good.substr(4)},
      {"length zero", Raw<uint32_t>(0) + good.substr(4)},
      {"length past the buffer", Raw<uint32_t>(25) + good.substr(4)},
      {"length 4 GiB", Raw<uint32_t>(0xffffffff) + good.substr(4)},
      {"a second message cut short", good + good.substr(0, 10)},
  };
  for (const Case& one : cases) {
    MessageReader reader(AsBytes(one.bytes));
    netlink::Message message;
    while (reader.Next(&message)) {
      // Every message handed out lies inside the buffer.
      EXPECT_GE(message.payload.data(), reinterpret_cast<const uint8_t*>(one.bytes.data())) << one.what;
      EXPECT_LE(message.payload.data() + message.payload.size(),
                reinterpret_cast<const uint8_t*>(one.bytes.data()) + one.bytes.size())
          << one.what;
    }
    EXPECT_TRUE(reader.malformed()) << one.what;
  }
}

TEST(AttributesAfterHeader, SkipsTheAlignedFamilyHeader) {
  const std::string payload = std::string(5, 'h') + std::string(3, '\0') + "attrs";
  EXPECT_EQ(AsText(AttributesAfterHeader(AsBytes(payload), 5)), "attrs");
  EXPECT_EQ(AsText(AttributesAfterHeader(AsBytes(payload), 4)), std::string("h") + std::string(3, '\0') + "attrs");
  EXPECT_TRUE(AttributesAfterHeader(AsBytes(std::string("abc")), 4).empty());
  EXPECT_TRUE(AttributesAfterHeader(AsBytes(std::string("abcd")), 4).empty());
}

}  // namespace
}  // namespace phantun_runtime::netlink
