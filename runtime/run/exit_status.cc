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

int ExitCodeForExecError(int error, bool program_exists) {
  if (error == ENOENT && program_exists) return kExitCannotExecute;
  return error == ENOENT || error == ENOTDIR ? kExitNotFound : kExitCannotExecute;
}

}  // namespace phantun_runtime
