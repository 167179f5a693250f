#include "runtime/run/exit_status.h"

#include <errno.h>
#include <sys/wait.h>

#include "runtime/exit_codes.h"

namespace phantun_runtime {

int ExitCodeFromWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return kExitSignalBase + WTERMSIG(wait_status);
  // Stopped or continued states are never collected (no WUNTRACED/WCONTINUED); treat as a bug.
  return kExitSoftware;
}

Status::Code CodeForExecError(int error, bool program_exists) {
  if (error == ENOENT && program_exists) return Status::Code::kFailedPrecondition;
  return error == ENOENT || error == ENOTDIR ? Status::Code::kNotFound : Status::Code::kFailedPrecondition;
}

}  // namespace phantun_runtime
