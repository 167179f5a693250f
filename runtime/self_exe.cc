#include "runtime/self_exe.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

namespace phantun_runtime {

namespace {

Status ReadingFailed(int error) { return SystemError("reading /proc/self/exe failed", error); }

}  // namespace

StatusOr<std::string> OwnExecutablePath() {
  char buffer[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer);
  if (n < 0) return ReadingFailed(errno);
  if (static_cast<size_t>(n) == sizeof buffer) return ReadingFailed(ENAMETOOLONG);
  return std::string(buffer, static_cast<size_t>(n));
}

Status PathBesideOwnExecutable(const char* name, char* out, size_t size) {
  const ssize_t n = readlink("/proc/self/exe", out, size);
  if (n < 0) return ReadingFailed(errno);
  if (static_cast<size_t>(n) >= size) return ReadingFailed(ENAMETOOLONG);
  // Keep the final '/', drop the executable's own name (and a " (deleted)" the kernel may add).
  size_t dir_end = static_cast<size_t>(n);
  while (dir_end > 0 && out[dir_end - 1] != '/') --dir_end;
  const size_t name_length = strlen(name);
  if (dir_end == 0 || dir_end + name_length + 1 > size) return ReadingFailed(ENAMETOOLONG);
  memcpy(out + dir_end, name, name_length + 1);
  return Status();
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace phantun_runtime
