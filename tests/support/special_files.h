#ifndef PHANTUN_TESTS_SUPPORT_SPECIAL_FILES_H_
#define PHANTUN_TESTS_SUPPORT_SPECIAL_FILES_H_

#include <sys/types.h>

#include <string>

namespace phantun_test {

// The kinds of file a path can name besides a regular one, made in a test's own directory. Each
// aborts the test binary when the system refuses (see fatal.h).

void MakeFifo(const std::string& path);

// A socket inode made with mknod(2): bind(2) would limit the path to 108 bytes, and Bazel's
// temporary directories are longer than that.
void MakeSocketNode(const std::string& path);

// A character or block device node (`type` S_IFCHR or S_IFBLK) for major:minor (needs root).
void MakeDeviceNode(const std::string& path, mode_t type, unsigned major, unsigned minor);

// What is at `path`, without following a symbolic link: "absent", "regular", "directory", "fifo",
// "socket", "char-device", "block-device" or "symlink".
std::string KindAt(const std::string& path);

// The permission bits of `path` (lstat), or -1 when it cannot be inspected.
int ModeOf(const std::string& path);

// The inode number of `path` (lstat), or 0 when it cannot be inspected.
ino_t InodeOf(const std::string& path);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_SPECIAL_FILES_H_
