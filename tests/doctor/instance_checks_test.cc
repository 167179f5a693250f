// instance.collision: what of another phantun instance collides with this one's.
#include "runtime/doctor/instance_checks.h"

#include <linux/rtnetlink.h>
#include <net/if.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/doctor/fake_host.h"
#include "tests/doctor/report_matchers.h"

namespace phantun_runtime::doctor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class InstanceChecks : public ::testing::Test {
 protected:
  InstanceChecks() {
    host.AddLink("eth0", 2, 2, 1500, IFF_UP, /*tun=*/false, /*hardware=*/true);
    host.AddDefaultRoute("eth0");
    host.AddIpv4Address(2, "198.18.0.1", "198.18.0.1");
    options.mode = Mode::kServer;
    options.port = 4567;
    options.tun = "tun1";
    options.tun_local = "192.168.202.1";
    options.tun_peer = "192.168.202.2";
    options.tun_local6 = "fcc9::1";
    options.tun_peer6 = "fcc9::2";
  }
  std::vector<std::string> Collisions(const std::string& scenario) {
    host.LoadScenario(scenario);
    return InstanceCollisions(ResolveContext(options, host));
  }
  FakeHost host;
  Options options;
};

// nft_phantun DNATs tcp/4567 to 192.168.201.2, another instance's peer: this one, on the same
// port, would never see a SYN.
TEST_F(InstanceChecks, SamePortDnatedElsewhereCollides) {
  EXPECT_THAT(Collisions("nft_phantun"),
              ElementsAre("tcp/4567 is DNATed to 192.168.201.2, not this instance's TUN peer address (inet nat prerouting: "
                          "iifname \"eth0\" tcp dport 4567 dnat ip to 192.168.201.2): another instance on the same port? "
                          "give each its own --local port"));
}

TEST_F(InstanceChecks, OwnPortElsewhereButSamePeerCollides) {
  options.port = 4568;
  options.tun_peer = "192.168.201.2";
  const std::vector<std::string> found = Collisions("nft_phantun");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_THAT(found[0], HasSubstr("tcp/4567 is DNATed to this instance's TUN peer address 192.168.201.2"));
}

TEST_F(InstanceChecks, AnotherInterfaceHoldingTheTunAddressCollides) {
  host.AddLink("tun0", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, /*tun=*/true);
  host.AddIpv4Address(9, "192.168.202.1", "192.168.202.2");
  options.port = 4600;
  const std::vector<std::string> found = Collisions("empty");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], "tun0 holds 192.168.202.1, this instance's --tun-local: another phantun instance (or network) "
                      "has the same address; give each its own");
}

TEST_F(InstanceChecks, DistinctInstancesPass) {
  options.port = 4600;
  host.LoadScenario("nft_phantun");
  Report report;
  CheckInstances(ResolveContext(options, host), &report);
  EXPECT_EQ(Only(report, "instance.collision").verdict, Verdict::kPass);
}

}  // namespace
}  // namespace phantun_runtime::doctor
