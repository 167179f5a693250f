// How ReadNetfilter reports each backend: not in use, permission denied, read.
#include "runtime/doctor/netfilter/host_netfilter.h"

#include <errno.h>

#include "gtest/gtest.h"
#include "tests/doctor/netfilter/scenario.h"
#include "tests/doctor/netlink/replay_dumper.h"

namespace phantun_runtime::netfilter {
namespace {

// Fails the test if the reader asks nf_tables anything.
class MustNotAsk final : public netlink::Dumper {
 public:
  Status Dump(uint16_t, uint8_t, netlink::MessageCallback) override {
    ADD_FAILURE() << "asked nf_tables although it is not loaded";
    return Status();
  }
};

// Legacy tables that exist but cannot be read without CAP_NET_ADMIN.
class NoCapNetAdmin final : public XtablesKernel {
 public:
  StatusOr<std::vector<std::string>> TableNames(Family) override { return std::vector<std::string>{"filter"}; }
  StatusOr<std::string> GetInfo(Family, const std::string&) override { return SystemError("IPT_SO_GET_INFO", EPERM); }
  StatusOr<std::string> GetEntries(Family, const std::string&, uint32_t) override {
    return SystemError("IPT_SO_GET_ENTRIES", EPERM);
  }
};

TEST(ReadNetfilter, NftablesNotLoadedIsNotInUseAndNotAsked) {
  MustNotAsk dumper;
  phantun_test::ReplayXtables xtables(phantun_test::ScenarioDirectory("legacy_phantun"));
  NetfilterSources sources;
  sources.modules.modules_supported = true;
  sources.modules.nfnetlink = true;  // nf_tables missing
  sources.nftables = &dumper;
  sources.xtables = &xtables;
  const HostNetfilter host = ReadNetfilter(sources);
  EXPECT_EQ(host.nftables.state, BackendState::kNotInUse);
  EXPECT_NE(host.nftables.detail.find("not in use"), std::string::npos);
  EXPECT_EQ(host.iptables_legacy.state, BackendState::kRead);
  EXPECT_FALSE(host.ruleset.tables.empty());
}

TEST(ReadNetfilter, LegacyWithoutCapNetAdminIsPermissionDenied) {
  NoCapNetAdmin xtables;
  netlink::ReplayDumper dumper;
  phantun_test::AddNftCaptures(phantun_test::ScenarioDirectory("nft_phantun"), &dumper);
  NetfilterSources sources;  // no module support: nothing can be loaded, nf_tables may be asked
  sources.nftables = &dumper;
  sources.xtables = &xtables;
  const HostNetfilter host = ReadNetfilter(sources);
  EXPECT_EQ(host.nftables.state, BackendState::kRead);
  EXPECT_EQ(host.iptables_legacy.state, BackendState::kPermissionDenied);
  EXPECT_EQ(host.ip6tables_legacy.state, BackendState::kPermissionDenied);
  EXPECT_NE(host.iptables_legacy.detail.find("Operation not permitted"), std::string::npos);
  EXPECT_EQ(host.ruleset.tables.size(), 2u);  // nftables's tables only
}

TEST(ReadNetfilter, NoLegacyTablesInTheKernelIsNotInUse) {
  netlink::ReplayDumper dumper;
  phantun_test::AddNftCaptures(phantun_test::ScenarioDirectory("empty"), &dumper);
  phantun_test::ReplayXtables xtables("/nonexistent");
  NetfilterSources sources;
  sources.nftables = &dumper;
  sources.xtables = &xtables;
  const HostNetfilter host = ReadNetfilter(sources);
  EXPECT_EQ(host.nftables.state, BackendState::kRead);
  EXPECT_EQ(host.iptables_legacy.state, BackendState::kNotInUse);
}

}  // namespace
}  // namespace phantun_runtime::netfilter
