#include <errno.h>
#include <linux/if_tun.h>

#include "gtest/gtest.h"
#include "runtime/doctor/tun_probe.h"
#include "tests/doctor/fake_host.h"
#include "tests/doctor/report_matchers.h"

namespace phantun_runtime::doctor {
namespace {

TunProbe Healthy() { return FakeHost().tun; }

Report Checked(const TunProbe& probe, bool in_container) {
  Report report;
  CheckTun(probe, in_container, &report);
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

}  // namespace
}  // namespace phantun_runtime::doctor
