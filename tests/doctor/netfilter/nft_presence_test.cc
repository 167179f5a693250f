#include "runtime/doctor/netfilter/nft_presence.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <string>

#include "gtest/gtest.h"

namespace phantun_runtime::netfilter {
namespace {

// A fake root with the files GatherModuleEvidence looks at.
class FakeRoot {
 public:
  FakeRoot() {
    char pattern[] = "/tmp/nft_presence_test.XXXXXX";
    root_ = mkdtemp(pattern);
    Directory("/proc/self");
    Directory("/sys/module");
    Directory("/lib/modules/6.1.0/kernel");
  }
  ~FakeRoot() { EXPECT_EQ(system(("rm -rf '" + root_ + "'").c_str()), 0) << root_; }

  // A folder that failed to appear would make the evidence below wrong, not just incomplete.
  void Directory(const std::string& path) { ASSERT_EQ(system(("mkdir -p '" + root_ + path + "'").c_str()), 0) << path; }
  void File(const std::string& path, const std::string& content) {
    FILE* file = fopen((root_ + path).c_str(), "w");
    fputs(content.c_str(), file);
    fclose(file);
  }
  ModuleEvidence Gather() const { return GatherModuleEvidence(root_, "6.1.0"); }

 private:
  std::string root_;
};

TEST(NftPresence, ModulesNotLoadedMeansNotInUse) {
  FakeRoot root;
  root.File("/proc/modules", "ip_tables 32768 0 - Live 0x0000000000000000\n");
  const ModuleEvidence evidence = root.Gather();
  EXPECT_TRUE(evidence.modules_supported);
  EXPECT_FALSE(evidence.nf_tables);
  EXPECT_FALSE(NftablesSafeToAsk(evidence));
}

TEST(NftPresence, LoadedModulesAreSafe) {
  FakeRoot root;
  root.File("/proc/modules",
            "nf_tables_foo 1 0 - Live 0x0\nnf_tables 344064 10 nft_chain_nat, Live 0x0\nnfnetlink 20480 3 nf_tables, Live 0x0\n");
  const ModuleEvidence evidence = root.Gather();
  EXPECT_TRUE(evidence.nf_tables);
  EXPECT_TRUE(evidence.nfnetlink);
  EXPECT_TRUE(NftablesSafeToAsk(evidence));
}

TEST(NftPresence, OnlyNfnetlinkIsNotEnough) {
  FakeRoot root;
  root.File("/proc/modules", "nfnetlink 20480 0 - Live 0x0\nnf_tables_set 1 0 - Live 0x0\n");
  EXPECT_FALSE(NftablesSafeToAsk(root.Gather()));
}

TEST(NftPresence, BuiltInModulesCount) {
  FakeRoot root;
  root.File("/proc/modules", "");
  root.File("/lib/modules/6.1.0/modules.builtin",
            "kernel/net/netfilter/nfnetlink.ko\nkernel/net/netfilter/nf_tables.ko\n");
  EXPECT_TRUE(NftablesSafeToAsk(root.Gather()));
}

TEST(NftPresence, SysModuleCounts) {
  FakeRoot root;
  root.File("/proc/modules", "");
  root.Directory("/sys/module/nfnetlink");
  root.Directory("/sys/module/nf_tables");
  EXPECT_TRUE(NftablesSafeToAsk(root.Gather()));
}

TEST(NftPresence, AKernelWithoutModulesCannotLoadAnything) {
  FakeRoot root;  // procfs (/proc/self) but no /proc/modules: CONFIG_MODULES=n, as on this CI kernel
  const ModuleEvidence evidence = root.Gather();
  EXPECT_FALSE(evidence.modules_supported);
  EXPECT_TRUE(NftablesSafeToAsk(evidence));
}

TEST(NftPresence, DisabledModuleLoadingIsLikeNone) {
  FakeRoot root;
  root.File("/proc/modules", "");
  root.Directory("/proc/sys/kernel");
  root.File("/proc/sys/kernel/modules_disabled", "1\n");
  EXPECT_TRUE(NftablesSafeToAsk(root.Gather()));
}

TEST(NftPresence, WithoutProcfsAssumeModulesCanLoad) {
  const ModuleEvidence evidence = GatherModuleEvidence("/nonexistent-root", "6.1.0");
  EXPECT_TRUE(evidence.modules_supported);
  EXPECT_FALSE(NftablesSafeToAsk(evidence));
}

}  // namespace
}  // namespace phantun_runtime::netfilter
