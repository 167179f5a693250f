#include "runtime/doctor/fwd_checks.h"

#include <net/if.h>

#include "gtest/gtest.h"
#include "tests/doctor/fake_host.h"
#include "tests/doctor/report_matchers.h"

namespace phantun_runtime::doctor {
namespace {

class FwdChecks : public ::testing::Test {
 protected:
  FwdChecks() {
    host.MakeForwardingUplink("eth0");
    options.mode = Mode::kClient;
  }
  Report Run() {
    const Context context = ResolveContext(options, host);
    Report report;
    CheckForwarding(context, &report);
    return report;
  }
  FakeHost host;
  Options options;
};

TEST_F(FwdChecks, AHostReadyForPhantunPasses) {
  const Report report = Run();
  EXPECT_EQ(Only(report, "fwd.ipv4").verdict, Verdict::kPass);
  EXPECT_EQ(Only(report, "fwd.iface").verdict, Verdict::kPass);
  EXPECT_EQ(Only(report, "fwd.rp_filter").verdict, Verdict::kPass);
  EXPECT_EQ(Only(report, "fwd.ipv6").verdict, Verdict::kSkip);
  EXPECT_FALSE(report.HasFailure());
}

TEST_F(FwdChecks, ForwardingOffFailsWithTheSysctlCommand) {
  host.SetSysctl("net/ipv4/ip_forward", 0);
  const Finding finding = Only(Run(), "fwd.ipv4");
  EXPECT_EQ(finding.verdict, Verdict::kFail);
  EXPECT_EQ(finding.finding, "net.ipv4.ip_forward = 0");
  EXPECT_EQ(finding.fix.rfind("sysctl -w net.ipv4.ip_forward=1", 0), 0u) << finding.fix;
}

TEST_F(FwdChecks, PerInterfaceForwardingOfTheIncomingInterfacesCounts) {
  host.AddLink("ptun0", 7, 7, 1500, IFF_UP | IFF_POINTOPOINT, /*tun=*/true);
  host.SetSysctl("net/ipv4/conf/ptun0/forwarding", 0);
  const Finding finding = Only(Run(), "fwd.iface");
  EXPECT_EQ(finding.verdict, Verdict::kFail);
  EXPECT_EQ(finding.finding, "per-interface IPv4 forwarding off: eth0=1, ptun0=0");
  EXPECT_NE(finding.fix.find("sysctl -w net.ipv4.conf.ptun0.forwarding=1"), std::string::npos) << finding.fix;
}

TEST_F(FwdChecks, StrictRpFilterIsTheLargerOfAllAndTheInterface) {
  host.SetSysctl("net/ipv4/conf/all/rp_filter", 1);
  const Finding strict = Only(Run(), "fwd.rp_filter");
  EXPECT_EQ(strict.verdict, Verdict::kWarn);
  EXPECT_NE(strict.fix.find("net.ipv4.conf.all.rp_filter=2"), std::string::npos);
  host.SetSysctl("net/ipv4/conf/all/rp_filter", 0);
  host.SetSysctl("net/ipv4/conf/eth0/rp_filter", 2);
  EXPECT_EQ(Only(Run(), "fwd.rp_filter").verdict, Verdict::kPass);  // loose mode is fine
}

TEST_F(FwdChecks, Ipv6ForwardingIsCheckedWhenAsked) {
  options.ipv6 = true;
  host.SetSysctl("net/ipv6/conf/all/forwarding", 0);
  EXPECT_EQ(Only(Run(), "fwd.ipv6").verdict, Verdict::kFail);
  host.SetSysctl("net/ipv6/conf/all/forwarding", 1);
  EXPECT_EQ(Only(Run(), "fwd.ipv6").verdict, Verdict::kPass);
}

TEST_F(FwdChecks, UnreadableProcSysIsSkipNotPass) {
  host.files.clear();
  const Report report = Run();
  EXPECT_EQ(Only(report, "fwd.ipv4").verdict, Verdict::kSkip);
  EXPECT_EQ(Only(report, "fwd.iface").verdict, Verdict::kSkip);
  EXPECT_EQ(Only(report, "fwd.rp_filter").verdict, Verdict::kSkip);
}

// fwd.chains on netfilter state captured from a real kernel: phantun's documented nftables rules
// let the TUN's traffic out but, with policy drop, none back in.
TEST_F(FwdChecks, ChainsThatDropTheWayBackFail) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, /*tun=*/true);
  host.LoadScenario("nft_phantun");
  Report report;
  CheckForwardChains(ResolveContext(options, host), &report);
  const Finding finding = Only(report, "fwd.chains");
  EXPECT_EQ(finding.verdict, Verdict::kFail);
  EXPECT_EQ(finding.finding.rfind("tun0 -> eth0: accept (", 0), 0u) << finding.finding;
  EXPECT_NE(finding.finding.find("; eth0 -> tun0: drop ("), std::string::npos) << finding.finding;
  EXPECT_EQ(finding.fix.rfind("nft insert rule <family> <table> <chain> iifname tun0 oifname eth0 accept", 0), 0u);
}

}  // namespace
}  // namespace phantun_runtime::doctor
