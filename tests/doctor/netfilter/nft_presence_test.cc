#include "runtime/doctor/netfilter/nft_presence.h"

#include "gtest/gtest.h"
#include "tests/doctor/fake_host.h"

namespace phantun_runtime::netfilter {
namespace {

// A host with procfs, the 6.1.0 kernel's module folder and what the test adds.
class NftPresence : public ::testing::Test {
 protected:
  NftPresence() {
    host.files["/proc/self/status"] = "Name:\tphantun-doctor\n";
    host.files["/proc/sys/kernel/osrelease"] = "6.1.0\n";
  }
  ModuleEvidence Gather() const { return GatherModuleEvidence(host); }
  doctor::FakeHost host;
};

TEST_F(NftPresence, ModulesNotLoadedMeansNotInUse) {
  host.files["/proc/modules"] = "ip_tables 32768 0 - Live 0x0000000000000000\n";
  const ModuleEvidence evidence = Gather();
  EXPECT_TRUE(evidence.modules_supported);
  EXPECT_FALSE(evidence.nf_tables);
  EXPECT_FALSE(NftablesSafeToAsk(evidence));
}

TEST_F(NftPresence, LoadedModulesAreSafe) {
  host.files["/proc/modules"] =
      "nf_tables_foo 1 0 - Live 0x0\nnf_tables 344064 10 nft_chain_nat, Live 0x0\nnfnetlink 20480 3 nf_tables, Live 0x0\n";
  const ModuleEvidence evidence = Gather();
  EXPECT_TRUE(evidence.nf_tables);
  EXPECT_TRUE(evidence.nfnetlink);
  EXPECT_TRUE(NftablesSafeToAsk(evidence));
}

TEST_F(NftPresence, OnlyNfnetlinkIsNotEnough) {
  host.files["/proc/modules"] = "nfnetlink 20480 0 - Live 0x0\nnf_tables_set 1 0 - Live 0x0\n";
  EXPECT_FALSE(NftablesSafeToAsk(Gather()));
}

TEST_F(NftPresence, BuiltInModulesCount) {
  host.files["/proc/modules"] = "";
  host.files["/lib/modules/6.1.0/modules.builtin"] =
      "kernel/net/netfilter/nfnetlink.ko\nkernel/net/netfilter/nf_tables.ko\n";
  EXPECT_TRUE(NftablesSafeToAsk(Gather()));
}

TEST_F(NftPresence, SysModuleCounts) {
  host.files["/proc/modules"] = "";
  host.files["/sys/module/nfnetlink/refcnt"] = "1\n";
  host.files["/sys/module/nf_tables/refcnt"] = "0\n";
  EXPECT_TRUE(NftablesSafeToAsk(Gather()));
}

TEST_F(NftPresence, AKernelWithoutModulesCannotLoadAnything) {
  // procfs (/proc/self) but no /proc/modules: CONFIG_MODULES=n, as on this CI kernel.
  const ModuleEvidence evidence = Gather();
  EXPECT_FALSE(evidence.modules_supported);
  EXPECT_TRUE(NftablesSafeToAsk(evidence));
}

TEST_F(NftPresence, DisabledModuleLoadingIsLikeNone) {
  host.files["/proc/modules"] = "";
  host.files["/proc/sys/kernel/modules_disabled"] = "1\n";
  EXPECT_TRUE(NftablesSafeToAsk(Gather()));
}

TEST_F(NftPresence, WithoutProcfsAssumeModulesCanLoad) {
  host.files.clear();
  const ModuleEvidence evidence = Gather();
  EXPECT_TRUE(evidence.modules_supported);
  EXPECT_FALSE(NftablesSafeToAsk(evidence));
}

}  // namespace
}  // namespace phantun_runtime::netfilter
