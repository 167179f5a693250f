#ifndef PHANTUN_RUNTIME_RUN_SUPERVISOR_H_
#define PHANTUN_RUNTIME_RUN_SUPERVISOR_H_

#include <sys/types.h>

#include "runtime/status.h"

namespace phantun_runtime {

// Runs until `child` has exited and returns its wait status. Reads every signal from
// `signal_fd` (a signalfd for all signals, with all signals blocked): SIGCHLD reaps every exited
// child, which includes orphans re-parented to the runtime as PID 1 or subreaper; anything else
// sent to the runtime is forwarded to `child`. With `job_control` (the runtime was started in the
// foreground of a terminal), a stop of `child` stops the runtime as well (see StopWithChild), so
// that the shell waiting for the runtime sees its job stop. It only ever waits for signals; once,
// when `child` has run for 100 ms, it calls `settled` (unless null) between two waits.
int SuperviseUntilExit(int signal_fd, pid_t child, bool job_control, void (*settled)());

// Asks the kernel to re-parent the orphans of the runtime's descendants to the runtime (which a
// PID 1 is by nature), so that the loop above reaps them.
Status BecomeChildSubreaper();

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_SUPERVISOR_H_
