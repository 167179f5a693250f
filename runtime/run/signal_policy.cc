#include "runtime/run/signal_policy.h"

#include <signal.h>

namespace phantun_runtime {

bool IsForwardable(int signo) {
  return signo >= 1 && signo <= kMaxSignal && signo != SIGCHLD && signo != SIGKILL && signo != SIGSTOP;
}

SignalAction ClassifySignal(int signo, int code, pid_t sender, pid_t self) {
  if (signo == SIGCHLD) return SignalAction::kReap;
  if (!IsForwardable(signo)) return SignalAction::kIgnore;
  // Only the signals the kernel raises for the runtime's own writes; anything else the runtime's
  // process was sent (even by itself, before it exec'd into phantun-run) is for phantun.
  if ((signo == SIGPIPE || signo == SIGXFSZ) && code == SI_USER && sender == self) return SignalAction::kIgnore;
  return SignalAction::kForward;
}

}  // namespace phantun_runtime
