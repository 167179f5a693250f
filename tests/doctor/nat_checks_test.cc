// The nat.* checks on netfilter state captured from real kernels (testdata, see capture.sh).
#include "runtime/doctor/nat_checks.h"

#include <linux/rtnetlink.h>
#include <net/if.h>

#include <string>

#include "gtest/gtest.h"
#include "tests/doctor/fake_host.h"
#include "tests/doctor/report_matchers.h"

namespace phantun_runtime::doctor {
namespace {

class NatChecks : public ::testing::Test {
 protected:
  NatChecks() {
    host.AddLink("eth0", 2, 2, 1500, IFF_UP, /*tun=*/false, /*hardware=*/true);
    host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, /*tun=*/true);
    host.AddDefaultRoute("eth0");
    host.AddIpv4Address(2, "198.18.0.1", "198.18.0.1");
    // The kernel's answers the traces need: the host's own address is local, the TUN peers are
    // behind tun0.
    host.AddRoute("198.18.0.1", "", 0, 1, RTN_LOCAL);
    host.AddRoute("192.168.201.2", "", 0, 9);
    host.AddRoute("192.168.200.2", "", 0, 9);
  }
  Report Run(const std::string& scenario) {
    host.LoadScenario(scenario);
    Report report;
    CheckNat(ResolveContext(options, host), &report);
    return report;
  }
  void Client() {
    options.mode = Mode::kClient;
    options.tun_peer = "192.168.200.2";
  }
  void Server(int port) {
    options.mode = Mode::kServer;
    options.tun_peer = "192.168.201.2";
    options.port = port;
  }
  FakeHost host;
  Options options;
};

TEST_F(NatChecks, PhantunsDocumentedRulesPass) {
  for (const char* scenario : {"nft_phantun", "legacy_phantun", "iptables_nft_phantun"}) {
    Client();
    const Report client = Run(scenario);
    EXPECT_EQ(Only(client, "nat.masquerade").verdict, Verdict::kPass) << scenario;
    EXPECT_EQ(Only(client, "nat.dnat").verdict, Verdict::kSkip) << scenario;
    Server(4567);
    const Report server = Run(scenario);
    EXPECT_EQ(Only(server, "nat.masquerade").verdict, Verdict::kSkip) << scenario;
    EXPECT_EQ(Only(server, "nat.dnat").verdict, Verdict::kPass) << scenario << ": " << Only(server, "nat.dnat").finding;
  }
}

// The captured rules DNAT tcp/4567; asked about 4568, the SYN is delivered locally. The finding
// shows the DNAT that nearly applies; the fix goes ahead of it in the chain that owns the NAT, and
// also lets the DNATed SYN through the captured forward chain, whose policy would drop it next:
// both are proven by tracing the SYN again with them added.
TEST_F(NatChecks, TheFixIsProvenAndWrittenForTheChainThatOwnsTheNat) {
  Server(4568);
  const Finding nft = Only(Run("nft_phantun"), "nat.dnat");
  EXPECT_EQ(nft.verdict, Verdict::kFail);
  EXPECT_EQ(nft.finding,
            "SYN from a client ? -> 198.18.0.1:4568 in on eth0: not DNATed: delivered to this host itself, where phantun "
            "never sees it (198.18.0.1 is this host's own address: delivered locally, not forwarded; not applying: nft "
            "inet nat prerouting (priority -100), chain prerouting, handle 4: iifname \"eth0\" tcp dport 4567 dnat ip to "
            "192.168.201.2 (dport is 4568, the rule wants 4567))");
  EXPECT_EQ(nft.fix,
            "nft insert rule inet nat prerouting iifname \"eth0\" tcp dport 4568 dnat ip to 192.168.201.2; nft insert "
            "rule inet filter forward iifname \"eth0\" oifname \"tun0\" meta l4proto tcp accept");
  const Finding legacy = Only(Run("legacy_phantun"), "nat.dnat");
  EXPECT_EQ(legacy.fix,
            "iptables-legacy -t nat -I PREROUTING 1 -i eth0 -p tcp --dport 4568 -j DNAT --to-destination 192.168.201.2; "
            "iptables-legacy -t filter -I FORWARD 1 -i eth0 -o tun0 -p tcp -j ACCEPT");
}

// The captured nft rules masquerade in an inet table (IPv4 and IPv6) but DNAT with `dnat ip to`
// only. With IPv6 on (the TUN has phantun's fcc9::1, the WAN a global address), the server's IPv6
// SYN is traced as well, fails, and gets an ip6 DNAT; the client's IPv6 SYN is masqueraded.
TEST_F(NatChecks, Ipv6IsTracedWhenTheHostIsSetUpForIt) {
  host.AddIpv6Address(2, "2001:db8::1");
  host.AddIpv6Address(9, "fcc9::1");
  host.AddRoute("2001:db8::1", "", 0, 1, RTN_LOCAL);
  host.AddRoute("fcc9::2", "", 0, 9);
  Server(4567);
  options.tun_peer6 = "fcc9::2";
  const Finding server = Only(Run("nft_phantun"), "nat.dnat");
  EXPECT_EQ(server.verdict, Verdict::kFail);
  EXPECT_EQ(server.finding.rfind("IPv6 SYN from a client ? -> [2001:db8::1]:4567 in on eth0: not DNATed", 0), 0u)
      << server.finding;
  EXPECT_EQ(server.fix.rfind("nft insert rule inet nat prerouting iifname \"eth0\" tcp dport 4567 dnat ip6 to fcc9::2", 0), 0u)
      << server.fix;

  host.AddIpv6Address(9, "fcc8::1");
  Client();
  options.tun_peer6 = "fcc8::2";
  const Finding client = Only(Run("nft_phantun"), "nat.masquerade");
  EXPECT_EQ(client.verdict, Verdict::kPass) << client.finding;
  EXPECT_NE(client.finding.find("IPv6 SYN to the server [fcc8::2] -> ?:4567 in on tun0: masquerade: source becomes 2001:db8::1"),
            std::string::npos)
      << client.finding;
}

TEST_F(NatChecks, WithoutCapNetAdminItIsASkipNeverAFail) {
  Client();
  const Finding finding = Only(Run("nft_phantun_no_cap_net_admin"), "nat.masquerade");
  EXPECT_EQ(finding.verdict, Verdict::kSkip);
  EXPECT_NE(finding.finding.find("not fully readable: nftables (netlink dump: Operation not permitted)"), std::string::npos)
      << finding.finding;
}

}  // namespace
}  // namespace phantun_runtime::doctor
