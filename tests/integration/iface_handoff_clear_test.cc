// The interface-name handoff of phantun-run after phantun: however phantun ends (exit 0 or not,
// killed, a forwarded SIGTERM, an exec failure), the file this run wrote is empty by the time the
// runtime's exit is seen. A failed clear gives one stderr line and exit 74 in place of phantun's 0.
// A file that replaced it at the same path is never touched.
//
// local (and root): the clear-failure cases set the append-only inode flag (CAP_LINUX_IMMUTABLE).
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/iface_place.h"
#include "tests/integration/iface_refusal.h"
#include "tests/support/files.h"
#include "tests/support/inode_flags.h"
#include "tests/support/install_dir.h"
#include "tests/support/runtime_run.h"
#include "tests/support/special_files.h"
#include "tests/support/temp_dir.h"

namespace phantun_test {
namespace {

std::string ExitOn(int signo) { return "FAKE_EXIT_ON=" + std::to_string(signo); }

// phantun-run publishing kIfaceName into `path`, with the fake driven by `fake_env`.
LaunchSpec HandoffSpec(const InstallDir& dir, const std::string& path, const std::vector<std::string>& fake_env) {
  std::vector<std::string> env = {"MODE=client", std::string("IFACE_NAME=") + kIfaceName, "IFACE_FILE=" + path};
  env.insert(env.end(), fake_env.begin(), fake_env.end());
  return PhantunRunSpec(dir, env);
}

// One way for phantun to end: how the fake is driven, what the test does once it runs, and the
// runtime's exit status that follows.
struct Ending {
  std::string name;
  std::vector<std::string> fake_env;
  std::function<void(RuntimeRun& run, const FakeRecord& record)> end;
  int status;
};

void NothingToDo(RuntimeRun&, const FakeRecord&) {}

std::vector<Ending> Endings() {
  return {
      {"ExitZero", {}, NothingToDo, 0},
      {"ExitNonZero", {"FAKE_EXIT=42"}, NothingToDo, 42},
      {"ExitAfterAForwardedSignal", {"FAKE_EXIT=3", ExitOn(SIGUSR1)},
       [](RuntimeRun& run, const FakeRecord&) { run.Signal(SIGUSR1); }, 3},
      {"CrashedWithSigsegv", {"FAKE_CRASH=segv"}, NothingToDo, 128 + SIGSEGV},
      {"SigkillToPhantun", {"FAKE_EXIT_ON=never"},
       [](RuntimeRun&, const FakeRecord& record) { kill(record.pid, SIGKILL); }, 128 + SIGKILL},
      // Upstream phantun installs no SIGTERM handler: the forwarded signal kills it.
      {"ForwardedSigtermKillsPhantun", {"FAKE_DEFAULT=15", "FAKE_EXIT_ON=never"},
       [](RuntimeRun& run, const FakeRecord&) { run.Signal(SIGTERM); }, 128 + SIGTERM},
      {"ForwardedSigtermPhantunExits0", {ExitOn(SIGTERM)},
       [](RuntimeRun& run, const FakeRecord&) { run.Signal(SIGTERM); }, 0},
  };
}

class ClearedAfterTest : public ::testing::TestWithParam<Ending> {};

TEST_P(ClearedAfterTest, FileIsEmptyOnceTheRuntimeHasExited) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  WriteFile(path, "old-name", 0600);
  const ino_t inode = InodeOf(path);
  RuntimeRun run(HandoffSpec(dir, path, GetParam().fake_env));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.iface, kIfaceName);
  GetParam().end(run, record);
  EXPECT_EQ(run.Finish(), Exited(GetParam().status));
  // Right after the exit was seen: the runtime cleared it before exiting, not some time later.
  EXPECT_EQ(ReadFile(path), "");
  EXPECT_EQ(InodeOf(path), inode);  // emptied in place, not replaced or removed
  EXPECT_EQ(ModeOf(path), 0600);
  EXPECT_EQ(run.err(), "");
}

INSTANTIATE_TEST_SUITE_P(EveryEnding, ClearedAfterTest, ::testing::ValuesIn(Endings()),
                         [](const ::testing::TestParamInfo<Ending>& info) { return info.param.name; });

// phantun_client replaced by something that cannot run: the name was written just before the
// attempt (the old content is gone) and cleared after it.
struct BrokenPhantun {
  std::string name;
  void (*prepare)(const std::string& client);
  int status;
};

void Remove(const std::string& client) { ASSERT_EQ(unlink(client.c_str()), 0); }
void NotExecutable(const std::string& client) { ASSERT_EQ(chmod(client.c_str(), 0644), 0); }

class ClearedAfterExecFailureTest : public ::testing::TestWithParam<BrokenPhantun> {};

TEST_P(ClearedAfterExecFailureTest, FileIsEmptyAndTheStatusIsTheExecFailures) {
  InstallDir dir;
  GetParam().prepare(dir.client());
  TempDir state;
  const std::string path = state.Join("iface");
  WriteFile(path, "old-name", 0644);
  RuntimeRun run(HandoffSpec(dir, path, {}));
  EXPECT_EQ(run.RemainingEvents(), std::vector<std::string>{});
  EXPECT_TRUE(EndsRefused(run, GetParam().status, "phantun-run: ", {dir.client()}));
  EXPECT_EQ(ReadFile(path), "");
}

INSTANTIATE_TEST_SUITE_P(MissingOrNotExecutable, ClearedAfterExecFailureTest,
                         ::testing::Values(BrokenPhantun{"Missing", Remove, 127},
                                           BrokenPhantun{"NotExecutable", NotExecutable, 126}),
                         [](const ::testing::TestParamInfo<BrokenPhantun>& info) { return info.param.name; });

// The clear fails (the file turned append-only while phantun ran, so ftruncate gets EPERM): one
// line naming the path, and phantun's status, or 74 in place of a 0.
struct FailedClear {
  std::string name;
  std::vector<std::string> fake_env;
  bool kill_phantun;  // SIGKILL to the fake; otherwise it exits at SIGUSR2 sent to the runtime
  int status;
};

class FailedClearTest : public ::testing::TestWithParam<FailedClear> {};

TEST_P(FailedClearTest, GivesOneLineAndPhantunsStatusOr74) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  std::vector<std::string> fake_env = GetParam().fake_env;
  fake_env.push_back(ExitOn(SIGUSR2));
  RuntimeRun run(HandoffSpec(dir, path, fake_env));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  AppendOnlyFlag append_only(path);  // set while phantun runs, after the runtime wrote the name
  ASSERT_TRUE(append_only.Set());
  if (GetParam().kill_phantun) {
    kill(record.pid, SIGKILL);
  } else {
    run.Signal(SIGUSR2);
  }
  EXPECT_TRUE(EndsRefused(run, GetParam().status, "phantun-run: ", {path, "cannot clear", "Operation not permitted"}));
  EXPECT_EQ(ReadFile(path), kIfaceName);  // not cleared, and not damaged either
}

INSTANTIATE_TEST_SUITE_P(EndingsWithAFailedClear, FailedClearTest,
                         ::testing::Values(FailedClear{"PhantunExited0", {}, false, 74},
                                           FailedClear{"PhantunExited42", {"FAKE_EXIT=42"}, false, 42},
                                           FailedClear{"PhantunKilled", {}, true, 128 + SIGKILL}),
                         [](const ::testing::TestParamInfo<FailedClear>& info) { return info.param.name; });

// Someone renamed a new file over IFACE_FILE while phantun ran: the runtime clears the file it
// wrote (through its descriptor), and the new one keeps its content.
TEST(NotItsFileTest, AFileRenamedOverThePathIsNotTouched) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  RuntimeRun run(HandoffSpec(dir, path, {ExitOn(SIGUSR1)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  const UniqueFd written(open(path.c_str(), O_RDONLY | O_CLOEXEC));  // the file the runtime wrote
  ASSERT_TRUE(written);
  WriteFile(state.Join("replacement"), "someone-else", 0644);
  ASSERT_EQ(rename(state.Join("replacement").c_str(), path.c_str()), 0);
  run.Signal(SIGUSR1);
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(run.err(), "");
  EXPECT_EQ(ReadFile(path), "someone-else");
  struct stat st;
  ASSERT_EQ(fstat(written.get(), &st), 0);
  EXPECT_EQ(st.st_size, 0) << "the file the runtime wrote was not cleared";
}

// Removed while phantun ran: nothing is created at the path afterwards.
TEST(NotItsFileTest, ARemovedFileIsNotRecreated) {
  InstallDir dir;
  TempDir state;
  const std::string path = state.Join("iface");
  RuntimeRun run(HandoffSpec(dir, path, {ExitOn(SIGUSR1)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  ASSERT_EQ(unlink(path.c_str()), 0);
  run.Signal(SIGUSR1);
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(run.err(), "");
  EXPECT_EQ(KindAt(path), "absent");
}

}  // namespace
}  // namespace phantun_test
