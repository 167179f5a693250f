#include "tests/support/mount_namespace.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "tests/support/deadline.h"
#include "tests/support/fatal.h"
#include "tests/support/line_reader.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

namespace phantun_test {
namespace {

std::string Failed(const std::string& what) { return what + ": " + strerror(errno); }

// The holder: make the namespace, set it up, report, then wait for the test to let go.
[[noreturn]] void Hold(const MountNamespace::SetUp& set_up, int report_fd, int hold_fd) {
  std::string error;
  if (unshare(CLONE_NEWNS) != 0) {
    error = Failed("unshare(CLONE_NEWNS)");
  } else if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    // Before any mount: without this, mounts below a shared mount would propagate to the host.
    error = Failed("make / private");
  } else {
    error = set_up();
  }
  const std::string report = error.empty() ? "ready" : error;
  if (write(report_fd, report.data(), report.size()) < 0) _exit(1);
  close(report_fd);
  if (!error.empty()) _exit(1);
  for (;;) {
    char byte;
    const ssize_t n = read(hold_fd, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    _exit(0);  // end of file (or the pipe broke): the test let go
  }
}

}  // namespace

MountNamespace::MountNamespace(const SetUp& set_up) {
  Pipe report = MakePipe();
  Pipe hold = MakePipe();
  holder_ = fork();
  if (holder_ < 0) FatalSystemError("fork");
  if (holder_ == 0) {
    // Keep nothing of the test's but these two: a pipe write end held here would keep some
    // reader in the test from ever seeing end of file.
    const int keep_low = std::min(report.write.get(), hold.read.get());
    const int keep_high = std::max(report.write.get(), hold.read.get());
    syscall(SYS_close_range, 3, keep_low - 1, 0);
    syscall(SYS_close_range, keep_low + 1, keep_high - 1, 0);
    syscall(SYS_close_range, keep_high + 1, ~0U, 0);
    Hold(set_up, report.write.get(), hold.read.get());
  }
  report.write.Reset();
  hold_ = std::move(hold.write);
  // The report ends with the holder closing its end: after set-up, or when it dies.
  const std::string answer = ReadUntilEnd(report.read.get(), Deadline::Guard());
  if (answer != "ready") error_ = answer.empty() ? "the namespace holder ended without a report" : answer;
}

MountNamespace::~MountNamespace() {
  hold_.Reset();
  while (waitpid(holder_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

::testing::AssertionResult MountNamespace::ready() const {
  if (error_.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "mount namespace: " << error_;
}

std::string MountNamespace::ns_path() const { return "/proc/" + std::to_string(holder_) + "/ns/mnt"; }

std::string MountNamespace::View(const std::string& path) const {
  return "/proc/" + std::to_string(holder_) + "/root" + path;
}

std::string MountTmpfs(const std::string& dir, const std::string& options) {
  if (mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) return Failed("mount tmpfs on " + dir);
  return "";
}

std::string BindReadOnly(const std::string& dir) {
  if (mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0) return Failed("bind " + dir);
  // A bind mount takes its read-only flag only through a remount of the bind itself.
  if (mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
    return Failed("remount read-only " + dir);
  }
  return "";
}

std::string PutFile(const std::string& path, const std::string& content) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Failed("create " + path);
  const ssize_t n = write(fd, content.data(), content.size());
  const std::string error = n == static_cast<ssize_t>(content.size()) ? "" : Failed("write " + path);
  close(fd);
  return error;
}

std::string FillUp(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Failed("create " + path);
  const std::string block(4096, 'x');
  std::string error;
  for (;;) {
    if (write(fd, block.data(), block.size()) >= 0) continue;
    if (errno != ENOSPC) error = Failed("fill " + path);
    break;
  }
  close(fd);
  return error;
}

}  // namespace phantun_test
