#include "runtime/run/supervisor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/exit_codes.h"
#include "runtime/run/signal_policy.h"
#include "runtime/run/terminal.h"

namespace phantun_runtime {
namespace {

// How long phantun runs before the runtime calls `settled`: far longer than a failed start takes,
// so that a phantun that exits at once (a usage error, a missing TUN) never pays for it.
constexpr int kSettleMs = 100;

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

// Whether phantun has run until `deadline` with nothing for the runtime to do: waits on the
// signalfd until then. True when the time is up and nothing came; false as soon as a signal is
// there to read (or poll fails, which leaves the blocking read to the caller).
bool WaitSettled(int signal_fd, const timespec& deadline) {
  for (;;) {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long long left_ms =
        (deadline.tv_sec - now.tv_sec) * 1000LL + (deadline.tv_nsec - now.tv_nsec) / 1000000LL;
    if (left_ms <= 0) return true;
    pollfd ready{signal_fd, POLLIN, 0};
    const int n = poll(&ready, 1, static_cast<int>(left_ms));
    if (n == 0) return true;
    if (n > 0 || errno != EINTR) return false;
  }
}

}  // namespace

Status BecomeChildSubreaper() {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) == 0) return Status();
  return SystemError("cannot become a child subreaper", errno);
}

int SuperviseUntilExit(int signal_fd, pid_t child, bool job_control, void (*settled)()) {
  const pid_t self = getpid();
  timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += kSettleMs / 1000;
  deadline.tv_nsec += (kSettleMs % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1000000000L;
  }
  // A child that exited before the first read still left its SIGCHLD pending in the signalfd.
  for (;;) {
    if (settled != nullptr && WaitSettled(signal_fd, deadline)) {
      settled();
      settled = nullptr;
    }
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
