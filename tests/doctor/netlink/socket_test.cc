#include "runtime/doctor/netlink/socket.h"

#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/doctor/netlink/attribute.h"
#include "runtime/doctor/netlink/dump_request.h"

namespace phantun_runtime::netlink {
namespace {

// Reading links needs no privilege, so this runs against the real kernel anywhere.
TEST(Socket, DumpsLinksWithTheRtnetlinkHelpers) {
  std::vector<std::string> names;
  Socket socket;
  ASSERT_TRUE(socket.Open(NETLINK_ROUTE).ok());
  const Status status = socket.Dump(RTM_GETLINK, AF_UNSPEC, [&](const Message& message) {
    ASSERT_EQ(message.type, RTM_NEWLINK);
    const AttributeIndex attributes(AttributesAfterHeader(message.payload, sizeof(struct ifinfomsg)), IFLA_MAX);
    names.emplace_back(attributes.String(IFLA_IFNAME).value_or("?"));
    EXPECT_TRUE(attributes.U32(IFLA_MTU).has_value());
  });
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_NE(std::find(names.begin(), names.end(), "lo"), names.end());
}

TEST(Socket, DumpsEveryAllowListedRtnetlinkType) {
  Socket socket;
  ASSERT_TRUE(socket.Open(NETLINK_ROUTE).ok());
  struct Case {
    uint16_t request;
    uint16_t reply;
    uint8_t family;
  } cases[] = {{RTM_GETLINK, RTM_NEWLINK, AF_UNSPEC},
               {RTM_GETADDR, RTM_NEWADDR, AF_INET},
               {RTM_GETROUTE, RTM_NEWROUTE, AF_INET}};
  for (const Case& one : cases) {
    int replies = 0;
    const Status status = socket.Dump(one.request, one.family, [&](const Message& message) {
      EXPECT_EQ(message.type, one.reply);
      ++replies;
    });
    EXPECT_TRUE(status.ok()) << one.request << ": " << status.message();
    EXPECT_GT(replies, 0) << one.request;  // lo has 127.0.0.1 and its local routes
  }
}

TEST(Socket, RefusesTypesOffTheAllowListWithoutSendingThem) {
  Socket socket;
  ASSERT_TRUE(socket.Open(NETLINK_ROUTE).ok());
  int seen = 0;
  for (uint16_t type : {uint16_t{RTM_NEWLINK}, uint16_t{RTM_DELROUTE}, NftablesType(NFT_MSG_GETRULE)}) {
    const Status status = socket.Dump(type, AF_UNSPEC, [&](const Message&) { ++seen; });
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << type;
  }
  EXPECT_EQ(seen, 0);
  // The socket still works afterwards: nothing was half-sent.
  EXPECT_TRUE(socket.Dump(RTM_GETADDR, AF_UNSPEC, [&](const Message&) { ++seen; }).ok());
  EXPECT_GT(seen, 0);
}

TEST(Socket, DumpWithoutOpenFails) {
  Socket socket;
  EXPECT_FALSE(socket.Dump(RTM_GETLINK, AF_UNSPEC, [](const Message&) {}).ok());
}

}  // namespace
}  // namespace phantun_runtime::netlink
