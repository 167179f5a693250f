// phantun-iface-write: the handoff on its own, for init systems. It writes IFACE_NAME into
// IFACE_FILE under the rules and exit statuses of phantun-run (78 for the variables, 73 for the
// file); --clear truncates IFACE_FILE (a missing file counts as clear and is not created; a file
// that cannot be cleared gives 74); --help documents both; anything else on the command line: 64.
//
// local (and root): the file cases mount in private mount namespaces, make device nodes and drop
// capabilities from the process under test.
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/iface_cases.h"
#include "tests/integration/iface_place.h"
#include "tests/integration/iface_refusal.h"
#include "tests/support/files.h"
#include "tests/support/install_dir.h"
#include "tests/support/runtime_run.h"
#include "tests/support/special_files.h"
#include "tests/support/temp_dir.h"

namespace phantun_test {
namespace {

constexpr char kPrefix[] = "phantun-iface-write: ";

LaunchSpec IfaceWriteSpec(const InstallDir& dir, std::vector<std::string> env, std::vector<std::string> args = {}) {
  LaunchSpec spec;
  spec.path = dir.iface_write_link();
  spec.argv = {spec.path};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = std::move(env);
  return spec;
}

std::vector<std::string> Handoff(const std::string& name, const std::string& path) {
  return {"IFACE_NAME=" + name, "IFACE_FILE=" + path};
}

// Exit 0 with nothing on stdout or stderr.
::testing::AssertionResult Succeeds(RuntimeRun& run) {
  const std::string ended = run.Finish();
  if (ended != Exited(0) || !run.out().empty() || !run.err().empty()) {
    return ::testing::AssertionFailure() << ended << ", stdout \"" << run.out() << "\", stderr \"" << run.err() << "\"";
  }
  return ::testing::AssertionSuccess();
}

TEST(WriteTest, WritesExactlyTheNameOverLongerOldContentInPlace) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  WriteFile(path, "a-much-longer-old-interface-name\n", 0600);
  const ino_t inode = InodeOf(path);
  RuntimeRun run(IfaceWriteSpec(dir, Handoff("tun0", path)));
  EXPECT_TRUE(Succeeds(run));
  EXPECT_EQ(ReadFile(path), "tun0");
  EXPECT_EQ(InodeOf(path), inode);
  EXPECT_EQ(ModeOf(path), 0600);
}

TEST(WriteTest, CreatesAMissingFileWithMode0644WhateverTheUmask) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  LaunchSpec spec = IfaceWriteSpec(dir, Handoff("fifteen-bytes-x", path));
  spec.umask = 077;
  RuntimeRun run(spec);
  EXPECT_TRUE(Succeeds(run));
  EXPECT_EQ(ReadFile(path), "fifteen-bytes-x");
  EXPECT_EQ(ModeOf(path), 0644);
}

// The same applet through the multicall binary's first argument.
TEST(WriteTest, WorksAsAnAppletArgumentOfTheMulticallBinary) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  LaunchSpec spec;
  spec.path = dir.runtime();
  spec.argv = {spec.path, "phantun-iface-write"};
  spec.env = Handoff("tun0", path);
  RuntimeRun run(spec);
  EXPECT_TRUE(Succeeds(run));
  EXPECT_EQ(ReadFile(path), "tun0");
}

// The variables as phantun-run reads them: with the file holding an old name, and without a file.
struct BadVariables {
  std::string label;
  std::vector<std::string> env;  // "@" stands for the file's path
  std::vector<std::string> mentions;
};

class BadVariablesTest : public ::testing::TestWithParam<std::tuple<BadVariables, bool>> {};

TEST_P(BadVariablesTest, Exit78AndNothingWritten) {
  const auto& [variables, file_exists] = GetParam();
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  if (file_exists) WriteFile(path, "old-name", 0644);
  std::vector<std::string> env;
  for (const std::string& entry : variables.env) env.push_back(entry == "IFACE_FILE=@" ? "IFACE_FILE=" + path : entry);
  RuntimeRun run(IfaceWriteSpec(dir, env));
  EXPECT_TRUE(EndsRefused(run, 78, kPrefix, variables.mentions));
  EXPECT_EQ(DirectoryEntries(state.path()), file_exists ? std::set<std::string>{"iface"} : std::set<std::string>{});
  if (file_exists) {
    EXPECT_EQ(ReadFile(path), "old-name");
  }
}

const std::vector<std::string> kOneSided = {"IFACE_NAME", "IFACE_FILE", "both"};
const std::vector<std::string> kBadCharacter = {"'/', ':', white space or NUL"};

INSTANTIATE_TEST_SUITE_P(
    MissingOneSidedOrInvalid, BadVariablesTest,
    ::testing::Combine(
        ::testing::Values(BadVariables{"Neither", {}, {"IFACE_NAME", "IFACE_FILE"}},
                          BadVariables{"BothEmpty", {"IFACE_NAME=", "IFACE_FILE="}, {"IFACE_NAME", "IFACE_FILE"}},
                          BadVariables{"OnlyName", {"IFACE_NAME=tun0"}, kOneSided},
                          BadVariables{"OnlyFile", {"IFACE_FILE=@"}, kOneSided},
                          BadVariables{"EmptyName", {"IFACE_NAME=", "IFACE_FILE=@"}, kOneSided},
                          BadVariables{"TooLong", {"IFACE_NAME=sixteen-bytes-xx", "IFACE_FILE=@"}, {"at most 15"}},
                          BadVariables{"Slash", {"IFACE_NAME=a/b", "IFACE_FILE=@"}, kBadCharacter},
                          BadVariables{"Colon", {"IFACE_NAME=a:b", "IFACE_FILE=@"}, kBadCharacter},
                          BadVariables{"Newline", {"IFACE_NAME=tun0\n", "IFACE_FILE=@"}, kBadCharacter},
                          BadVariables{"DotDot", {"IFACE_NAME=..", "IFACE_FILE=@"}, {"\"..\""}}),
        ::testing::Bool()),
    [](const ::testing::TestParamInfo<std::tuple<BadVariables, bool>>& info) {
      return std::get<0>(info.param).label + (std::get<1>(info.param) ? "_FileExists" : "_NoFile");
    });

// Every case phantun-run refuses with 73, refused the same way.
class UnwritableFileTest : public ::testing::TestWithParam<IfaceFileCase> {};

TEST_P(UnwritableFileTest, Exit73WithOneLineAndTheFileAsItWasOrEmpty) {
  InstallDir dir;
  IfacePlace place;
  GetParam().prepare(&place);
  ASSERT_TRUE(place.ready());
  const std::vector<PathSnapshot> before = SnapshotPlace(place);
  LaunchSpec spec = IfaceWriteSpec(dir, Handoff(kIfaceName, place.path));
  place.Apply(&spec);
  RuntimeRun run(spec);  // Finish() has a deadline: blocking on a FIFO fails the test, it cannot hang it
  EXPECT_TRUE(EndsRefused(run, 73, kPrefix, {place.path, GetParam().reason}));
  EXPECT_TRUE(AsItWasOrEmpty(before, SnapshotPlace(place)));
  EXPECT_TRUE(NothingWrittenToFifo(place));
}

INSTANTIATE_TEST_SUITE_P(RefusedKinds, UnwritableFileTest, ::testing::ValuesIn(RefusedKinds()), CaseName);
INSTANTIATE_TEST_SUITE_P(FailedWrites, UnwritableFileTest, ::testing::ValuesIn(FailedWrites()), CaseName);

// The message names the path escaped, so that a newline in it cannot split the one line.
TEST(MessageTest, StaysOneLineForAPathWithANewline) {
  InstallDir dir;
  TempDir state;
  RuntimeRun run(IfaceWriteSpec(dir, Handoff("tun0", state.Join("missing\ndir/iface"))));
  EXPECT_TRUE(EndsRefused(run, 73, kPrefix, {"missing\\ndir/iface", "No such file or directory"}));
}

TEST(ClearTest, TruncatesTheFileInPlaceWithoutNeedingIfaceName) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  WriteFile(path, "tun0", 0600);
  const ino_t inode = InodeOf(path);
  RuntimeRun run(IfaceWriteSpec(dir, {"IFACE_FILE=" + path}, {"--clear"}));
  EXPECT_TRUE(Succeeds(run));
  EXPECT_EQ(ReadFile(path), "");
  EXPECT_EQ(InodeOf(path), inode);
  EXPECT_EQ(ModeOf(path), 0600);
}

// IFACE_NAME may stay set (one environment for ExecStartPre= and ExecStopPost=): --clear still
// only clears.
TEST(ClearTest, ClearsEvenWithIfaceNameSet) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  WriteFile(path, "tun0", 0644);
  RuntimeRun run(IfaceWriteSpec(dir, Handoff("tun1", path), {"--clear"}));
  EXPECT_TRUE(Succeeds(run));
  EXPECT_EQ(ReadFile(path), "");
}

TEST(ClearTest, MissingFileCountsAsClearAndIsNotCreated) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  RuntimeRun run(IfaceWriteSpec(dir, {"IFACE_FILE=" + path}, {"--clear"}));
  EXPECT_TRUE(Succeeds(run));
  EXPECT_EQ(DirectoryEntries(state.path()), std::set<std::string>{});
}

class ClearWithoutFileTest : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(ClearWithoutFileTest, Exit78) {
  InstallDir dir;
  RuntimeRun run(IfaceWriteSpec(dir, GetParam(), {"--clear"}));
  EXPECT_TRUE(EndsRefused(run, 78, kPrefix, {"IFACE_FILE"}));
}

INSTANTIATE_TEST_SUITE_P(UnsetOrEmpty, ClearWithoutFileTest,
                         ::testing::Values(std::vector<std::string>{}, std::vector<std::string>{"IFACE_FILE="},
                                           std::vector<std::string>{"IFACE_NAME=tun0"}));

// The cases phantun-run refuses with 73, for --clear: what is not a regular file and what cannot be
// opened for writing gives 74 and stays as it was; a path with nothing there is already clear (0,
// not created); a regular file that can be written is emptied (0).
class ClearFileCaseTest : public ::testing::TestWithParam<IfaceFileCase> {};

TEST_P(ClearFileCaseTest, RefusedWith74OrClear) {
  InstallDir dir;
  IfacePlace place;
  GetParam().prepare(&place);
  ASSERT_TRUE(place.ready());
  const std::vector<PathSnapshot> before = SnapshotPlace(place);
  LaunchSpec spec = IfaceWriteSpec(dir, {"IFACE_FILE=" + place.path}, {"--clear"});
  place.Apply(&spec);
  RuntimeRun run(spec);
  if (GetParam().clear_fails) {
    EXPECT_TRUE(EndsRefused(run, 74, kPrefix, {place.path, GetParam().reason}));
    EXPECT_TRUE(Unchanged(before, SnapshotPlace(place)));
  } else {
    EXPECT_TRUE(Succeeds(run));
    const std::vector<PathSnapshot> after = SnapshotPlace(place);
    if (before[0].kind == "absent") {
      EXPECT_TRUE(Unchanged(before, after));
    } else {
      EXPECT_EQ(after[0].kind, "regular");
      EXPECT_EQ(after[0].content, "");
    }
  }
  EXPECT_TRUE(NothingWrittenToFifo(place));
}

INSTANTIATE_TEST_SUITE_P(RefusedKinds, ClearFileCaseTest, ::testing::ValuesIn(RefusedKinds()), CaseName);
INSTANTIATE_TEST_SUITE_P(FailedWrites, ClearFileCaseTest, ::testing::ValuesIn(FailedWrites()), CaseName);

TEST(HelpTest, ExplainsWritingClearingTheVariablesAndTheExitStatuses) {
  InstallDir dir;
  RuntimeRun run(IfaceWriteSpec(dir, {}, {"--help"}));
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(run.err(), "");
  for (const char* topic : {"--clear", "IFACE_NAME", "IFACE_FILE", "0644", "64", "73", "74", "78"}) {
    EXPECT_NE(run.out().find(topic), std::string::npos) << "--help does not mention " << topic;
  }
}

// With a valid handoff in the environment, so that a command line taken for a write would show.
class BadCommandLineTest : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(BadCommandLineTest, Exit64AndNothingWritten) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  WriteFile(path, "old-name", 0644);
  RuntimeRun run(IfaceWriteSpec(dir, Handoff("tun0", path), GetParam()));
  EXPECT_TRUE(EndsRefused(run, 64, kPrefix, {"--clear"}));
  EXPECT_EQ(ReadFile(path), "old-name");
}

INSTANTIATE_TEST_SUITE_P(UnknownOrExtraArguments, BadCommandLineTest,
                         ::testing::Values(std::vector<std::string>{"--bogus"}, std::vector<std::string>{"-h"},
                                           std::vector<std::string>{"clear"}, std::vector<std::string>{""},
                                           std::vector<std::string>{"--CLEAR"},
                                           std::vector<std::string>{"--clear", "--clear"},
                                           std::vector<std::string>{"--clear", "extra"},
                                           std::vector<std::string>{"--help", "--clear"}));

}  // namespace
}  // namespace phantun_test
