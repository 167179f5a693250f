// The interface-name handoff of phantun-run, what is written and when it is refused before anything
// happens: with IFACE_NAME and IFACE_FILE both given, phantun finds exactly the name's bytes in the
// file when it starts (read by the fake itself) and gets no descriptor of it; neither given: no
// handoff; only one given, or a name Linux would refuse: exit 78, one line, nothing written or
// started. (Files that cannot be written: iface_handoff_file_test.cc; clearing afterwards:
// iface_handoff_clear_test.cc.)
#include <signal.h>
#include <sys/stat.h>

#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/iface_place.h"
#include "tests/integration/iface_refusal.h"
#include "tests/support/expectations.h"
#include "tests/support/files.h"
#include "tests/support/install_dir.h"
#include "tests/support/runtime_run.h"
#include "tests/support/special_files.h"
#include "tests/support/temp_dir.h"

namespace phantun_test {
namespace {

std::string NameEnv(const std::string& name) { return "IFACE_NAME=" + name; }
std::string FileEnv(const std::string& path) { return "IFACE_FILE=" + path; }
std::string ExitOn(int signo) { return "FAKE_EXIT_ON=" + std::to_string(signo); }

TEST(HandoffTest, PhantunFindsExactlyTheNameWhenItStartsAndTheFileHoldsItWhileItRuns) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", NameEnv("tun0"), FileEnv(path), ExitOn(SIGUSR1)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.iface, "tun0") << "errno " << record.iface_error;
  EXPECT_EQ(ReadFile(path), "tun0");  // and still, while phantun runs
  run.Signal(SIGUSR1);
  EXPECT_EQ(run.NextEvent(), "signal " + std::to_string(SIGUSR1));
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(run.err(), "");
}

// Contract point 2 again, for the one descriptor the runtime keeps open while phantun runs.
TEST(HandoffTest, PhantunGetsNoDescriptorOfTheFile) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", NameEnv("tun0"), FileEnv(path), ExitOn(SIGUSR1)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  std::set<int> fds;
  for (const auto& [fd, target] : record.fds) {
    fds.insert(fd);
    EXPECT_NE(target, path) << "descriptor " << fd << " leaked into phantun";
  }
  EXPECT_EQ(fds, (std::set<int>{0, 1, 2, RuntimeRun::kEventFd}));
  run.Signal(SIGUSR1);
  EXPECT_EQ(run.Finish(), Exited(0));
}

// An old, longer name must not leave its tail behind the new one.
TEST(HandoffTest, ReplacesLongerOldContentWhole) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  WriteFile(path, "a-much-longer-old-interface-name\nand a second line\n", 0644);
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", NameEnv("tun0"), FileEnv(path)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.iface, "tun0");
  EXPECT_EQ(run.Finish(), Exited(0));
}

// IFACE_FILE is usually a single file bind-mounted from the host: it must be written in place,
// the same inode with its own mode, never replaced by a new file.
TEST(HandoffTest, WritesAnExistingFileInPlace) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  WriteFile(path, "old", 0600);
  const ino_t inode = InodeOf(path);
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", NameEnv("tun0"), FileEnv(path), ExitOn(SIGUSR1)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.iface, "tun0");
  EXPECT_EQ(InodeOf(path), inode);
  EXPECT_EQ(ModeOf(path), 0600);
  run.Signal(SIGUSR1);
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(InodeOf(path), inode);
}

TEST(HandoffTest, CreatesAMissingFileWithMode0644WhateverTheUmask) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client", NameEnv("tun0"), FileEnv(path), ExitOn(SIGUSR1)});
  spec.umask = 077;
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.iface, "tun0");
  EXPECT_EQ(KindAt(path), "regular");
  EXPECT_EQ(ModeOf(path), 0644);
  run.Signal(SIGUSR1);
  EXPECT_EQ(run.Finish(), Exited(0));
}

// A relative IFACE_FILE is relative to the start directory, although the runtime moves to "/" once
// phantun runs: the file is still cleared afterwards, through the descriptor that wrote it.
TEST(HandoffTest, RelativePathIsTheStartDirectorys) {
  InstallDir dir;
  TempDir start;
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client", NameEnv("tun0"), FileEnv("iface"), ExitOn(SIGUSR1)});
  spec.cwd = start.path();
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.iface, "tun0");  // the fake reads it relative to the same start directory
  EXPECT_EQ(ReadFile(start.Join("iface")), "tun0");
  run.Signal(SIGUSR1);
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(ReadFile(start.Join("iface")), "");
  EXPECT_EQ(DirectoryEntries(start.path()), std::set<std::string>{"iface"});
}

// Names at the edges of what Linux accepts arrive byte for byte, with no newline added.
class ValidNameTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ValidNameTest, IsWrittenByteForByte) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=server", NameEnv(GetParam()), FileEnv(path)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.iface, GetParam());
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(run.err(), "");
}

INSTANTIATE_TEST_SUITE_P(EdgesOfTheRule, ValidNameTest,
                         ::testing::Values("x", "fifteen-bytes-x", "tun0", "...", "-", "a=b", "%s%n", "tun.0_a-b",
                                           "\xff\xfe", "caf\xc3\xa9", "\x01", "'\"\\"));

// Neither variable given, or both empty (how compose files "unset" them): phantun runs and nothing
// is written anywhere.
class NoHandoffTest : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(NoHandoffTest, RunsPhantunAndWritesNothing) {
  InstallDir dir;
  TempDir start;
  std::vector<std::string> env = {"MODE=client"};
  env.insert(env.end(), GetParam().begin(), GetParam().end());
  LaunchSpec spec = PhantunRunSpec(dir, env);
  spec.cwd = start.path();
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.iface, std::nullopt);  // the fake reads only a non-empty IFACE_FILE
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(run.err(), "");
  EXPECT_EQ(DirectoryEntries(start.path()), std::set<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(UnsetOrEmpty, NoHandoffTest,
                         ::testing::Values(std::vector<std::string>{},
                                           std::vector<std::string>{"IFACE_NAME=", "IFACE_FILE="}),
                         [](const ::testing::TestParamInfo<std::vector<std::string>>& info) {
                           return std::string(info.param.empty() ? "Unset" : "BothEmpty");
                         });

// A refused configuration: IFACE_NAME's value (nullopt: not set), IFACE_FILE (not set, empty or
// the file's path), and what the one stderr line must say.
enum class FileVar { kUnset, kEmpty, kPath };

struct BadConfig {
  std::string label;
  std::optional<std::string> name;
  FileVar file;
  std::vector<std::string> mentions;
};

// Each configuration, with the file already holding an old name and with no file there yet.
class BadConfigTest : public ::testing::TestWithParam<std::tuple<BadConfig, bool>> {};

TEST_P(BadConfigTest, Exits78WithOneLineAndNothingWrittenOrStarted) {
  const auto& [config, file_exists] = GetParam();
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  if (file_exists) WriteFile(path, "old-name", 0644);
  std::vector<std::string> env = {"MODE=client"};
  if (config.name) env.push_back(NameEnv(*config.name));
  if (config.file != FileVar::kUnset) env.push_back(FileEnv(config.file == FileVar::kPath ? path : ""));
  RuntimeRun run(PhantunRunSpec(dir, env));
  EXPECT_EQ(run.RemainingEvents(), std::vector<std::string>{}) << "phantun ran (or the runtime hung)";
  EXPECT_TRUE(EndsRefused(run, 78, "phantun-run: ", config.mentions));
  if (file_exists) {
    EXPECT_EQ(ReadFile(path), "old-name");
  } else {
    EXPECT_EQ(KindAt(path), "absent");
  }
  EXPECT_EQ(DirectoryEntries(state.path()), file_exists ? std::set<std::string>{"iface"} : std::set<std::string>{});
}

const std::vector<std::string> kOneSided = {"IFACE_NAME", "IFACE_FILE", "both"};
const std::vector<std::string> kTooLong = {"IFACE_NAME", "at most 15 bytes"};
const std::vector<std::string> kBadCharacter = {"IFACE_NAME", "'/', ':', white space or NUL"};
const std::vector<std::string> kDots = {"IFACE_NAME", "must not be \".\" or \"..\""};

INSTANTIATE_TEST_SUITE_P(
    OneSidedOrInvalidName, BadConfigTest,
    ::testing::Combine(::testing::Values(BadConfig{"OnlyName", "tun0", FileVar::kUnset, kOneSided},
                                         BadConfig{"OnlyFile", std::nullopt, FileVar::kPath, kOneSided},
                                         BadConfig{"EmptyNameCountsAsUnset", "", FileVar::kPath, kOneSided},
                                         BadConfig{"EmptyFileCountsAsUnset", "tun0", FileVar::kEmpty, kOneSided},
                                         BadConfig{"SixteenBytes", "sixteen-bytes-xx", FileVar::kPath, kTooLong},
                                         BadConfig{"HundredBytes", std::string(100, 'n'), FileVar::kPath, kTooLong},
                                         BadConfig{"Slash", "tun/0", FileVar::kPath, kBadCharacter},
                                         BadConfig{"OnlySlash", "/", FileVar::kPath, kBadCharacter},
                                         BadConfig{"Colon", "tun0:1", FileVar::kPath, kBadCharacter},
                                         BadConfig{"Space", "tun 0", FileVar::kPath, kBadCharacter},
                                         BadConfig{"OnlySpace", " ", FileVar::kPath, kBadCharacter},
                                         BadConfig{"Tab", "tun\t0", FileVar::kPath, kBadCharacter},
                                         BadConfig{"Newline", "tun0\n", FileVar::kPath, kBadCharacter},
                                         BadConfig{"VerticalTab", "\v", FileVar::kPath, kBadCharacter},
                                         BadConfig{"FormFeed", "a\fb", FileVar::kPath, kBadCharacter},
                                         BadConfig{"CarriageReturn", "tun0\r", FileVar::kPath, kBadCharacter},
                                         BadConfig{"Dot", ".", FileVar::kPath, kDots},
                                         BadConfig{"DotDot", "..", FileVar::kPath, kDots}),
                       ::testing::Bool()),
    [](const ::testing::TestParamInfo<std::tuple<BadConfig, bool>>& info) {
      return std::get<0>(info.param).label + (std::get<1>(info.param) ? "_FileExists" : "_NoFile");
    });

// MODE is checked first: a bad MODE wins over a bad handoff, and still nothing is written.
TEST(BadConfigOrderTest, BadModeAndBadNameGive64AndWriteNothing) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=nonsense", NameEnv("tun/0"), FileEnv(path)}));
  EXPECT_TRUE(EndsRefused(run, 64, "phantun-run: ", {"MODE"}));
  EXPECT_EQ(KindAt(path), "absent");
}

}  // namespace
}  // namespace phantun_test
