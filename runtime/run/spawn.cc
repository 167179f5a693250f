#include "runtime/run/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "runtime/run/exec_failure.h"

namespace phantun_runtime {
namespace {

// The child's exit status when it gives up before execve; the parent learns why from the pipe.
constexpr int kChildFailed = 127;

// What the child sends up the status pipe when it gives up: which step failed and its errno.
struct ChildFailure {
  bool in_directory;  // returning to the start directory, rather than execve
  int error;
};

// Runs in the child between fork and execve: only async-signal-safe calls. On any failure the
// errno goes up the status pipe and the child exits; the parent reports it.
[[noreturn]] void ExecChild(const SpawnRequest& request, pid_t parent, int start_directory, int status_fd) {
  // Own process group: a terminal's Ctrl-C or a `kill -- -PGID` aimed at the runtime then reaches
  // phantun once (forwarded), not twice.
  setpgid(0, 0);
  if (request.take_terminal) tcsetpgrp(STDIN_FILENO, getpid());  // SIGTTOU is still blocked here.
  // phantun must never outlive the runtime, even when the runtime is SIGKILLed.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(kChildFailed);
  if (request.sigchld_was_ignored) signal(SIGCHLD, SIG_IGN);
  ChildFailure failure{false, 0};
  if (start_directory >= 0 && fchdir(start_directory) != 0) {
    failure = {true, errno};
  } else if (!SetSignalMask(request.mask)) {
    failure.error = errno;
  } else {
    execve(request.path, request.argv, request.envp);
    failure.error = errno;
  }
  while (write(status_fd, &failure, sizeof failure) < 0 && errno == EINTR) {
  }
  _exit(kChildFailed);
}

// The pipe, the fork or the child's setup failed: the system is short of something, the program
// itself was never tried.
Status CannotStart(const char* path, std::string_view where, int error) {
  return Status(Status::Code::kUnavailable,
                absl::StrCat("cannot start ", absl::CHexEscape(path), where, ": ", strerror(error)), error);
}

}  // namespace

StatusOr<pid_t> Spawn(const SpawnRequest& request) {
  int status_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) != 0) return CannotStart(request.path, "", errno);
  // Leave the start directory before the fork, keeping a way back for the child only. Should "."
  // not open (it always does for O_PATH, short of running out of descriptors), both stay there.
  const int start_directory = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (start_directory >= 0 && chdir("/") != 0) {
    // Harmless: the runtime then keeps its start directory in use, nothing more.
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(status_pipe[0]);
    close(status_pipe[1]);
    if (start_directory >= 0) close(start_directory);
    return CannotStart(request.path, "", error);
  }
  if (pid == 0) {
    close(status_pipe[0]);
    ExecChild(request, parent, start_directory, status_pipe[1]);
  }
  close(status_pipe[1]);
  if (start_directory >= 0) close(start_directory);
  // End of file means execve succeeded (the close-on-exec write end vanished with the old image)
  // or the child died before it; either way the loop that follows sees the child's fate.
  ChildFailure failure;
  ssize_t n;
  do {
    n = read(status_pipe[0], &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  close(status_pipe[0]);
  if (n != static_cast<ssize_t>(sizeof failure)) return pid;
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (failure.in_directory) return CannotStart(request.path, " in the start directory", failure.error);
  return ExplainExecFailure(request.path, failure.error);
}

}  // namespace phantun_runtime
