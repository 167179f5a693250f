#include "runtime/doctor/netlink/socket.h"

#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

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

TEST(Socket, AReplyLargerThanTheBufferFailsTheDumpAndSaysSo) {
  Socket socket(64);  // lo's RTM_NEWLINK alone is over a kilobyte
  ASSERT_TRUE(socket.Open(NETLINK_ROUTE).ok());
  int seen = 0;
  const Status status = socket.Dump(RTM_GETLINK, AF_UNSPEC, [&](const Message&) { ++seen; });
  EXPECT_EQ(status.code(), Status::Code::kIoError);
  EXPECT_NE(status.message().find("larger than the receive buffer (64 bytes)"), std::string::npos) << status.message();
  EXPECT_EQ(seen, 0);
}

// The point of the large buffer: the kernel sizes a dump's datagrams after the largest read the
// socket has made, so reads of the whole buffer get datagrams of up to 32 KiB, where reads sized
// to the datagram just received would get a page each. Seen on a dump of 1000 addresses, made in a
// network namespace of the test's own (root only; skipped elsewhere).
int LargeDatagramsInANamespaceOfItsOwn() {
  if (unshare(CLONE_NEWNET) != 0) return 10;
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 11;
  for (int i = 0; i < 1000; ++i) {
    struct ifreq request = {};
    snprintf(request.ifr_name, IFNAMSIZ, "lo:%d", i);
    struct sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl((198u << 24) | (18u << 16) | static_cast<uint32_t>(10 + i));  // 198.18.0.0/15
    memcpy(&request.ifr_addr, &address, sizeof address);
    if (ioctl(fd, SIOCSIFADDR, &request) != 0) return 12;
  }
  close(fd);
  Socket socket;
  if (!socket.Open(NETLINK_ROUTE).ok()) return 13;
  int addresses = 0;
  if (!socket.Dump(RTM_GETADDR, AF_INET, [&](const Message&) { ++addresses; }).ok()) return 14;
  if (addresses != 1000) return 15;
  // About 80 KB: a first datagram of a page (sent before any read), then 32 KiB ones.
  if (socket.stats().largest <= 8192) return 16;
  if (socket.stats().datagrams > 8) return 17;
  return 0;
}

TEST(Socket, DumpsComeInLargeDatagrams) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(LargeDatagramsInANamespaceOfItsOwn());
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 10) GTEST_SKIP() << "unshare(CLONE_NEWNET) refused here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "12: adding addresses failed, 14: the dump failed, 15: not 1000 addresses, "
                                       "16: no datagram above 8 KiB, 17: more than 8 datagrams";
}

}  // namespace
}  // namespace phantun_runtime::netlink
