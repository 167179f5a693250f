#include "runtime/run/exec_failure.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "runtime/run/exit_status.h"
#include "runtime/run/interpreter.h"

namespace phantun_runtime {
namespace {

// Enough for a "#!" line and for the program headers of any executable phantun ships as.
constexpr size_t kHeadSize = 4096;

// The program's first bytes; false when it cannot be opened (then it is, for execve, not there).
bool ReadHead(const char* path, std::string* head) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  head->resize(kHeadSize);
  ssize_t n;
  do {
    n = read(fd, head->data(), head->size());
  } while (n < 0 && errno == EINTR);
  close(fd);
  head->resize(n > 0 ? static_cast<size_t>(n) : 0);
  return true;
}

}  // namespace

ExecFailure ExplainExecFailure(const char* path, int error) {
  const std::string program = absl::CHexEscape(path);
  std::string head;
  const bool exists = error == ENOENT && ReadHead(path, &head);
  ExecFailure failure{ExitCodeForExecError(error, exists), ""};
  if (!exists) {
    failure.message = absl::StrCat("cannot execute ", program, ": ", strerror(error));
    return failure;
  }
  const std::string_view interpreter = InterpreterNamedIn(head);
  failure.message =
      interpreter.empty()
          ? absl::StrCat("cannot execute ", program,
                         ": the file exists, but the interpreter or dynamic loader it needs was not found")
          : absl::StrCat("cannot execute ", program, ": the file exists, but its interpreter '",
                         absl::CHexEscape(interpreter),
                         "' was not found (a dynamically linked phantun needs its loader and libraries beside it)");
  return failure;
}

}  // namespace phantun_runtime
