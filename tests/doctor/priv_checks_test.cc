#include "runtime/doctor/priv_checks.h"

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
  EXPECT_EQ(Only(report, "priv.net_admin").verdict, Verdict::kPass);
  EXPECT_EQ(Only(report, "priv.extra_caps").verdict, Verdict::kPass);
  EXPECT_EQ(Only(report, "priv.privileged").verdict, Verdict::kPass);
  EXPECT_EQ(Only(report, "priv.no_new_privs").finding, "no_new_privs is set (--security-opt no-new-privileges)");
  EXPECT_EQ(Only(report, "priv.seccomp").finding, "seccomp filter mode, 1 filter(s)");
}

TEST(PrivilegeChecks, MissingNetAdminFailsWithTheContainerFlag) {
  const Finding finding = Only(Checked(Container("0000000000000000", kNetAdminOnly, 2)), "priv.net_admin");
  EXPECT_EQ(finding.verdict, Verdict::kFail);
  EXPECT_NE(finding.fix.find("--cap-add NET_ADMIN"), std::string::npos);
}

TEST(PrivilegeChecks, ExtraCapabilitiesAreNamed) {
  const Finding finding = Only(Checked(Container("0000000000003001", kEverything, 2)), "priv.extra_caps");
  EXPECT_EQ(finding.verdict, Verdict::kWarn);
  EXPECT_EQ(finding.finding, "capabilities beyond CAP_NET_ADMIN: CAP_CHOWN,CAP_NET_RAW");
  EXPECT_NE(finding.fix.find("--cap-drop ALL --cap-add NET_ADMIN"), std::string::npos);
}

TEST(PrivilegeChecks, PrivilegedContainerWarnsWithTheAlternative) {
  const Finding finding = Only(Checked(Container(kEverything, kEverything, 0)), "priv.privileged");
  EXPECT_EQ(finding.verdict, Verdict::kWarn);
  EXPECT_NE(finding.fix.find("--cap-drop ALL --cap-add NET_ADMIN --device /dev/net/tun"), std::string::npos);
}

TEST(PrivilegeChecks, BareHostIsNotCalledAContainer) {
  FakeHost host = Container(kEverything, kEverything, 0);
  host.env.clear();
  const Finding finding = Only(Checked(host), "priv.privileged");
  EXPECT_EQ(finding.verdict, Verdict::kInfo);
  FakeHost unprivileged = Container("0000000000000000", kEverything, 0);
  unprivileged.env.clear();
  EXPECT_NE(Only(Checked(unprivileged), "priv.net_admin").fix.find("AmbientCapabilities"), std::string::npos);
}

// absl's parsers stop at the first bad character and leave what they had read: a garbled CapEff
// must not become 0 (a FAIL about a capability set nobody has) nor 0x1000 (a PASS for NET_ADMIN).
TEST(PrivilegeChecks, GarbledCapEffIsNotACapabilitySet) {
  for (const char* garbled : {"zz12", "1000zz", "", "-1000"}) {
    const FakeHost host = Container(garbled, kNetAdminOnly, 2);
    EXPECT_FALSE(ReadProcessFacts(host).cap_effective.has_value()) << garbled;
    const Report report = Checked(host);
    EXPECT_EQ(Only(report, "priv.net_admin").verdict, Verdict::kSkip) << garbled;
    EXPECT_EQ(Only(report, "priv.net_admin").finding,
              "/proc/self/status has no readable CapEff line: capabilities not checked");
    EXPECT_EQ(Only(report, "priv.extra_caps").verdict, Verdict::kSkip) << garbled;
    EXPECT_EQ(Only(report, "priv.privileged").verdict, Verdict::kSkip) << garbled;
  }
}

TEST(PrivilegeChecks, GarbledCapBndLeavesPrivilegedOpen) {
  // Read as 0x1fff..., the garbage would pass for a privileged container's bounding set.
  const Finding finding = Only(Checked(Container(kEverything, "1ffffffffffx", 0)), "priv.privileged");
  EXPECT_EQ(finding.verdict, Verdict::kSkip);
  EXPECT_EQ(finding.finding,
            "container (container=podman): cannot tell whether it is privileged, /proc/self/status has no readable CapBnd line");
}

TEST(PrivilegeChecks, GarbledSeccompIsUnknownNotOff) {
  FakeHost host = Container(kEverything, kEverything, 0);
  host.files["/proc/self/status"] = "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\nSeccomp:\t2x\nSeccomp_filters:\t3\n";
  EXPECT_FALSE(ReadProcessFacts(host).seccomp_mode.has_value());
  const Report report = Checked(host);
  EXPECT_EQ(Only(report, "priv.seccomp").finding, "seccomp mode unknown: /proc/self/status has no readable Seccomp line");
  EXPECT_EQ(Only(report, "priv.privileged").verdict, Verdict::kSkip);
}

TEST(PrivilegeChecks, FilterCountIsLeftOutWhenNotReadable) {
  FakeHost host = Container(kNetAdminOnly, kNetAdminOnly, 2);
  host.files["/proc/self/status"] = "CapEff:\t0000000000001000\nCapBnd:\t0000000000001000\nSeccomp:\t2\nSeccomp_filters:\t1z\n";
  EXPECT_EQ(Only(Checked(host), "priv.seccomp").finding, "seccomp filter mode");
}

TEST(PrivilegeChecks, UnreadableStatusIsSkip) {
  FakeHost host;
  EXPECT_EQ(Only(Checked(host), "priv.net_admin").verdict, Verdict::kSkip);
}

}  // namespace
}  // namespace phantun_runtime::doctor
