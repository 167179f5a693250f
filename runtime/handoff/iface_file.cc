#include "runtime/handoff/iface_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace phantun_runtime {
namespace {

constexpr mode_t kCreateMode = 0644;

// O_NOFOLLOW refuses a symbolic link, O_NONBLOCK keeps a FIFO from blocking the open, O_NOCTTY keeps
// a terminal from becoming ours; the fstat() after the open is the check that counts.
constexpr int kOpenFlags = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

std::string Describe(const std::string& path, std::string_view reason) {
  return absl::StrCat("IFACE_FILE '", absl::CHexEscape(path), "': ", reason);
}

std::string_view KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISLNK(mode)) return "is a symbolic link";
  if (S_ISFIFO(mode)) return "is a FIFO";
  if (S_ISSOCK(mode)) return "is a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device";
  return "is not a regular file";
}

std::string Refusal(const std::string& path, mode_t mode) {
  return Describe(path, absl::StrCat(KindOf(mode), "; expected a regular file (or a path to create one at)"));
}

std::string SystemError(const std::string& path, std::string_view what, int error) {
  return Describe(path, absl::StrCat(what, ": ", strerror(error)));
}

// Opens the regular file at `path` for writing, creating it when `create` is set and nothing is
// there. Returns the descriptor, -1 with *error set, or -2 when nothing is there and !create.
int OpenRegularFile(const std::string& path, bool create, std::string* error) {
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      *error = Refusal(path, st.st_mode);
      return -1;
    }
  } else if (errno != ENOENT) {
    *error = SystemError(path, "cannot inspect", errno);
    return -1;
  } else if (!create) {
    return -2;
  } else {
    const int fd = open(path.c_str(), kOpenFlags | O_CREAT | O_EXCL, kCreateMode);
    if (fd >= 0) {
      fchmod(fd, kCreateMode);  // the umask must not narrow the documented mode
      return fd;
    }
    if (errno != EEXIST) {
      *error = SystemError(path, "cannot create", errno);
      return -1;
    }
    // Something appeared at the path meanwhile: treat it like any existing entry below.
  }
  const int fd = open(path.c_str(), kOpenFlags);
  if (fd < 0) {
    *error = errno == ELOOP ? Refusal(path, S_IFLNK) : SystemError(path, "cannot open for writing", errno);
    return -1;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = Refusal(path, st.st_mode);
    close(fd);
    return -1;
  }
  return fd;
}

bool Truncate(int fd, const std::string& path, std::string* error) {
  if (ftruncate(fd, 0) == 0) return true;
  *error = SystemError(path, "cannot clear", errno);
  return false;
}

}  // namespace

InterfaceFile::~InterfaceFile() {
  if (fd_ >= 0) close(fd_);
}

bool InterfaceFile::Write(const std::string& path, std::string_view name, std::string* error) {
  const int fd = OpenRegularFile(path, /*create=*/true, error);
  if (fd < 0) return false;
  // Empty first: whatever fails after this leaves an empty file, never a stale or partial name.
  if (!Truncate(fd, path, error)) {
    close(fd);
    return false;
  }
  ssize_t written;
  do {
    written = pwrite(fd, name.data(), name.size(), 0);
  } while (written < 0 && errno == EINTR);
  if (written != static_cast<ssize_t>(name.size())) {
    *error = written < 0 ? SystemError(path, "cannot write", errno)
                         : Describe(path, absl::StrCat("short write (", written, " of ", name.size(), " bytes)"));
    // Best effort: a partial name must not stay behind. If even this fails, the error above is
    // still the one to report, and the file held at most part of a valid name.
    if (ftruncate(fd, 0) != 0) {
    }
    close(fd);
    return false;
  }
  fd_ = fd;
  path_ = path;
  return true;
}

bool InterfaceFile::Clear(std::string* error) {
  if (fd_ < 0) return true;
  const bool cleared = Truncate(fd_, path_, error);
  close(fd_);
  fd_ = -1;
  return cleared;
}

bool ClearInterfaceFileAt(const std::string& path, std::string* error) {
  const int fd = OpenRegularFile(path, /*create=*/false, error);
  if (fd == -2) return true;
  if (fd < 0) return false;
  const bool cleared = Truncate(fd, path, error);
  close(fd);
  return cleared;
}

}  // namespace phantun_runtime
