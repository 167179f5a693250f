#include "runtime/self_exe.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
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

bool PathBesideOwnExecutable(const char* name, char* out, size_t size) {
  const ssize_t n = readlink("/proc/self/exe", out, size);
  if (n < 0) return false;
  if (static_cast<size_t>(n) >= size) {
    errno = ENAMETOOLONG;
    return false;
  }
  // Keep the final '/', drop the executable's own name (and a " (deleted)" the kernel may add).
  size_t dir_end = static_cast<size_t>(n);
  while (dir_end > 0 && out[dir_end - 1] != '/') --dir_end;
  const size_t name_length = strlen(name);
  if (dir_end == 0 || dir_end + name_length + 1 > size) {
    errno = ENAMETOOLONG;
    return false;
  }
  memcpy(out + dir_end, name, name_length + 1);
  return true;
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace phantun_runtime
