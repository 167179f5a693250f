#ifndef PHANTUN_TESTS_SUPPORT_UNIQUE_FD_H_
#define PHANTUN_TESTS_SUPPORT_UNIQUE_FD_H_

#include <unistd.h>

namespace phantun_test {

// Owns one file descriptor and closes it, so no test leaves a pipe end open (a stray write end
// would keep a reader from ever seeing end of file).
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// A pipe with both ends close-on-exec: the launcher hands on only the ends it is asked to.
Pipe MakePipe();

// /dev/null opened with `flags` (O_CLOEXEC is added).
UniqueFd OpenDevNull(int flags);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_UNIQUE_FD_H_
