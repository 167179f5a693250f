#include "runtime/diagnostics.h"

#include <errno.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace phantun_runtime {

void PrintText(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // Nowhere left to report a failure to report.
    text.remove_prefix(static_cast<size_t>(n));
  }
}

void PrintError(std::string_view prefix, std::string_view message) {
  PrintText(STDERR_FILENO, absl::StrCat(prefix, ": ", message, "\n"));
}

}  // namespace phantun_runtime
