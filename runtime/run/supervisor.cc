#include "runtime/run/supervisor.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/exit_codes.h"
#include "runtime/run/signal_policy.h"
#include "runtime/run/terminal.h"

namespace phantun_runtime {
namespace {

struct ChildChange {
  bool exited = false;   // its wait status is in *child_status
  bool stopped = false;  // only reported under job control
};

// Collects every child that has exited. SIGCHLD does not queue (a hundred orphans exiting together
// may raise it once, and a stop report can hide behind an exit), so each notification drains all of
// them, and asks for stops too under job control: waitpid reports each stop once.
ChildChange Reap(pid_t child, bool job_control, int* child_status) {
  ChildChange change;
  const int options = WNOHANG | (job_control ? WUNTRACED : 0);
  for (;;) {
    int status;
    const pid_t pid = waitpid(-1, &status, options);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return change;  // 0: others still running; ECHILD: none left
    if (pid != child) continue;   // an orphan: reaped, or stopped and none of the runtime's concern
    if (WIFSTOPPED(status)) {
      change.stopped = true;
    } else {
      *child_status = status;
      change.exited = true;
    }
  }
}

}  // namespace

Status BecomeChildSubreaper() {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) == 0) return Status();
  return SystemError("cannot become a child subreaper", errno);
}

int SuperviseUntilExit(int signal_fd, pid_t child, bool job_control) {
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
    bool stopped = false;
    for (size_t i = 0; i < static_cast<size_t>(n) / sizeof batch[0]; ++i) {
      const signalfd_siginfo& info = batch[i];
      const int signo = static_cast<int>(info.ssi_signo);
      switch (ClassifySignal(signo, info.ssi_code, static_cast<pid_t>(info.ssi_pid), self)) {
        case SignalAction::kReap: {
          const ChildChange change = Reap(child, job_control, &status);
          exited = exited || change.exited;
          stopped = stopped || change.stopped;
          break;
        }
        case SignalAction::kForward:
          // The child is not reaped yet (a zombie keeps its pid), so this cannot hit a reused pid.
          if (!exited) kill(child, signo);
          break;
        case SignalAction::kIgnore:
          break;
      }
    }
    if (exited) return status;
    if (stopped) StopWithChild(child);
  }
}

}  // namespace phantun_runtime
