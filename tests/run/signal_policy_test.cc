#include "runtime/run/signal_policy.h"

#include <signal.h>

#include "gtest/gtest.h"

namespace phantun_runtime {
namespace {

constexpr pid_t kSelf = 1;
constexpr pid_t kOther = 4242;
constexpr pid_t kOtherNamespace = 0;  // a sender outside the runtime's PID namespace

TEST(IsForwardable, AllButChildKillAndStop) {
  int forwardable = 0;
  for (int signo = 1; signo <= kMaxSignal; ++signo) {
    if (IsForwardable(signo)) ++forwardable;
  }
  EXPECT_EQ(forwardable, kMaxSignal - 3);
  EXPECT_FALSE(IsForwardable(SIGCHLD));
  EXPECT_FALSE(IsForwardable(SIGKILL));
  EXPECT_FALSE(IsForwardable(SIGSTOP));
  EXPECT_FALSE(IsForwardable(0));
  EXPECT_FALSE(IsForwardable(kMaxSignal + 1));
  EXPECT_TRUE(IsForwardable(32));  // real-time signals the C library reserves are still forwarded
  EXPECT_TRUE(IsForwardable(kMaxSignal));
}

TEST(ClassifySignal, ChildSignalReapsWhoeverSentIt) {
  EXPECT_EQ(ClassifySignal(SIGCHLD, CLD_EXITED, kOther, kSelf), SignalAction::kReap);
  EXPECT_EQ(ClassifySignal(SIGCHLD, SI_USER, kOther, kSelf), SignalAction::kReap);
}

TEST(ClassifySignal, SignalsSentToTheRuntimeAreForwarded) {
  EXPECT_EQ(ClassifySignal(SIGTERM, SI_USER, kOtherNamespace, kSelf), SignalAction::kForward);
  EXPECT_EQ(ClassifySignal(SIGINT, SI_KERNEL, 0, kSelf), SignalAction::kForward);  // a terminal's ^C
  EXPECT_EQ(ClassifySignal(SIGRTMIN, SI_QUEUE, kOther, kSelf), SignalAction::kForward);
  EXPECT_EQ(ClassifySignal(SIGSEGV, SI_USER, kOther, kSelf), SignalAction::kForward);
  EXPECT_EQ(ClassifySignal(SIGPIPE, SI_USER, kOther, kSelf), SignalAction::kForward);
}

TEST(ClassifySignal, SignalsCausedByTheRuntimeItselfStayHere) {
  EXPECT_EQ(ClassifySignal(SIGPIPE, SI_USER, kSelf, kSelf), SignalAction::kIgnore);
  EXPECT_EQ(ClassifySignal(SIGXFSZ, SI_USER, kSelf, kSelf), SignalAction::kIgnore);
}

TEST(ClassifySignal, OtherSignalsTheProcessSentItselfAreStillForwarded) {
  // e.g. a launcher that did kill(getpid(), SIGTERM) just before exec'ing phantun-run
  EXPECT_EQ(ClassifySignal(SIGTERM, SI_USER, kSelf, kSelf), SignalAction::kForward);
  EXPECT_EQ(ClassifySignal(SIGUSR1, SI_USER, kSelf, kSelf), SignalAction::kForward);
}

TEST(ClassifySignal, UncatchableSignalsAreNeverForwarded) {
  EXPECT_EQ(ClassifySignal(SIGKILL, SI_USER, kOther, kSelf), SignalAction::kIgnore);
  EXPECT_EQ(ClassifySignal(SIGSTOP, SI_USER, kOther, kSelf), SignalAction::kIgnore);
}

}  // namespace
}  // namespace phantun_runtime
