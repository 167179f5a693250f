// Contract point 4: the runtime as PID 1 of a PID namespace still forwards signals (the kernel
// drops unhandled signals for a PID 1, the signalfd must catch them), it reaps orphans as soon as
// they exit (as PID 1 and as a child subreaper), and phantun dies with it.
#include <signal.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/deadline.h"
#include "tests/support/expectations.h"
#include "tests/support/install_dir.h"
#include "tests/support/launcher.h"
#include "tests/support/proc_fs.h"
#include "tests/support/runtime_run.h"
#include "tests/support/signal_names.h"
#include "tests/support/unique_fd.h"

namespace phantun_test {
namespace {

constexpr int kOrphanCount = 100;
constexpr int kOrphanHoldFd = 4;

LaunchSpec AsPid1(LaunchSpec spec) {
  spec.new_pid_namespace = true;
  return spec;
}

TEST(Pid1Test, SigtermReachesPhantunWithoutAHandlerAndTheRuntimeExits143) {
  InstallDir dir;
  // Like upstream phantun: no SIGTERM handler, so the default action kills it.
  RuntimeRun run(AsPid1(PhantunRunSpec(dir, {"MODE=client", "FAKE_DEFAULT=15", "FAKE_EXIT_ON=never"})));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.ppid, 1) << "the runtime is not PID 1 of the fake's namespace";
  run.Signal(SIGTERM);  // from the parent namespace, to the runtime's pid there
  EXPECT_EQ(run.Finish(), Exited(128 + SIGTERM));
}

class Pid1ForwardingTest : public ::testing::TestWithParam<int> {};

TEST_P(Pid1ForwardingTest, SignalReachesPhantun) {
  const int signo = GetParam();
  InstallDir dir;
  RuntimeRun run(AsPid1(PhantunRunSpec(dir, {"MODE=client", "FAKE_EXIT_ON=" + std::to_string(signo)})));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  run.Signal(signo);
  ASSERT_EQ(run.NextEvent(), "signal " + std::to_string(signo));
  EXPECT_EQ(run.Finish(), Exited(0));
}

INSTANTIATE_TEST_SUITE_P(Common, Pid1ForwardingTest,
                         ::testing::Values(SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGWINCH, 32, 64),
                         [](const ::testing::TestParamInfo<int>& info) { return SignalName(info.param); });

// Outside a PID namespace the runtime asks to be a child subreaper. A seccomp profile that refuses
// the prctl must not stop phantun: one warning line, then phantun runs as usual.
TEST(SubreaperTest, RefusalIsReportedInOneLineAndPhantunStillRuns) {
  InstallDir dir;
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client", "FAKE_EXIT=7"});
  spec.refuse_subreaper = true;
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(run.Finish(), Exited(7));
  EXPECT_TRUE(IsOneLineStartingWith(run.err(), "phantun-run: warning: cannot become a child subreaper"));
  EXPECT_NE(run.err().find("Operation not permitted"), std::string::npos) << run.err();
}

TEST(Pid1Test, ExitStatusIsPhantuns) {
  InstallDir dir;
  RuntimeRun run(AsPid1(PhantunRunSpec(dir, {"MODE=server", "FAKE_EXIT=42"})));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(run.Finish(), Exited(42));
}

// Starts phantun with 100 orphaned grandchildren that block on `hold`, checks they were re-parented
// to the runtime, releases them all at once and expects every one to be reaped while phantun
// still runs.
void ExpectOrphansReapedPromptly(bool as_pid1) {
  InstallDir dir;
  Pipe hold = MakePipe();
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client", "FAKE_ORPHANS=" + std::to_string(kOrphanCount),
                                         "FAKE_ORPHAN_FD=" + std::to_string(kOrphanHoldFd),
                                         "FAKE_EXIT_ON=" + std::to_string(SIGUSR2)});
  spec.fds[kOrphanHoldFd] = hold.read.get();
  spec.new_pid_namespace = as_pid1;
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  ASSERT_EQ(record.orphans.size(), static_cast<size_t>(kOrphanCount));
  if (!as_pid1) {
    // The record's pids are the test's own here: each orphan's parent must be the runtime.
    for (pid_t orphan : record.orphans) EXPECT_EQ(ParentOf(orphan), run.pid()) << "orphan " << orphan;
  }
  // phantun and the orphans, all children of the runtime now.
  EXPECT_EQ(ChildrenOf(run.pid()).size(), static_cast<size_t>(kOrphanCount + 1));

  hold.write.Reset();  // end of file for all of them at once: they exit together
  const bool reaped = PollUntil([&] { return ChildrenOf(run.pid()).size() == 1; }, Deadline::Guard());
  EXPECT_TRUE(reaped) << ChildrenOf(run.pid()).size() - 1 << " orphans left (zombies or still running)";
  if (!as_pid1) {
    for (pid_t orphan : record.orphans) EXPECT_FALSE(ProcessExists(orphan)) << "orphan " << orphan;
  }
  EXPECT_TRUE(run.process().Running()) << "phantun must still run while orphans are reaped";

  run.Signal(SIGUSR2);
  EXPECT_EQ(run.NextEvent(), "signal " + std::to_string(SIGUSR2));
  EXPECT_EQ(run.Finish(), Exited(0));
}

TEST(ReapingTest, OrphansAreReapedPromptlyByTheSubreaper) { ExpectOrphansReapedPromptly(/*as_pid1=*/false); }

TEST(ReapingTest, OrphansAreReapedPromptlyByPid1) { ExpectOrphansReapedPromptly(/*as_pid1=*/true); }

TEST(ParentDeathTest, PhantunGetsSigtermWhenTheRuntimeIsKilled) {
  InstallDir dir;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", "FAKE_EXIT_ON=" + std::to_string(SIGTERM)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  run.Signal(SIGKILL);
  const std::string event = run.NextEvent();
  EXPECT_EQ(event, "signal " + std::to_string(SIGTERM));
  if (event == "signal " + std::to_string(SIGTERM)) {
    EXPECT_EQ(run.NextEvent(), "exit 0");
    // phantun is the test's child now (the test is a child subreaper, see launcher.cc): reap it.
    EXPECT_TRUE(ReapWhenGone(record.pid, Deadline::Guard())) << "phantun outlived the runtime";
  } else {
    kill(record.pid, SIGKILL);  // end the failed test now; ~RuntimeRun reaps it
  }
  EXPECT_EQ(run.Finish(), KilledBy(SIGKILL));
}

}  // namespace
}  // namespace phantun_test
