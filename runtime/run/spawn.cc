#include "runtime/run/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace phantun_runtime {
namespace {

// The child's exit status when it gives up before execve; the parent learns why from the pipe.
constexpr int kChildFailed = 127;

// Runs in the child between fork and execve: only async-signal-safe calls. On any failure the
// errno goes up the status pipe and the child exits; the parent reports it.
[[noreturn]] void ExecChild(const SpawnRequest& request, pid_t parent, int status_fd) {
  // Own process group: a terminal's Ctrl-C or a `kill -- -PGID` aimed at the runtime then reaches
  // phantun once (forwarded), not twice.
  setpgid(0, 0);
  if (request.take_terminal) tcsetpgrp(STDIN_FILENO, getpid());  // SIGTTOU is still blocked here.
  // phantun must never outlive the runtime, even when the runtime is SIGKILLed.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(kChildFailed);
  if (request.sigchld_was_ignored) signal(SIGCHLD, SIG_IGN);
  int error = 0;
  if (!SetSignalMask(request.mask)) {
    error = errno;
  } else {
    execve(request.path, request.argv, request.envp);
    error = errno;
  }
  while (write(status_fd, &error, sizeof error) < 0 && errno == EINTR) {
  }
  _exit(kChildFailed);
}

}  // namespace

SpawnResult Spawn(const SpawnRequest& request) {
  SpawnResult result;
  int status_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) != 0) {
    result.fork_error = errno;
    return result;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    result.fork_error = errno;
    close(status_pipe[0]);
    close(status_pipe[1]);
    return result;
  }
  if (pid == 0) {
    close(status_pipe[0]);
    ExecChild(request, parent, status_pipe[1]);
  }
  close(status_pipe[1]);
  // End of file means execve succeeded (the close-on-exec write end vanished with the old image)
  // or the child died before it; either way the loop that follows sees the child's fate.
  int error = 0;
  ssize_t n;
  do {
    n = read(status_pipe[0], &error, sizeof error);
  } while (n < 0 && errno == EINTR);
  close(status_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof error)) {
    result.exec_error = error;
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return result;
  }
  result.pid = pid;
  return result;
}

}  // namespace phantun_runtime
