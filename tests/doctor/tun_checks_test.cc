#include <errno.h>
#include <linux/if_tun.h>

#include "gtest/gtest.h"
#include "runtime/doctor/tun_probe.h"
#include "tests/doctor/report_matchers.h"

namespace phantun_runtime::doctor {
namespace {

TunProbe Healthy() {
  TunProbe probe;
  probe.is_char = true;
  probe.major = 10;
  probe.minor = 200;
  probe.features_known = true;
  probe.features = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE;
  return probe;
}

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
  probe.stat_errno = ENOENT;
  const Report report = Checked(probe, true);
  EXPECT_EQ(Only(report, "tun.device").verdict, Verdict::kFail);
  EXPECT_EQ(Only(report, "tun.device").finding, "/dev/net/tun: No such file or directory");
  EXPECT_NE(Only(report, "tun.device").fix.find("--device /dev/net/tun"), std::string::npos);
  EXPECT_EQ(Only(report, "tun.multiqueue").verdict, Verdict::kSkip);
}

TEST(TunChecks, MissingDeviceOnABareHostAsksForTheModule) {
  TunProbe probe;
  probe.stat_errno = ENOENT;
  EXPECT_NE(Only(Checked(probe, false), "tun.device").fix.find("kmod-tun"), std::string::npos);
}

TEST(TunChecks, WrongDeviceNumbersFail) {
  TunProbe probe = Healthy();
  probe.minor = 3;
  EXPECT_EQ(Only(Checked(probe, true), "tun.device").finding, "/dev/net/tun is char device 10:3, expected 10:200");
}

TEST(TunChecks, DeviceThatDoesNotOpenFails) {
  TunProbe probe = Healthy();
  probe.open_errno = EPERM;
  probe.features_known = false;
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
