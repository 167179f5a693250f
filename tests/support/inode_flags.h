#ifndef PHANTUN_TESTS_SUPPORT_INODE_FLAGS_H_
#define PHANTUN_TESTS_SUPPORT_INODE_FLAGS_H_

#include <string>

#include "gtest/gtest.h"

namespace phantun_test {

// The append-only inode flag (chattr +a) on one file, for as long as the object lives. With it set,
// ftruncate(2) fails with EPERM even through a descriptor that was opened for writing before, on
// any file system that has the flag (the VFS checks it): the one way for a test to make the
// runtime's final clear fail. (Remounting the file system read-only instead is refused with EBUSY
// while the runtime holds the file open for writing.) Needs root (CAP_LINUX_IMMUTABLE).
class AppendOnlyFlag {
 public:
  explicit AppendOnlyFlag(std::string path) : path_(std::move(path)) {}
  // Takes the flag off again, so that the file can be removed.
  ~AppendOnlyFlag();
  AppendOnlyFlag(const AppendOnlyFlag&) = delete;
  AppendOnlyFlag& operator=(const AppendOnlyFlag&) = delete;

  ::testing::AssertionResult Set();

 private:
  std::string path_;
  bool set_ = false;
};

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_INODE_FLAGS_H_
