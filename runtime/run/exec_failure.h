#ifndef PHANTUN_RUNTIME_RUN_EXEC_FAILURE_H_
#define PHANTUN_RUNTIME_RUN_EXEC_FAILURE_H_

#include "runtime/status.h"

namespace phantun_runtime {

// Explains why execve(`path`) failed with `error`: kNotFound when the program is not there,
// kFailedPrecondition when it is there but cannot run, with one line naming the program and, where
// it is the cause, its interpreter. ENOENT does not always mean the program is missing: when the
// file exists, the missing file is its "#!" interpreter or its dynamic loader, which is read from
// the program's first bytes so that the message can name it.
Status ExplainExecFailure(const char* path, int error);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_EXEC_FAILURE_H_
