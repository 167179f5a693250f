#include "runtime/handoff/iface_file.h"

#include <errno.h>
#include <fcntl.h>
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

Status Refusal(const std::string& path, mode_t mode) {
  return Status(Status::Code::kFailedPrecondition,
                Describe(path, absl::StrCat(KindOf(mode), "; expected a regular file (or a path to create one at)")));
}

Status FileError(const std::string& path, std::string_view what, int error) {
  return SystemError(Describe(path, what), error);
}

// Opens the regular file at `path` for writing, creating it when `create` is set and nothing is
// there. Without `create`, nothing there is kNotFound.
StatusOr<int> OpenRegularFile(const std::string& path, bool create) {
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return Refusal(path, st.st_mode);
  } else if (errno != ENOENT) {
    return FileError(path, "cannot inspect", errno);
  } else if (!create) {
    return Status(Status::Code::kNotFound, Describe(path, "does not exist"), ENOENT);
  } else {
    const int fd = open(path.c_str(), kOpenFlags | O_CREAT | O_EXCL, kCreateMode);
    if (fd >= 0) {
      fchmod(fd, kCreateMode);  // the umask must not narrow the documented mode
      return fd;
    }
    if (errno != EEXIST) return FileError(path, "cannot create", errno);
    // Something appeared at the path meanwhile: treat it like any existing entry below.
  }
  const int fd = open(path.c_str(), kOpenFlags);
  if (fd < 0) return errno == ELOOP ? Refusal(path, S_IFLNK) : FileError(path, "cannot open for writing", errno);
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Refusal(path, st.st_mode);
  }
  return fd;
}

Status Truncate(int fd, const std::string& path) {
  if (ftruncate(fd, 0) == 0) return Status();
  return FileError(path, "cannot clear", errno);
}

}  // namespace

InterfaceFile::~InterfaceFile() {
  if (fd_ >= 0) close(fd_);
}

Status InterfaceFile::Write(const std::string& path, std::string_view name) {
  const StatusOr<int> fd = OpenRegularFile(path, /*create=*/true);
  if (!fd.ok()) return fd.status();
  // Empty first: whatever fails after this leaves an empty file, never a stale or partial name.
  if (Status cleared = Truncate(*fd, path); !cleared.ok()) {
    close(*fd);
    return cleared;
  }
  ssize_t written;
  do {
    written = pwrite(*fd, name.data(), name.size(), 0);
  } while (written < 0 && errno == EINTR);
  if (written != static_cast<ssize_t>(name.size())) {
    const Status failed =
        written < 0 ? FileError(path, "cannot write", errno)
                    : Status(Status::Code::kIoError,
                             Describe(path, absl::StrCat("short write (", written, " of ", name.size(), " bytes)")));
    // Best effort: a partial name must not stay behind. If even this fails, the error above is
    // still the one to report, and the file held at most part of a valid name.
    if (ftruncate(*fd, 0) != 0) {
    }
    close(*fd);
    return failed;
  }
  fd_ = *fd;
  path_ = path;
  return Status();
}

Status InterfaceFile::Clear() {
  if (fd_ < 0) return Status();
  const Status cleared = Truncate(fd_, path_);
  close(fd_);
  fd_ = -1;
  return cleared;
}

Status ClearInterfaceFileAt(const std::string& path) {
  const StatusOr<int> fd = OpenRegularFile(path, /*create=*/false);
  if (!fd.ok()) return fd.status().code() == Status::Code::kNotFound ? Status() : fd.status();
  const Status cleared = Truncate(*fd, path);
  close(*fd);
  return cleared;
}

}  // namespace phantun_runtime
