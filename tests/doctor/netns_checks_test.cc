#include "runtime/doctor/netns_checks.h"

#include <net/if.h>

#include "gtest/gtest.h"
#include "tests/doctor/fake_host.h"
#include "tests/doctor/report_matchers.h"

namespace phantun_runtime::doctor {
namespace {

class NetnsChecks : public ::testing::Test {
 protected:
  NetnsChecks() {
    host.MakeForwardingUplink("eth0");
    options.mode = Mode::kClient;
  }
  Report Run() {
    const Context context = ResolveContext(options, host);
    Report report;
    CheckNamespace(context, &report);
    return report;
  }
  FakeHost host;
  Options options;
};

TEST_F(NetnsChecks, AHostInterfaceWithTheDefaultRoutePasses) {
  EXPECT_EQ(Only(Run(), "netns.host").verdict, Verdict::kPass);
}

TEST_F(NetnsChecks, DefaultRouteThroughAVethIsNotTheHostNamespace) {
  host.files.clear();
  host.AddLink("eth0", 5, 5, 1500, IFF_UP);  // a veth: Ethernet, no hardware; its peer elsewhere may share the ifindex
  host.AddDefaultRoute("eth0");
  const Finding finding = Only(Run(), "netns.host");
  EXPECT_EQ(finding.verdict, Verdict::kWarn);
  EXPECT_NE(finding.finding.find("veth-like"), std::string::npos) << finding.finding;
  EXPECT_NE(finding.fix.find("--network host"), std::string::npos);
}

TEST_F(NetnsChecks, NoDefaultRouteWarns) {
  host.files.erase("/proc/net/route");
  EXPECT_EQ(Only(Run(), "netns.host").verdict, Verdict::kWarn);
}

}  // namespace
}  // namespace phantun_runtime::doctor
