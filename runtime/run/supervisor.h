#ifndef PHANTUN_RUNTIME_RUN_SUPERVISOR_H_
#define PHANTUN_RUNTIME_RUN_SUPERVISOR_H_

#include <sys/types.h>

namespace phantun_runtime {

// Runs until `child` has exited and returns its wait status. Reads every signal from
// `signal_fd` (a signalfd for all signals, with all signals blocked): SIGCHLD reaps every exited
// child, which includes orphans re-parented to the runtime as PID 1 or subreaper; anything else
// sent to the runtime is forwarded to `child`. Never polls and never sleeps.
int SuperviseUntilExit(int signal_fd, pid_t child);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_SUPERVISOR_H_
