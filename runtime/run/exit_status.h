#ifndef PHANTUN_RUNTIME_RUN_EXIT_STATUS_H_
#define PHANTUN_RUNTIME_RUN_EXIT_STATUS_H_

#include "runtime/status.h"

namespace phantun_runtime {

// phantun-run's exit status for a waitpid() status of phantun: its own exit code, or 128+N when
// signal N killed it (the shell's convention, so `docker stop` shows 143).
int ExitCodeFromWaitStatus(int wait_status);

// What an execve() failure means: kNotFound when the program is not there (ENOENT, ENOTDIR; the
// shell's 127), kFailedPrecondition when it is there but cannot be run (EACCES, ENOEXEC, ..., and
// ENOENT for a program that exists: then its interpreter or dynamic loader is the missing file;
// the shell's 126).
Status::Code CodeForExecError(int error, bool program_exists);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_EXIT_STATUS_H_
