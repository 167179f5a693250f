#include "runtime/doctor/privilege_checks.h"

#include "gtest/gtest.h"
#include "tests/doctor/fake_host.h"
#include "tests/doctor/report_matchers.h"

namespace phantun_runtime::doctor {
namespace {

constexpr char kNetAdminOnly[] = "0000000000001000";
constexpr char kEverything[] = "000001ffffffffff";

Report Checked(const FakeHost& host) {
  Report report;
  CheckPrivileges(ReadProcessFacts(host), &report);
  return report;
}

FakeHost Container(const char* cap_eff, const char* cap_bnd, int seccomp) {
  FakeHost host;
  host.files["/proc/self/status"] = std::string("Name:\tphantun-doctor\nCapEff:\t") + cap_eff + "\nCapBnd:\t" + cap_bnd +
                                    "\nNoNewPrivs:\t1\nSeccomp:\t" + std::to_string(seccomp) + "\nSeccomp_filters:\t1\n";
  host.env["container"] = "podman";
  return host;
}

TEST(PrivilegeChecks, LeastPrivilegeContainerPassesEverything) {
  const Report report = Checked(Container(kNetAdminOnly, kNetAdminOnly, 2));
  EXPECT_EQ(Only(report, "priv.net_admin").status, Status::kPass);
  EXPECT_EQ(Only(report, "priv.extra_caps").status, Status::kPass);
  EXPECT_EQ(Only(report, "priv.privileged").status, Status::kPass);
  EXPECT_EQ(Only(report, "priv.no_new_privs").finding, "no_new_privs is set (--security-opt no-new-privileges)");
  EXPECT_EQ(Only(report, "priv.seccomp").finding, "seccomp filter mode, 1 filter(s)");
}

TEST(PrivilegeChecks, MissingNetAdminFailsWithTheContainerFlag) {
  const Finding finding = Only(Checked(Container("0000000000000000", kNetAdminOnly, 2)), "priv.net_admin");
  EXPECT_EQ(finding.status, Status::kFail);
  EXPECT_NE(finding.fix.find("--cap-add NET_ADMIN"), std::string::npos);
}

TEST(PrivilegeChecks, ExtraCapabilitiesAreNamed) {
  const Finding finding = Only(Checked(Container("0000000000003001", kEverything, 2)), "priv.extra_caps");
  EXPECT_EQ(finding.status, Status::kWarn);
  EXPECT_EQ(finding.finding, "capabilities beyond CAP_NET_ADMIN: CAP_CHOWN,CAP_NET_RAW");
  EXPECT_NE(finding.fix.find("--cap-drop ALL --cap-add NET_ADMIN"), std::string::npos);
}

TEST(PrivilegeChecks, PrivilegedContainerWarnsWithTheAlternative) {
  const Finding finding = Only(Checked(Container(kEverything, kEverything, 0)), "priv.privileged");
  EXPECT_EQ(finding.status, Status::kWarn);
  EXPECT_NE(finding.fix.find("--cap-drop ALL --cap-add NET_ADMIN --device /dev/net/tun"), std::string::npos);
}

TEST(PrivilegeChecks, BareHostIsNotCalledAContainer) {
  FakeHost host = Container(kEverything, kEverything, 0);
  host.env.clear();
  const Finding finding = Only(Checked(host), "priv.privileged");
  EXPECT_EQ(finding.status, Status::kInfo);
  FakeHost unprivileged = Container("0000000000000000", kEverything, 0);
  unprivileged.env.clear();
  EXPECT_NE(Only(Checked(unprivileged), "priv.net_admin").fix.find("AmbientCapabilities"), std::string::npos);
}

TEST(PrivilegeChecks, UnreadableStatusIsSkip) {
  FakeHost host;
  EXPECT_EQ(Only(Checked(host), "priv.net_admin").status, Status::kSkip);
}

}  // namespace
}  // namespace phantun_runtime::doctor
