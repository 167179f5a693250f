#include "runtime/doctor/interface_checks.h"

#include <net/if.h>

#include "gtest/gtest.h"
#include "tests/doctor/fake_host.h"
#include "tests/doctor/report_matchers.h"

namespace phantun_runtime::doctor {
namespace {

class InterfaceChecksTest : public ::testing::Test {
 protected:
  InterfaceChecksTest() {
    host.AddLink("eth0", 2, 2, 1500, IFF_UP, false, true);
    host.AddDefaultRoute("eth0");
  }
  Report Run() {
    Report report;
    CheckTunInterface(ResolveContext(options, host), &report);
    return report;
  }
  FakeHost host;
  Options options;
};

TEST_F(InterfaceChecksTest, NoTunYetIsSkipWithTheWireGuardMtuAsInfo) {
  const Report report = Run();
  EXPECT_EQ(Only(report, "tun.iface").status, Status::kSkip);
  EXPECT_EQ(Only(report, "tun.mtu").status, Status::kInfo);
  EXPECT_EQ(Only(report, "tun.mtu").finding, "WireGuard over phantun: MTU 1428 (IPv4) or 1408 (IPv6) for WAN MTU 1500");
}

TEST_F(InterfaceChecksTest, TheOnlyTunIsFoundAndChecked) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT | IFF_RUNNING, true);
  const Report report = Run();
  EXPECT_EQ(Only(report, "tun.iface").status, Status::kPass);
  EXPECT_EQ(Only(report, "tun.mtu").status, Status::kPass);
}

TEST_F(InterfaceChecksTest, DownTunFails) {
  host.AddLink("tun0", 9, 9, 1500, IFF_POINTOPOINT, true);
  EXPECT_EQ(Only(Run(), "tun.iface").status, Status::kFail);
}

TEST_F(InterfaceChecksTest, TunLargerThanWanWarns) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, true);
  host.AddLink("eth0", 2, 2, 1492, IFF_UP, false, true);
  const Finding finding = Only(Run(), "tun.mtu");
  EXPECT_EQ(finding.status, Status::kWarn);
  EXPECT_NE(finding.finding.find("1420 (IPv4)"), std::string::npos) << finding.finding;
}

TEST_F(InterfaceChecksTest, SeveralTunsNeedANameAndANamedOneIsUsed) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, true);
  host.AddLink("tun1", 10, 10, 1500, IFF_UP | IFF_POINTOPOINT, true);
  const Finding ambiguous = Only(Run(), "tun.iface");
  EXPECT_EQ(ambiguous.status, Status::kSkip);
  EXPECT_NE(ambiguous.finding.find("--tun"), std::string::npos);
  options.tun = "tun1";
  EXPECT_EQ(Only(Run(), "tun.iface").status, Status::kPass);
}

TEST_F(InterfaceChecksTest, NamedTunThatDoesNotExistIsSkip) {
  options.tun = "ptun9";
  EXPECT_EQ(Only(Run(), "tun.iface").finding, "TUN interface not checked: ptun9 does not exist");
}

}  // namespace
}  // namespace phantun_runtime::doctor
