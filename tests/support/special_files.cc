#include "tests/support/special_files.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "tests/support/fatal.h"

namespace phantun_test {

void MakeFifo(const std::string& path) {
  if (mkfifo(path.c_str(), 0644) != 0) FatalSystemError("mkfifo " + path);
}

void MakeSocketNode(const std::string& path) {
  if (mknod(path.c_str(), S_IFSOCK | 0644, 0) != 0) FatalSystemError("mknod socket " + path);
}

void MakeDeviceNode(const std::string& path, mode_t type, unsigned major, unsigned minor) {
  if (mknod(path.c_str(), type | 0644, makedev(major, minor)) != 0) FatalSystemError("mknod device " + path);
}

std::string KindAt(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return "absent";
  if (S_ISREG(st.st_mode)) return "regular";
  if (S_ISDIR(st.st_mode)) return "directory";
  if (S_ISFIFO(st.st_mode)) return "fifo";
  if (S_ISSOCK(st.st_mode)) return "socket";
  if (S_ISCHR(st.st_mode)) return "char-device";
  if (S_ISBLK(st.st_mode)) return "block-device";
  if (S_ISLNK(st.st_mode)) return "symlink";
  return "unknown";
}

int ModeOf(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

ino_t InodeOf(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

}  // namespace phantun_test
