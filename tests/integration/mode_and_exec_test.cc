// Contract point 1: MODE selects phantun_client or phantun_server, taken from the directory of the
// runtime's real executable and nowhere else; any other MODE is refused before anything starts.
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/expectations.h"
#include "tests/support/files.h"
#include "tests/support/install_dir.h"
#include "tests/support/runtime_run.h"
#include "tests/support/temp_dir.h"

namespace phantun_test {
namespace {

TEST(ModeTest, ClientRunsPhantunClientFromTheRuntimesDirectory) {
  InstallDir dir;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client"}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.exe, dir.client());
  ASSERT_FALSE(record.argv.empty());
  EXPECT_EQ(record.argv[0], "phantun_client");
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(run.err(), "");
}

TEST(ModeTest, ServerRunsPhantunServerFromTheRuntimesDirectory) {
  InstallDir dir;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=server"}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.exe, dir.server());
  ASSERT_FALSE(record.argv.empty());
  EXPECT_EQ(record.argv[0], "phantun_server");
  EXPECT_EQ(run.Finish(), Exited(0));
}

// A MODE value, or nullopt for MODE not set at all.
class InvalidModeTest : public ::testing::TestWithParam<std::optional<std::string>> {};

TEST_P(InvalidModeTest, IsRefusedWithOneLineAndExit64AndNothingStarts) {
  InstallDir dir;
  std::vector<std::string> env = {"PATH=/usr/bin:/bin"};
  if (GetParam()) env.push_back("MODE=" + *GetParam());
  RuntimeRun run(PhantunRunSpec(dir, env));
  // The fake reports from its first instruction on, so no event at all means it never ran.
  EXPECT_EQ(run.RemainingEvents(), std::vector<std::string>{});
  EXPECT_EQ(run.Finish(), Exited(64));
  EXPECT_TRUE(IsOneLineStartingWith(run.err(), "phantun-run: "));
  EXPECT_NE(run.err().find("MODE"), std::string::npos) << run.err();
  EXPECT_NE(run.err().find("client"), std::string::npos) << run.err();
  EXPECT_NE(run.err().find("server"), std::string::npos) << run.err();
  EXPECT_EQ(run.out(), "");
}

INSTANTIATE_TEST_SUITE_P(UnsetEmptyAndNearMisses, InvalidModeTest,
                         ::testing::Values(std::nullopt, "", "Client", "CLIENT", "Server", "server ", " client",
                                           "client\n", "clients", "serve", "client=client", "phantun_client",
                                           "\xff"));

TEST(ProgramLookupTest, PathIsNotSearched) {
  InstallDir dir;
  ASSERT_EQ(unlink(dir.client().c_str()), 0);
  InstallDir decoy;  // a working phantun_client, but only on PATH
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", "PATH=" + decoy.path()}));
  EXPECT_EQ(run.RemainingEvents(), std::vector<std::string>{});
  EXPECT_EQ(run.Finish(), Exited(127));
  EXPECT_TRUE(IsOneLineStartingWith(run.err(), "phantun-run: "));
}

TEST(ProgramLookupTest, ComesFromBesideTheRealExecutableNotBesideTheLinkOrTheWorkingDirectory) {
  InstallDir dir;
  // Another directory with a link to the runtime and a phantun_client that cannot be executed:
  // using that one would fail with 126.
  TempDir elsewhere;
  MakeSymlink(dir.runtime(), elsewhere.Join("phantun-run"));
  WriteFile(elsewhere.Join("phantun_client"), "not a program\n", 0755);
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client"});
  spec.path = elsewhere.Join("phantun-run");
  spec.argv = {spec.path};
  spec.cwd = elsewhere.path();
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.exe, dir.client());
  EXPECT_EQ(run.Finish(), Exited(0));
}

// A `#!` script is started under its own path, with the runtime as its interpreter: phantun still
// comes from beside the runtime, not from beside the script (where one that cannot run waits).
TEST(ProgramLookupTest, AScriptRunByTheRuntimeDoesNotMovePhantunBesideTheScript) {
  InstallDir dir;
  TempDir elsewhere;
  WriteFile(elsewhere.Join("phantun_client"), "not a program\n", 0755);
  WriteFile(elsewhere.Join("start"), "#!" + dir.run_link() + "\n", 0755);
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client"});
  spec.path = elsewhere.Join("start");
  spec.argv = {spec.path, "--local", "198.18.0.1:1"};
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.exe, dir.client());
  // The kernel passes the script's path as the first argument; phantun gets it like any other.
  EXPECT_EQ(record.argv, (std::vector<std::string>{"phantun_client", spec.path, "--local", "198.18.0.1:1"}));
  EXPECT_EQ(run.Finish(), Exited(0));
}

TEST(ProgramLookupTest, ArgvZeroPathIsNotUsedToFindPhantun) {
  InstallDir dir;
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client"});
  spec.argv[0] = "/nonexistent/phantun-run";  // only its basename selects the applet
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.exe, dir.client());
  EXPECT_EQ(run.Finish(), Exited(0));
}

}  // namespace
}  // namespace phantun_test
