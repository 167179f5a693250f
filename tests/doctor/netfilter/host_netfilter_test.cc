// How ReadNetfilter reports each backend: not in use, permission denied, read.
#include "runtime/doctor/netfilter/host_netfilter.h"

#include <errno.h>
#include <linux/netlink.h>

#include "gtest/gtest.h"
#include "tests/doctor/fake_host.h"

namespace phantun_runtime::netfilter {
namespace {

// Fails the test if the reader asks nf_tables anything.
class NfTablesMustNotBeAsked final : public doctor::FakeHost {
 public:
  Status Dump(int protocol, uint16_t type, uint8_t family, netlink::MessageCallback on_message) const override {
    if (protocol == NETLINK_NETFILTER) ADD_FAILURE() << "asked nf_tables although it is not loaded";
    return FakeHost::Dump(protocol, type, family, on_message);
  }
};

// Legacy tables that exist but cannot be read without CAP_NET_ADMIN.
class NoCapNetAdmin final : public doctor::FakeHost {
 public:
  StatusOr<std::string> GetXtablesOption(int, int, std::string) const override {
    return SystemError("getsockopt", EPERM);
  }
};

TEST(ReadNetfilter, NftablesNotLoadedIsNotInUseAndNotAsked) {
  NfTablesMustNotBeAsked host;
  host.LoadScenario("legacy_phantun");
  host.files["/proc/modules"] = "nfnetlink 20480 0 - Live 0x0\n";  // nf_tables missing
  const HostNetfilter netfilter = ReadNetfilter(host);
  EXPECT_EQ(netfilter.nftables.state, BackendState::kNotInUse);
  EXPECT_NE(netfilter.nftables.detail.find("not in use"), std::string::npos);
  EXPECT_EQ(netfilter.iptables_legacy.state, BackendState::kRead);
  EXPECT_FALSE(netfilter.ruleset.tables.empty());
}

TEST(ReadNetfilter, LegacyWithoutCapNetAdminIsPermissionDenied) {
  NoCapNetAdmin host;
  host.LoadScenario("nft_phantun");
  host.files["/proc/net/ip_tables_names"] = "filter\n";
  host.files["/proc/net/ip6_tables_names"] = "filter\n";
  const HostNetfilter netfilter = ReadNetfilter(host);
  EXPECT_EQ(netfilter.nftables.state, BackendState::kRead);
  EXPECT_EQ(netfilter.iptables_legacy.state, BackendState::kPermissionDenied);
  EXPECT_EQ(netfilter.ip6tables_legacy.state, BackendState::kPermissionDenied);
  EXPECT_EQ(netfilter.iptables_legacy.detail, "reading a legacy table's size (IPT_SO_GET_INFO): Operation not permitted");
  EXPECT_EQ(netfilter.ruleset.tables.size(), 2u);  // nftables's tables only
}

TEST(ReadNetfilter, NoLegacyTablesInTheKernelIsNotInUse) {
  doctor::FakeHost host;
  host.LoadScenario("empty");
  host.files.erase("/proc/net/ip_tables_names");
  const HostNetfilter netfilter = ReadNetfilter(host);
  EXPECT_EQ(netfilter.nftables.state, BackendState::kRead);
  EXPECT_EQ(netfilter.iptables_legacy.state, BackendState::kNotInUse);
  EXPECT_EQ(netfilter.iptables_legacy.detail,
            "/proc/net/ip_tables_names does not exist: legacy iptables is not in this kernel");
}

TEST(ReadNetfilter, NftablesWithoutCapNetAdminIsPermissionDenied) {
  doctor::FakeHost host;
  host.LoadScenario("nft_phantun_no_cap_net_admin");
  const HostNetfilter netfilter = ReadNetfilter(host);
  EXPECT_EQ(netfilter.nftables.state, BackendState::kPermissionDenied);
  EXPECT_EQ(netfilter.nftables.detail, "netlink dump: Operation not permitted");
  EXPECT_EQ(netfilter.iptables_legacy.state, BackendState::kNotInUse);
}

}  // namespace
}  // namespace phantun_runtime::netfilter
