#include "runtime/self_exe.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>

namespace phantun_runtime {

bool OwnExecutablePath(std::string* path) {
  char buffer[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer);
  if (n < 0) return false;
  if (static_cast<size_t>(n) == sizeof buffer) {
    errno = ENAMETOOLONG;
    return false;
  }
  path->assign(buffer, static_cast<size_t>(n));
  return true;
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace phantun_runtime
