#include "runtime/self_exe.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

namespace phantun_runtime {

namespace {

// The kernel's own limit on links followed in one lookup (MAXSYMLINKS).
constexpr int kMaxLinks = 40;

Status ReadingFailed(int error) { return SystemError("reading /proc/self/exe failed", error); }

// Reads /proc/self/exe into `out` (not NUL-terminated) and returns its length.
StatusOr<size_t> ReadProcSelfExe(char* out, size_t size) {
  const ssize_t n = readlink("/proc/self/exe", out, size);
  if (n < 0) return ReadingFailed(errno);
  if (static_cast<size_t>(n) >= size) return ReadingFailed(ENAMETOOLONG);
  return static_cast<size_t>(n);
}

// Writes the directory part of `path` (up to and with its last '/') followed by `name` into `out`,
// which may be `path` itself. False when there is no '/' or the result does not fit.
bool ReplaceLastComponent(const char* path, size_t path_length, const char* name, size_t name_length, char* out,
                          size_t size) {
  size_t dir_end = path_length;
  while (dir_end > 0 && path[dir_end - 1] != '/') --dir_end;
  if (dir_end == 0 || dir_end + name_length + 1 > size) return false;
  if (out != path) memmove(out, path, dir_end);
  memmove(out + dir_end, name, name_length);
  out[dir_end + name_length] = '\0';
  return true;
}

// The absolute path this process was started from, as execve was given it (AT_EXECFN), when it
// can only name the running executable: the caller's argv[0] is the same string. A `#!` script
// whose interpreter is phantun-runtime is started under the script's path, with argv[0] the
// interpreter's; a shell's PATH search passes a bare argv[0]. Both leave this null.
const char* StartedFrom() {
  const char* started = reinterpret_cast<const char*>(getauxval(AT_EXECFN));
  if (started == nullptr || started[0] != '/' || program_invocation_name == nullptr) return nullptr;
  return strcmp(started, program_invocation_name) == 0 ? started : nullptr;
}

}  // namespace

bool FollowLinks(const char* path, char* out, size_t size) {
  const size_t length = strlen(path);
  if (path[0] != '/' || length >= size) return false;
  memcpy(out, path, length + 1);
  for (int followed = 0; followed <= kMaxLinks; ++followed) {
    char target[PATH_MAX];
    const ssize_t n = readlink(out, target, sizeof target);
    if (n < 0) return errno == EINVAL;  // not a link: `out` names the file itself
    if (static_cast<size_t>(n) >= sizeof target) return false;
    const size_t target_length = static_cast<size_t>(n);
    if (target[0] == '/') {
      if (target_length >= size) return false;
      memcpy(out, target, target_length);
      out[target_length] = '\0';
    } else if (!ReplaceLastComponent(out, strlen(out), target, target_length, out, size)) {
      return false;  // a relative target is relative to the link's own directory
    }
  }
  return false;  // a loop
}

StatusOr<std::string> OwnExecutablePath() {
  char buffer[PATH_MAX];
  const StatusOr<size_t> length = ReadProcSelfExe(buffer, sizeof buffer);
  if (!length.ok()) return length.status();
  return std::string(buffer, *length);
}

Status PathBesideOwnExecutable(const char* name, char* out, size_t size) {
  const size_t name_length = strlen(name);
  // The path the process was started from, followed through its links, names the same file as
  // /proc/self/exe; the lookup of /proc/self/exe, which instantiates this process's /proc entries,
  // is about 10 us of a 300 us launch. It remains the answer whenever that path is not certain.
  if (const char* started = StartedFrom();
      started != nullptr && FollowLinks(started, out, size) &&
      ReplaceLastComponent(out, strlen(out), name, name_length, out, size)) {
    return Status();
  }
  const StatusOr<size_t> length = ReadProcSelfExe(out, size);
  if (!length.ok()) return length.status();
  // Drop the executable's own name (and a " (deleted)" the kernel may add), keep the final '/'.
  if (!ReplaceLastComponent(out, *length, name, name_length, out, size)) {
    return ReadingFailed(ENAMETOOLONG);
  }
  return Status();
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace phantun_runtime
