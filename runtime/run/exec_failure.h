#ifndef PHANTUN_RUNTIME_RUN_EXEC_FAILURE_H_
#define PHANTUN_RUNTIME_RUN_EXEC_FAILURE_H_

#include <string>

namespace phantun_runtime {

struct ExecFailure {
  int exit_code;        // 127: the program is not there; 126: it is there but cannot run
  std::string message;  // one line, naming the program and, where it is the cause, its interpreter
};

// Explains why execve(`path`) failed with `error`. ENOENT does not always mean the program is
// missing: when the file exists, the missing file is its "#!" interpreter or its dynamic loader,
// which is read from the program's first bytes so that the message can name it.
ExecFailure ExplainExecFailure(const char* path, int error);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_EXEC_FAILURE_H_
