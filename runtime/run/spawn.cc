#include "runtime/run/spawn.h"

#include <errno.h>
#include <sched.h>
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

// The child's stack: it runs on the caller's memory (CLONE_VM) while the caller is suspended
// (CLONE_VFORK), on a stack of its own inside the caller's frame, and makes a handful of system
// calls through libc, none of which needs much.
constexpr size_t kChildStackSize = 16 * 1024;

// What the child sends up the status pipe when it gives up: which step failed and its errno.
struct ChildFailure {
  bool in_directory;  // returning to the start directory, rather than execve
  int error;
};

struct ChildStart {
  const SpawnRequest* request;
  pid_t parent;
  int start_directory;
  int status_fd;
};

// Runs in the child between clone and execve, on the caller's memory: only async-signal-safe
// calls, no allocation, nothing of the caller's written (errno aside, which the suspended caller
// does not read). On any failure the errno goes up the status pipe and the child exits; the parent
// reports it. The pipe, not the shared memory, carries it: under qemu-user, which runs a
// CLONE_VFORK child as a forked copy, only the pipe reaches the parent.
int ExecChild(void* argument) {
  const ChildStart& start = *static_cast<const ChildStart*>(argument);
  const SpawnRequest& request = *start.request;
  // Own process group: a terminal's Ctrl-C or a `kill -- -PGID` aimed at the runtime then reaches
  // phantun once (forwarded), not twice.
  setpgid(0, 0);
  if (request.take_terminal) tcsetpgrp(STDIN_FILENO, getpid());  // SIGTTOU is still blocked here.
  // phantun must never outlive the runtime, even when the runtime is SIGKILLed.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != start.parent) _exit(kChildFailed);
  if (request.sigchld_was_ignored) signal(SIGCHLD, SIG_IGN);
  ChildFailure failure{false, 0};
  if (start.start_directory >= 0 && fchdir(start.start_directory) != 0) {
    failure = {true, errno};
  } else if (!SetSignalMask(request.mask)) {
    failure.error = errno;
  } else {
    execve(request.path, request.argv, request.envp);
    failure.error = errno;
  }
  while (write(start.status_fd, &failure, sizeof failure) < 0 && errno == EINTR) {
  }
  _exit(kChildFailed);
}

// The pipe, the clone or the child's setup failed: the system is short of something, the program
// itself was never tried.
Status CannotStart(const char* path, std::string_view where, int error) {
  return Status(Status::Code::kUnavailable,
                absl::StrCat("cannot start ", absl::CHexEscape(path), where, ": ", strerror(error)), error);
}

}  // namespace

StatusOr<pid_t> Spawn(const SpawnRequest& request) {
  int status_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) != 0) return CannotStart(request.path, "", errno);
  // Leave the start directory before the clone, keeping a way back for the child only. Should "."
  // not open (it always does for O_PATH, short of running out of descriptors), both stay there.
  const int start_directory = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (start_directory >= 0 && chdir("/") != 0) {
    // Harmless: the runtime then keeps its start directory in use, nothing more.
  }
  const ChildStart start{&request, getpid(), start_directory, status_pipe[1]};
  // CLONE_VM | CLONE_VFORK, as posix_spawn does: no copy of the runtime's page tables and no
  // copy-on-write faults after it (about 50 us of a 350 us launch); the child has its own
  // descriptors and working directory (no CLONE_FILES, no CLONE_FS). SIGCHLD: it is waited for like
  // any child.
  alignas(16) char stack[kChildStackSize];
  const pid_t pid = clone(ExecChild, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD,
                          const_cast<ChildStart*>(&start));
  const int clone_error = errno;
  close(status_pipe[1]);
  if (start_directory >= 0) close(start_directory);
  if (pid < 0) {
    close(status_pipe[0]);
    return CannotStart(request.path, "", clone_error);
  }
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
