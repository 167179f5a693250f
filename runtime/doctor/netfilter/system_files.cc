#include "runtime/doctor/netfilter/system_files.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace phantun_runtime::netfilter {
namespace {

// modules.builtin of a distribution kernel is the largest file read here (tens of KiB).
constexpr size_t kMaxSize = 4 << 20;

}  // namespace

StatusOr<std::string> ReadSmallFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return SystemError(path, errno);
  std::string content;
  char buffer[4096];
  int error = 0;
  for (;;) {
    const ssize_t got = read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error = errno;
      break;
    }
    if (got == 0) break;
    content.append(buffer, static_cast<size_t>(got));
    if (content.size() > kMaxSize) {
      error = EFBIG;
      break;
    }
  }
  close(fd);
  if (error != 0) return SystemError(path, error);
  return content;
}

bool PathExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

}  // namespace phantun_runtime::netfilter
