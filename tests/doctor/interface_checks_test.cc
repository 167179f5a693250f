#include "runtime/doctor/interface_checks.h"

#include <net/if.h>

#include "gtest/gtest.h"
#include "runtime/doctor/links.h"
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
  EXPECT_EQ(Only(report, "tun.iface").verdict, Verdict::kSkip);
  EXPECT_EQ(Only(report, "tun.mtu").verdict, Verdict::kInfo);
  EXPECT_EQ(Only(report, "tun.mtu").finding, "WireGuard over phantun: MTU 1428 (IPv4) or 1408 (IPv6) for WAN MTU 1500");
}

TEST_F(InterfaceChecksTest, TheOnlyTunIsFoundAndChecked) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT | IFF_RUNNING, true);
  const Report report = Run();
  EXPECT_EQ(Only(report, "tun.iface").verdict, Verdict::kPass);
  EXPECT_EQ(Only(report, "tun.mtu").verdict, Verdict::kPass);
}

TEST_F(InterfaceChecksTest, DownTunFails) {
  host.AddLink("tun0", 9, 9, 1500, IFF_POINTOPOINT, true);
  EXPECT_EQ(Only(Run(), "tun.iface").verdict, Verdict::kFail);
}

TEST_F(InterfaceChecksTest, TunLargerThanWanWarns) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, true);
  host.AddLink("eth0", 2, 2, 1492, IFF_UP, false, true);
  const Finding finding = Only(Run(), "tun.mtu");
  EXPECT_EQ(finding.verdict, Verdict::kWarn);
  EXPECT_NE(finding.finding.find("1420 (IPv4)"), std::string::npos) << finding.finding;
}

TEST_F(InterfaceChecksTest, SeveralTunsNeedANameAndANamedOneIsUsed) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, true);
  host.AddLink("tun1", 10, 10, 1500, IFF_UP | IFF_POINTOPOINT, true);
  const Finding ambiguous = Only(Run(), "tun.iface");
  EXPECT_EQ(ambiguous.verdict, Verdict::kSkip);
  EXPECT_NE(ambiguous.finding.find("--tun"), std::string::npos);
  options.tun = "tun1";
  EXPECT_EQ(Only(Run(), "tun.iface").verdict, Verdict::kPass);
}

TEST_F(InterfaceChecksTest, NamedTunThatDoesNotExistIsSkip) {
  options.tun = "ptun9";
  EXPECT_EQ(Only(Run(), "tun.iface").finding, "TUN interface not checked: ptun9 does not exist");
}

// absl's parsers leave a partial value behind when they fail: "0x10zz" would read as 0x10
// (point-to-point but down, a FAIL) and "15x0" as an MTU of 15 (a PASS). Neither is a value.
TEST_F(InterfaceChecksTest, GarbledFlagsAreNotAState) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, true);
  host.files["/sys/class/net/tun0/flags"] = "0x10zz\n";
  EXPECT_FALSE(ReadLink(host, "tun0").flags.has_value());
  const Finding finding = Only(Run(), "tun.iface");
  EXPECT_EQ(finding.verdict, Verdict::kSkip);
  EXPECT_EQ(finding.finding, "tun0 exists but /sys/class/net/tun0/flags does not hold a number: state not checked");
}

TEST_F(InterfaceChecksTest, GarbledTunMtuIsNotCompared) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, true);
  host.files["/sys/class/net/tun0/mtu"] = "15x0\n";
  EXPECT_FALSE(ReadLink(host, "tun0").mtu.has_value());
  const Finding finding = Only(Run(), "tun.mtu");
  EXPECT_EQ(finding.verdict, Verdict::kSkip);
  EXPECT_EQ(finding.finding,
            "/sys/class/net/tun0/mtu does not hold a number: not compared; "
            "WireGuard over phantun: MTU 1428 (IPv4) or 1408 (IPv6) for WAN MTU 1500");
}

TEST_F(InterfaceChecksTest, GarbledWanMtuGivesNoWireGuardFigure) {
  host.files["/sys/class/net/eth0/mtu"] = "1500abc\n";
  const Finding finding = Only(Run(), "tun.mtu");
  EXPECT_EQ(finding.verdict, Verdict::kSkip);
  EXPECT_EQ(finding.finding, "/sys/class/net/eth0/mtu does not hold a number: MTU not checked");
}

}  // namespace
}  // namespace phantun_runtime::doctor
