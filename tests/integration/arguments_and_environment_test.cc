// Contract point 2: phantun gets every argument byte for byte, the environment unchanged, the
// runtime's stdin/stdout/stderr and exactly the descriptors the runtime was given; the runtime
// itself keeps no directory busy while phantun runs.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/deadline.h"
#include "tests/support/fake_record.h"
#include "tests/support/install_dir.h"
#include "tests/support/line_reader.h"
#include "tests/support/proc_fs.h"
#include "tests/support/runtime_run.h"
#include "tests/support/temp_dir.h"

namespace phantun_test {
namespace {

std::vector<std::string> Prepend(const std::string& first, const std::vector<std::string>& rest) {
  std::vector<std::string> all = {first};
  all.insert(all.end(), rest.begin(), rest.end());
  return all;
}

std::set<int> KeysOf(const std::map<int, std::string>& fds) {
  std::set<int> keys;
  for (const auto& [fd, target] : fds) keys.insert(fd);
  return keys;
}

// What /proc shows as the target of the test's own descriptor `fd` ("pipe:[1234]", a path).
std::string OwnFdTarget(int fd) { return LinkTarget("/proc/self/fd/" + std::to_string(fd)); }

// Runs phantun-run with `args` and returns the argv phantun received (empty if it did not run).
std::vector<std::string> ArgvSeenByPhantun(const std::vector<std::string>& args, std::string* out = nullptr) {
  InstallDir dir;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client"}, args));
  FakeRecord record;
  EXPECT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(run.Finish(), Exited(0));
  if (out != nullptr) *out = run.out();
  return record.argv;
}

TEST(ArgumentsTest, ReachPhantunByteForByteAndInOrder) {
  const std::vector<std::string> args = {
      "", " ", "two words", "line\nbreak", "\"double\"", "'single'", "back\\slash", "--help", "-h", "--",
      "-", "$HOME", "*", "\xff\xfe", "\x01", "\t", "caf\xc3\xa9", "--mode=client", "", "-4"};
  EXPECT_EQ(ArgvSeenByPhantun(args), Prepend("phantun_client", args));
}

// Options of the multicall binary and the usual help options all belong to phantun here.
class OptionLikeArgumentTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OptionLikeArgumentTest, GoesToPhantunAndTheRuntimePrintsNothing) {
  std::string out;
  EXPECT_EQ(ArgvSeenByPhantun({GetParam()}, &out), Prepend("phantun_client", {GetParam()}));
  EXPECT_EQ(out, "");
}

INSTANTIATE_TEST_SUITE_P(HelpVersionAndMulticallOptions, OptionLikeArgumentTest,
                         ::testing::Values("--help", "-h", "--", "--version", "--list", "--install"));

TEST(ArgumentsTest, FiveThousandArgumentsArriveInOrder) {
  std::vector<std::string> args;
  for (int i = 0; i < 5000; ++i) args.push_back("argument-" + std::to_string(i));
  EXPECT_EQ(ArgvSeenByPhantun(args), Prepend("phantun_client", args));
}

TEST(ArgumentsTest, LongArgumentsArriveWhole) {
  // 131071 bytes is the longest single argument execve(2) accepts (MAX_ARG_STRLEN with its NUL).
  std::string longest(131071, '\0');
  for (size_t i = 0; i < longest.size(); ++i) longest[i] = static_cast<char>('a' + i % 26);
  const std::vector<std::string> args = {longest, std::string(65536, 'x'), "short"};
  EXPECT_EQ(ArgvSeenByPhantun(args), Prepend("phantun_client", args));
}

// However the runtime was invoked, phantun's argv[0] is its own name.
TEST(ArgumentsTest, ArgvZeroIsThePhantunProgramsNameForEveryWayOfCallingTheRuntime) {
  InstallDir dir;
  for (const std::string& argv0 : {dir.run_link(), std::string("phantun-run"), std::string("./phantun-run")}) {
    for (const std::string mode : {"client", "server"}) {
      LaunchSpec spec = PhantunRunSpec(dir, {"MODE=" + mode}, {"first"});
      spec.argv[0] = argv0;
      spec.cwd = dir.path();
      RuntimeRun run(spec);
      FakeRecord record;
      ASSERT_TRUE(run.AwaitReady(&record)) << argv0;
      EXPECT_EQ(record.argv, (std::vector<std::string>{"phantun_" + mode, "first"})) << argv0;
      EXPECT_EQ(run.Finish(), Exited(0));
    }
  }
}

TEST(EnvironmentTest, IsPassedUnchangedEntryForEntry) {
  InstallDir dir;
  const std::vector<std::string> env = {
      "MODE=client",  "PATH=/usr/bin:/bin", "EQUALS=a=b==c",    "NEWLINE=first\nsecond", "EMPTY=",
      "=no name",     "NO_EQUALS_SIGN",     "BYTES=\xff\xfe\x01", "DUP=first",           "DUP=second",
      "SPACE = x",    "LONG=" + std::string(10000, 'v')};
  RuntimeRun run(PhantunRunSpec(dir, env));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.env, run.spec().env);  // the list above plus FAKE_EVENT_FD, in order
  EXPECT_EQ(run.Finish(), Exited(0));
}

TEST(StdioTest, PhantunInheritsTheRuntimesStdinStdoutAndStderr) {
  InstallDir dir;
  Pipe in = MakePipe();
  Pipe out = MakePipe();
  Pipe err = MakePipe();
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client", "FAKE_STDOUT=to stdout\n", "FAKE_STDERR=to stderr\n"});
  spec.fds = {{0, in.read.get()}, {1, out.write.get()}, {2, err.write.get()}};
  RuntimeRun run(spec);
  // Only the runtime and phantun may hold the write ends now, so that end of file comes with them.
  out.write.Reset();
  err.write.Reset();
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.fds[0], OwnFdTarget(in.write.get()));
  EXPECT_EQ(record.fds[1], OwnFdTarget(out.read.get()));
  EXPECT_EQ(record.fds[2], OwnFdTarget(err.read.get()));
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(ReadUntilEnd(out.read.get(), Deadline::Guard()), "to stdout\n");
  EXPECT_EQ(ReadUntilEnd(err.read.get(), Deadline::Guard()), "to stderr\n");
}

TEST(DescriptorTest, PhantunGetsExactlyTheDescriptorsTheRuntimeWasGiven) {
  InstallDir dir;
  Pipe extra = MakePipe();
  UniqueFd null = OpenDevNull(O_RDWR);
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client"});
  spec.fds[5] = extra.write.get();
  spec.fds[9] = null.get();
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(KeysOf(record.fds), (std::set<int>{0, 1, 2, RuntimeRun::kEventFd, 5, 9}));
  EXPECT_EQ(record.fds[5], OwnFdTarget(extra.write.get()));
  EXPECT_EQ(record.fds[9], "/dev/null");
  EXPECT_EQ(run.Finish(), Exited(0));
}

// Started with 0, 1 and 2 closed, the runtime must not let IFACE_FILE (or anything else it opens)
// take one of those numbers, where its error messages or phantun's output would land in the file:
// each closed one is opened on /dev/null first, and phantun inherits those.
TEST(DescriptorTest, ClosedStandardDescriptorsBecomeDevNullBeforeAnythingIsOpened) {
  InstallDir dir;
  TempDir state;
  LaunchSpec spec = PhantunRunSpec(
      dir, {"MODE=client", "IFACE_NAME=tun-test", "IFACE_FILE=" + state.Join("iface"),
            "FAKE_EVENT_FD=" + std::to_string(RuntimeRun::kEventFd), "FAKE_STDERR=to stderr\n"});
  Pipe events = MakePipe();
  spec.fds = {{RuntimeRun::kEventFd, events.write.get()}};  // nothing on 0, 1 or 2
  Process process = Launch(spec);
  events.write.Reset();
  LineReader reader(std::move(events.read));
  FakeRecord record;
  std::string error;
  ASSERT_TRUE(ReadFakeRecord(reader, Deadline::Guard(), &record, &error)) << error;
  EXPECT_EQ(KeysOf(record.fds), (std::set<int>{0, 1, 2, RuntimeRun::kEventFd}));
  EXPECT_EQ(record.fds[0], "/dev/null");
  EXPECT_EQ(record.fds[1], "/dev/null");
  EXPECT_EQ(record.fds[2], "/dev/null");
  EXPECT_EQ(record.iface, "tun-test");
  const std::optional<int> status = process.Wait(Deadline::Guard());
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(DescribeWaitStatus(*status), Exited(0));
}

// With IFACE_NAME/IFACE_FILE the runtime keeps the interface file open while phantun runs: that
// descriptor must not reach phantun either.
TEST(DescriptorTest, NoneLeaksWhenTheRuntimeHoldsTheInterfaceFile) {
  InstallDir dir;
  TempDir state;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", "IFACE_NAME=tun-test", "IFACE_FILE=" + state.Join("iface")}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(KeysOf(record.fds), (std::set<int>{0, 1, 2, RuntimeRun::kEventFd}));
  EXPECT_EQ(run.Finish(), Exited(0));
}

TEST(WorkingDirectoryTest, RuntimeKeepsNoDirectoryBusyWhilePhantunRuns) {
  InstallDir dir;
  TempDir start;
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client", "FAKE_EXIT_ON=" + std::to_string(SIGUSR2)});
  spec.cwd = start.path();
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.cwd, start.path());  // phantun itself starts where the runtime was started
  // A forwarded signal proves the runtime has finished starting phantun and is in its supervising
  // loop: from then on it holds no directory, not even the start directory's O_PATH descriptor it
  // keeps for the child between fork and exec.
  run.Signal(SIGUSR1);
  ASSERT_EQ(run.NextEvent(), "signal " + std::to_string(SIGUSR1));
  const std::string runtime_proc = "/proc/" + std::to_string(run.pid());
  EXPECT_EQ(LinkTarget(runtime_proc + "/cwd"), "/");
  for (const auto& [fd, target] : OpenFdsOf(run.pid())) {
    struct stat st;
    ASSERT_EQ(stat((runtime_proc + "/fd/" + std::to_string(fd)).c_str(), &st), 0) << fd;
    EXPECT_FALSE(S_ISDIR(st.st_mode)) << "the runtime holds directory " << target << " as descriptor " << fd;
  }
  run.Signal(SIGUSR2);
  EXPECT_EQ(run.NextEvent(), "signal " + std::to_string(SIGUSR2));
  EXPECT_EQ(run.Finish(), Exited(0));
}

// The runtime is in "/" from phantun's first instruction on, not only once it has noticed the exec:
// the fake reads its parent's working directory before doing anything else, over many launches
// (one launch races the runtime's reading of the exec report, so a late chdir shows in some).
TEST(WorkingDirectoryTest, RuntimeIsInTheRootFromPhantunsFirstInstruction) {
  InstallDir dir;
  TempDir start;
  constexpr int kLaunches = 300;
  int late = 0;
  for (int i = 0; i < kLaunches; ++i) {
    LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client"});
    spec.cwd = start.path();
    RuntimeRun run(spec);
    FakeRecord record;
    ASSERT_TRUE(run.AwaitReady(&record));
    ASSERT_EQ(record.cwd, start.path());  // phantun itself starts where the runtime was started
    if (record.parent_cwd != "/") ++late;
    ASSERT_EQ(run.Finish(), Exited(0));
  }
  EXPECT_EQ(late, 0) << "launches in which phantun saw the runtime still in " << start.path();
}

}  // namespace
}  // namespace phantun_test
