#include "tests/support/inode_flags.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace phantun_test {
namespace {

// Turns FS_APPEND_FL on or off; "" or what failed.
std::string ChangeAppendOnly(const std::string& path, bool on) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::string("open: ") + strerror(errno);
  std::string error;
  int flags = 0;
  if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) {
    error = std::string("FS_IOC_GETFLAGS: ") + strerror(errno);
  } else {
    flags = on ? flags | FS_APPEND_FL : flags & ~FS_APPEND_FL;
    if (ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0) error = std::string("FS_IOC_SETFLAGS: ") + strerror(errno);
  }
  close(fd);
  return error;
}

}  // namespace

AppendOnlyFlag::~AppendOnlyFlag() {
  if (set_) ChangeAppendOnly(path_, false);
}

::testing::AssertionResult AppendOnlyFlag::Set() {
  const std::string error = ChangeAppendOnly(path_, true);
  if (!error.empty()) return ::testing::AssertionFailure() << "chattr +a " << path_ << ": " << error;
  set_ = true;
  return ::testing::AssertionSuccess();
}

}  // namespace phantun_test
