// The live host against this machine's kernel. Everything here only reads, and needs no privilege.
#include "runtime/doctor/live_host.h"

#include <errno.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/doctor/netlink/attribute.h"
#include "runtime/doctor/netlink/message.h"

namespace phantun_runtime::doctor {
namespace {

TEST(LiveHost, ReadsFilesAndSaysWhyNot) {
  const LiveHost host;
  const StatusOr<std::string> status = host.ReadFile("/proc/self/status");
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_NE(status->find("CapEff:"), std::string::npos);
  const StatusOr<std::string> missing = host.ReadFile("/nonexistent/file");
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "/nonexistent/file: No such file or directory");
  EXPECT_TRUE(host.Exists("/proc/self"));
  EXPECT_FALSE(host.Exists("/nonexistent"));
  const StatusOr<std::vector<std::string>> entries = host.ListDirectory("/proc/self");
  ASSERT_TRUE(entries.ok());
  EXPECT_NE(std::find(entries->begin(), entries->end(), "status"), entries->end());
  EXPECT_EQ(std::find(entries->begin(), entries->end(), "."), entries->end());
}

TEST(LiveHost, DumpsLinks) {
  const LiveHost host;
  std::vector<std::string> names;
  const Status status = host.Dump(NETLINK_ROUTE, RTM_GETLINK, AF_UNSPEC, [&](const netlink::Message& message) {
    const netlink::AttributeIndex attributes(netlink::AttributesAfterHeader(message.payload, sizeof(ifinfomsg)),
                                             IFLA_MAX);
    names.emplace_back(attributes.String(IFLA_IFNAME).value_or("?"));
  });
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_NE(std::find(names.begin(), names.end(), "lo"), names.end());
}

TEST(LiveHost, RefusesADumpOffTheAllowList) {
  const LiveHost host;
  const Status status = host.Dump(NETLINK_ROUTE, RTM_NEWLINK, AF_UNSPEC, [](const netlink::Message&) {
    ADD_FAILURE() << "a reply to a refused request";
  });
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
}

// Only a table the kernel lists is asked for: a request for any other name makes it try to load a
// module for that name, as the doctor never does.
TEST(LiveHost, ReadsAListedLegacyTable) {
  const LiveHost host;
  const StatusOr<std::string> names = host.ReadFile("/proc/net/ip_tables_names");
  if (!names.ok() || names->empty()) GTEST_SKIP() << "no legacy IPv4 table here";
  const std::string table = names->substr(0, names->find('\n'));
  std::string request(sizeof(ipt_getinfo), '\0');
  request.replace(0, table.size(), table);
  const StatusOr<std::string> reply = host.GetXtablesOption(AF_INET, IPT_SO_GET_INFO, request);
  if (!reply.ok()) {
    // Without CAP_NET_ADMIN the kernel refuses, and the errno says so.
    EXPECT_EQ(reply.status().system_error(), EPERM) << reply.status().message();
    return;
  }
  EXPECT_EQ(reply->size(), sizeof(ipt_getinfo));
  EXPECT_EQ(reply->substr(0, table.size()), table);
}

TEST(LiveHost, ProbesTheTunDeviceOnce) {
  LiveHost host;
  const int fd = host.OpenTunDevice();
  const TunProbe probe = host.ProbeTun();
  EXPECT_EQ(fd >= 0, probe.opened.ok() && probe.found.ok() && probe.is_char);
  EXPECT_EQ(host.OpenTunDevice(), fd) << "a second call opens nothing more";
  // Braced: EXPECT_TRUE is an if/else inside, and gcc warns of the dangling else without them.
  if (fd >= 0) {
    EXPECT_TRUE(probe.features.has_value());
  }
}

}  // namespace
}  // namespace phantun_runtime::doctor
