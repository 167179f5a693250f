#include "runtime/run/supervisor.h"

#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/exit_codes.h"
#include "runtime/run/signal_policy.h"

namespace phantun_runtime {
namespace {

// Collects every child that has exited. SIGCHLD does not queue (a hundred orphans exiting together
// may raise it once), so each notification drains all of them. Returns true once `child` is among
// them, with its status in *child_status.
bool ReapExited(pid_t child, int* child_status) {
  bool child_exited = false;
  for (;;) {
    int status;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return child_exited;  // 0: others still running; ECHILD: none left
    if (pid == child) {
      *child_status = status;
      child_exited = true;
    }
  }
}

}  // namespace

int SuperviseUntilExit(int signal_fd, pid_t child) {
  const pid_t self = getpid();
  // A child that exited before the first read still left its SIGCHLD pending in the signalfd.
  for (;;) {
    signalfd_siginfo batch[16];
    const ssize_t n = read(signal_fd, batch, sizeof batch);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Cannot happen for a valid signalfd; fall back to waiting for the child directly, so the
      // runtime still returns phantun's status (signals are then no longer forwarded).
      int status;
      while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) return kExitSoftware << 8;  // a wait status meaning "exited with 70"
      }
      return status;
    }
    int status = 0;
    bool exited = false;
    for (size_t i = 0; i < static_cast<size_t>(n) / sizeof batch[0]; ++i) {
      const signalfd_siginfo& info = batch[i];
      const int signo = static_cast<int>(info.ssi_signo);
      switch (ClassifySignal(signo, info.ssi_code, static_cast<pid_t>(info.ssi_pid), self)) {
        case SignalAction::kReap:
          exited = ReapExited(child, &status) || exited;
          break;
        case SignalAction::kForward:
          // The child is not reaped yet (a zombie keeps its pid), so this cannot hit a reused pid.
          if (!exited) kill(child, signo);
          break;
        case SignalAction::kIgnore:
          break;
      }
    }
    if (exited) return status;
  }
}

}  // namespace phantun_runtime
