#ifndef PHANTUN_RUNTIME_RUN_SPAWN_H_
#define PHANTUN_RUNTIME_RUN_SPAWN_H_

#include <sys/types.h>

#include "runtime/run/signal_mask.h"
#include "runtime/status.h"

namespace phantun_runtime {

struct SpawnRequest {
  const char* path;          // absolute path of the program
  char* const* argv;         // argv[0] is the program's own name
  char* const* envp;         // passed unchanged
  KernelSignalMask mask;     // the mask the runtime was started with, restored in the child
  bool sigchld_was_ignored;  // restore SIG_IGN for SIGCHLD in the child
  bool take_terminal;        // make the child's process group the terminal's foreground group
};

// Starts the program and returns its pid only once it is running the new image, so a signal the
// caller forwards afterwards reaches phantun itself and not the runtime's code between clone and
// exec. On failure the child is reaped and the status says why: kNotFound or kFailedPrecondition
// from execve (see ExplainExecFailure), kUnavailable when the pipe, the clone or the child's return
// to the start directory failed. All signals must be blocked in the caller; the child gets `mask` back just before
// execve, a process group of its own, and SIGTERM as its parent-death signal.
//
// The program starts in the caller's working directory, while the caller itself moves to "/"
// before the clone: from the program's first instruction on, the runtime holds no directory of its
// caller's busy (a volume stays unmountable, a deleted directory stays pinned, only by phantun).
StatusOr<pid_t> Spawn(const SpawnRequest& request);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_SPAWN_H_
