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
// let the client's SYN out but, with policy drop and no accept of established traffic, not the
// server's reply back in; the fix is proven on the reply's trace before it is printed.
TEST_F(FwdChecks, ChainsThatDropTheWayBackFail) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, /*tun=*/true);
  host.AddIpv4Address(2, "198.18.0.1", "198.18.0.1");
  host.LoadScenario("nft_phantun");
  options.tun_peer = "192.168.200.2";
  Report report;
  CheckForwardChains(ResolveContext(options, host), &report);
  const Finding finding = Only(report, "fwd.chains");
  EXPECT_EQ(finding.verdict, Verdict::kFail);
  EXPECT_EQ(finding.finding,
            "reply ? -> 198.18.0.1 in on eth0: dropped (nft inet filter forward (priority 0): no rule decides: policy "
            "drop; not applying: nft inet filter forward (priority 0), chain forward, handle 2: iifname \"tun0\" accept "
            "(iifname is \"eth0\", the rule wants \"tun0\"))");
  EXPECT_EQ(finding.fix, "nft insert rule inet filter forward iifname \"eth0\" oifname \"tun0\" meta l4proto tcp accept");
}

}  // namespace
}  // namespace phantun_runtime::doctor
