// Contract point 3: every signal sent to phantun-run reaches phantun, SIGCHLD excepted; a signal
// sent before phantun runs waits for it; phantun starts with the runtime's initial signal mask and
// dispositions.
#include <signal.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/install_dir.h"
#include "tests/support/raw_signals.h"
#include "tests/support/runtime_run.h"
#include "tests/support/signal_names.h"

namespace phantun_test {
namespace {

std::string SignalEvent(int signo) { return "signal " + std::to_string(signo); }

std::string ExitOn(int signo) { return "FAKE_EXIT_ON=" + std::to_string(signo); }

// Every signal but SIGKILL, SIGSTOP (uncatchable) and SIGCHLD (the runtime's own).
std::vector<int> ForwardableSignals() {
  std::vector<int> signals = {SIGHUP,  SIGINT,  SIGQUIT,   SIGILL,  SIGTRAP,  SIGABRT, SIGBUS,  SIGFPE,
                              SIGUSR1, SIGSEGV, SIGUSR2,   SIGPIPE, SIGALRM,  SIGTERM, SIGSTKFLT, SIGCONT,
                              SIGTSTP, SIGTTIN, SIGTTOU,   SIGURG,  SIGXCPU,  SIGXFSZ, SIGVTALRM, SIGPROF,
                              SIGWINCH, SIGIO,  SIGPWR,    SIGSYS};
  // The real-time signals by number: musl keeps 32-34 for itself, the kernel delivers them all.
  for (int signo = 32; signo <= kMaxSignal; ++signo) signals.push_back(signo);
  return signals;
}

class ForwardedSignalTest : public ::testing::TestWithParam<int> {};

TEST_P(ForwardedSignalTest, ReachesPhantun) {
  const int signo = GetParam();
  InstallDir dir;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", ExitOn(signo)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  run.Signal(signo);
  ASSERT_EQ(run.NextEvent(), SignalEvent(signo));
  EXPECT_EQ(run.NextEvent(), "exit 0");
  EXPECT_EQ(run.Finish(), Exited(0));
}

INSTANTIATE_TEST_SUITE_P(AllButSigchldKillStop, ForwardedSignalTest, ::testing::ValuesIn(ForwardableSignals()),
                         [](const ::testing::TestParamInfo<int>& info) { return SignalName(info.param); });

TEST(SignalTest, SigchldSentToTheRuntimeIsNotForwarded) {
  InstallDir dir;
  constexpr int kMarker = 40;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", ExitOn(kMarker)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  // SIGCHLD first, then a real-time marker. Pending signals are taken lowest number first, by the
  // runtime and by the fake alike, so a forwarded SIGCHLD would be reported before the marker.
  run.Signal(SIGCHLD);
  run.Signal(kMarker);
  ASSERT_EQ(run.NextEvent(), SignalEvent(kMarker));
  EXPECT_EQ(run.NextEvent(), "exit 0");
  EXPECT_EQ(run.Finish(), Exited(0));
}

// nohup and some supervisors start programs with SIGHUP ignored; it is still forwarded.
TEST(SignalTest, SignalIgnoredWhenTheRuntimeStartedIsStillForwarded) {
  InstallDir dir;
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client", ExitOn(SIGHUP)});
  spec.ignored = {SIGHUP};
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  run.Signal(SIGHUP);
  ASSERT_EQ(run.NextEvent(), SignalEvent(SIGHUP));
  EXPECT_EQ(run.Finish(), Exited(0));
}

// The runtime is started with SIGUSR1 blocked and already pending (pending signals survive
// execve), so the signal is there before the runtime runs a single instruction.
class EarlySignalTest : public ::testing::TestWithParam<bool> {};

TEST_P(EarlySignalTest, ReachesPhantunOnceItRuns) {
  InstallDir dir;
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client", ExitOn(SIGUSR1)});
  spec.pending_signal = SIGUSR1;
  spec.pending_via_kill = GetParam();
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.mask, SignalBit(SIGUSR1));  // the mask the runtime was started with
  ASSERT_EQ(run.NextEvent(), SignalEvent(SIGUSR1));
  EXPECT_EQ(run.NextEvent(), "exit 0");
  EXPECT_EQ(run.Finish(), Exited(0));
}

// raise() (tgkill, si_code SI_TKILL) and kill(getpid()) (SI_USER from the runtime's own pid: the
// process that sent it became the runtime through execve).
INSTANTIATE_TEST_SUITE_P(RaiseAndKill, EarlySignalTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "SentWithKill" : "SentWithRaise");
                         });

// So that a terminal's Ctrl-C or a kill aimed at the runtime's group reaches phantun once (through
// the runtime), not twice.
TEST(ProcessGroupTest, PhantunRunsInAProcessGroupOfItsOwn) {
  InstallDir dir;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", ExitOn(SIGUSR1)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.pgid, record.pid);
  EXPECT_NE(record.pgid, getpgid(run.pid()));  // the runtime waits for phantun: still there
  run.Signal(SIGUSR1);
  EXPECT_EQ(run.Finish(), Exited(0));
}

TEST(InheritedStateTest, PhantunStartsWithTheRuntimesMaskAndIgnoredSignals) {
  InstallDir dir;
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client", "FAKE_EXIT=7"});
  // 33 is one of musl's reserved signals, 38 is SIGRTMIN+3 by glibc's count.
  spec.mask = SignalBit(SIGUSR2) | SignalBit(33) | SignalBit(38);
  spec.ignored = {SIGHUP, SIGPIPE, SIGCHLD, 34};
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.mask, spec.mask) << std::hex << record.mask;
  EXPECT_EQ(record.ignored, (std::set<int>{SIGHUP, SIGPIPE, SIGCHLD, 34}));
  // With SIGCHLD ignored the kernel would auto-reap phantun: its status must still come through.
  EXPECT_EQ(run.Finish(), Exited(7));
}

TEST(InheritedStateTest, PhantunStartsWithNothingBlockedOrIgnoredWhenTheRuntimeDid) {
  InstallDir dir;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client"}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.mask, 0u) << std::hex << record.mask;
  EXPECT_EQ(record.ignored, std::set<int>{});
  EXPECT_EQ(run.Finish(), Exited(0));
}

TEST(InheritedStateTest, SigchldIgnoredAtStartStillGivesPhantunsSignalDeath) {
  InstallDir dir;
  LaunchSpec spec = PhantunRunSpec(dir, {"MODE=client", "FAKE_DEFAULT=15", "FAKE_EXIT_ON=never"});
  spec.ignored = {SIGCHLD};
  RuntimeRun run(spec);
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Finish(), Exited(128 + SIGTERM));
}

}  // namespace
}  // namespace phantun_test
