#include "runtime/run/exec_failure.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <utility>

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

Status ExplainExecFailure(const char* path, int error) {
  const std::string program = absl::CHexEscape(path);
  std::string head;
  const bool exists = error == ENOENT && ReadHead(path, &head);
  const Status::Code code = CodeForExecError(error, exists);
  if (!exists) return Status(code, absl::StrCat("cannot execute ", program, ": ", strerror(error)), error);
  const std::string_view interpreter = InterpreterNamedIn(head);
  std::string message =
      interpreter.empty()
          ? absl::StrCat("cannot execute ", program,
                         ": the file exists, but the interpreter or dynamic loader it needs was not found")
          : absl::StrCat("cannot execute ", program, ": the file exists, but its interpreter '",
                         absl::CHexEscape(interpreter),
                         "' was not found (a dynamically linked phantun needs its loader and libraries beside it)");
  return Status(code, std::move(message), error);
}

}  // namespace phantun_runtime
