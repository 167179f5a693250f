// The nat.* checks on netfilter state captured from real kernels (testdata, see capture.sh).
#include "runtime/doctor/nat_checks.h"

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
    EXPECT_EQ(Only(server, "nat.dnat").verdict, Verdict::kPass) << scenario;
  }
}

TEST_F(NatChecks, TheFixIsWrittenForTheBackendInUse) {
  Server(4568);
  const Finding nft = Only(Run("nft_phantun"), "nat.dnat");
  EXPECT_EQ(nft.verdict, Verdict::kFail);
  EXPECT_EQ(nft.finding, "DNAT of tcp/4568 on eth0 to 192.168.201.2: no such rule");
  EXPECT_EQ(nft.fix.rfind("nft add table inet nat; ", 0), 0u) << nft.fix;
  const Finding legacy = Only(Run("legacy_phantun"), "nat.dnat");
  EXPECT_EQ(legacy.fix, "iptables -t nat -A PREROUTING -p tcp -i eth0 --dport 4568 -j DNAT --to-destination 192.168.201.2");
}

TEST_F(NatChecks, WithoutCapNetAdminItIsASkipNeverAFail) {
  Client();
  const Finding finding = Only(Run("nft_phantun_no_cap_net_admin"), "nat.masquerade");
  EXPECT_EQ(finding.verdict, Verdict::kSkip);
  EXPECT_NE(finding.finding.find("unreadable: nftables (netlink dump: Operation not permitted)"), std::string::npos)
      << finding.finding;
}

}  // namespace
}  // namespace phantun_runtime::doctor
