// The tun.* checks: the device (tun.device, tun.multiqueue) from a probe, the interface (tun.iface,
// tun.mtu, tun.addr) from a fake host's link and address dumps.
#include "runtime/doctor/tun_checks.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <net/if.h>

#include <optional>

#include "gtest/gtest.h"
#include "tests/doctor/fake_host.h"
#include "tests/doctor/report_matchers.h"

namespace phantun_runtime::doctor {
namespace {

TunProbe Healthy() { return FakeHost().tun; }

Report Checked(const TunProbe& probe, bool in_container) {
  Report report;
  CheckTunDevice(probe, in_container, &report);
  return report;
}

TEST(TunChecks, HealthyDevicePasses) {
  const Report report = Checked(Healthy(), true);
  EXPECT_EQ(Only(report, "tun.device").verdict, Verdict::kPass);
  EXPECT_EQ(Only(report, "tun.multiqueue").verdict, Verdict::kPass);
}

TEST(TunChecks, MissingDeviceInAContainerAsksForTheDeviceFlag) {
  TunProbe probe;
  probe.found = SystemError("/dev/net/tun", ENOENT);
  const Report report = Checked(probe, true);
  EXPECT_EQ(Only(report, "tun.device").verdict, Verdict::kFail);
  EXPECT_EQ(Only(report, "tun.device").finding, "/dev/net/tun: No such file or directory");
  EXPECT_NE(Only(report, "tun.device").fix.find("--device /dev/net/tun"), std::string::npos);
  EXPECT_EQ(Only(report, "tun.multiqueue").verdict, Verdict::kSkip);
}

TEST(TunChecks, MissingDeviceOnABareHostAsksForTheModule) {
  TunProbe probe;
  probe.found = SystemError("/dev/net/tun", ENOENT);
  EXPECT_NE(Only(Checked(probe, false), "tun.device").fix.find("kmod-tun"), std::string::npos);
}

TEST(TunChecks, WrongDeviceNumbersFail) {
  TunProbe probe = Healthy();
  probe.minor = 3;
  EXPECT_EQ(Only(Checked(probe, true), "tun.device").finding, "/dev/net/tun is char device 10:3, expected 10:200");
}

TEST(TunChecks, DeviceThatDoesNotOpenFails) {
  TunProbe probe = Healthy();
  probe.opened = SystemError("/dev/net/tun", EPERM);
  probe.features.reset();
  const Report report = Checked(probe, true);
  EXPECT_EQ(Only(report, "tun.device").verdict, Verdict::kFail);
  EXPECT_NE(Only(report, "tun.device").finding.find("Operation not permitted"), std::string::npos);
}

TEST(TunChecks, NoMultiQueueWarns) {
  TunProbe probe = Healthy();
  probe.features = IFF_TUN | IFF_NO_PI;
  EXPECT_EQ(Only(Checked(probe, true), "tun.multiqueue").verdict, Verdict::kWarn);
}

class TunInterfaceChecks : public ::testing::Test {
 protected:
  TunInterfaceChecks() {
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

TEST_F(TunInterfaceChecks, NoTunYetIsSkipWithTheWireGuardMtuAsInfo) {
  const Report report = Run();
  EXPECT_EQ(Only(report, "tun.iface").verdict, Verdict::kSkip);
  EXPECT_EQ(Only(report, "tun.mtu").verdict, Verdict::kInfo);
  EXPECT_EQ(Only(report, "tun.mtu").finding, "WireGuard over phantun: MTU 1428 (IPv4) or 1408 (IPv6) for WAN MTU 1500");
}

TEST_F(TunInterfaceChecks, TheOnlyTunIsFoundAndChecked) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT | IFF_RUNNING, true);
  const Report report = Run();
  EXPECT_EQ(Only(report, "tun.iface").verdict, Verdict::kPass);
  EXPECT_EQ(Only(report, "tun.mtu").verdict, Verdict::kPass);
}

TEST_F(TunInterfaceChecks, DownTunFails) {
  host.AddLink("tun0", 9, 9, 1500, IFF_POINTOPOINT, true);
  EXPECT_EQ(Only(Run(), "tun.iface").verdict, Verdict::kFail);
}

TEST_F(TunInterfaceChecks, TunLargerThanWanWarns) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, true);
  host.AddLink("eth0", 2, 2, 1492, IFF_UP, false, true);
  const Finding finding = Only(Run(), "tun.mtu");
  EXPECT_EQ(finding.verdict, Verdict::kWarn);
  EXPECT_NE(finding.finding.find("1420 (IPv4)"), std::string::npos) << finding.finding;
}

TEST_F(TunInterfaceChecks, SeveralTunsNeedANameAndANamedOneIsUsed) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, true);
  host.AddLink("tun1", 10, 10, 1500, IFF_UP | IFF_POINTOPOINT, true);
  const Finding ambiguous = Only(Run(), "tun.iface");
  EXPECT_EQ(ambiguous.verdict, Verdict::kSkip);
  EXPECT_NE(ambiguous.finding.find("--tun"), std::string::npos);
  options.tun = "tun1";
  EXPECT_EQ(Only(Run(), "tun.iface").verdict, Verdict::kPass);
}

TEST_F(TunInterfaceChecks, NamedTunThatDoesNotExistIsSkip) {
  options.tun = "ptun9";
  EXPECT_EQ(Only(Run(), "tun.iface").finding, "TUN interface not checked: ptun9 does not exist");
}

// The kernel always sends a link's flags, and an MTU on every kernel the doctor runs on; a link
// without one is not given a made-up MTU.
TEST_F(TunInterfaceChecks, ATunWithoutAnMtuIsNotCompared) {
  host.AddLink("tun0", 9, 9, std::nullopt, IFF_UP | IFF_POINTOPOINT, true);
  const Finding finding = Only(Run(), "tun.mtu");
  EXPECT_EQ(finding.verdict, Verdict::kSkip);
  EXPECT_EQ(finding.finding,
            "the kernel gave no MTU for tun0: not compared; "
            "WireGuard over phantun: MTU 1428 (IPv4) or 1408 (IPv6) for WAN MTU 1500");
}

TEST_F(TunInterfaceChecks, AWanWithoutAnMtuGivesNoWireGuardFigure) {
  host.AddLink("eth0", 2, 2, std::nullopt, IFF_UP, false, true);
  const Finding finding = Only(Run(), "tun.mtu");
  EXPECT_EQ(finding.verdict, Verdict::kSkip);
  EXPECT_EQ(finding.finding, "the kernel gave no MTU for eth0: MTU not checked");
}

// sysfs is not where links come from any more: a /sys/class/net that shows other interfaces (the
// host's, under nsenter --net) changes nothing.
TEST_F(TunInterfaceChecks, SysfsIsNotAsked) {
  host.files["/sys/class/net/tun7/tun_flags"] = "0x1001\n";
  host.files["/sys/class/net/eth0/mtu"] = "9000\n";
  const Report report = Run();
  EXPECT_EQ(Only(report, "tun.iface").verdict, Verdict::kSkip);
  EXPECT_EQ(Only(report, "tun.mtu").finding, "WireGuard over phantun: MTU 1428 (IPv4) or 1408 (IPv6) for WAN MTU 1500");
}

TEST_F(TunInterfaceChecks, UnreadableLinksAreSaid) {
  class NoNetlink final : public FakeHost {
   public:
    Status Dump(int, uint16_t, uint8_t, netlink::MessageCallback) const override {
      return SystemError("opening a netlink socket", EACCES);
    }
  } refused;
  refused.AddDefaultRoute("eth0");
  Report report;
  CheckTunInterface(ResolveContext(options, refused), &report);
  EXPECT_EQ(Only(report, "tun.iface").finding,
            "TUN interface not checked: interfaces not readable: opening a netlink socket: Permission denied");
  EXPECT_EQ(Only(report, "tun.mtu").finding,
            "WAN interface eth0 not checked: interfaces not readable: opening a netlink socket: Permission denied");
}

TEST_F(TunInterfaceChecks, TheTunsAddressesComeFromTheAddressDump) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, true);
  host.AddIpv4Address(2, "198.18.0.1", "198.18.0.1");
  host.AddIpv4Address(9, "192.168.200.1", "192.168.200.2");
  options.mode = Mode::kClient;
  options.tun_local = "192.168.200.1";
  options.tun_peer = "192.168.200.2";
  const Context context = ResolveContext(options, host);
  Report report;
  CheckTunAddresses(context, &report);
  EXPECT_EQ(Only(report, "tun.addr").verdict, Verdict::kPass);
  options.tun_peer = "192.168.200.3";
  Report other;
  CheckTunAddresses(ResolveContext(options, host), &other);
  EXPECT_EQ(Only(other, "tun.addr").finding, "tun0 has 192.168.200.1 peer 192.168.200.2, not 192.168.200.1 peer 192.168.200.3");
}

}  // namespace
}  // namespace phantun_runtime::doctor
