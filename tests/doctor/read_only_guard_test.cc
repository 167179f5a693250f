#include "runtime/doctor/read_only_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "gtest/gtest.h"

namespace phantun_runtime::doctor {
namespace {

// Runs `probe` in a child that has installed the guard, and returns the child's exit code: the
// test process itself must stay unfiltered.
int InGuardedChild(const std::function<int()>& probe) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::string error;
    if (!InstallReadOnlyGuard(&error)) _exit(100);
    _exit(probe());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

// 0 when the call failed with EPERM, 1 when it succeeded, 2 for another error.
int Outcome(long result) { return result >= 0 ? 1 : errno == EPERM ? 0 : 2; }

class ReadOnlyGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = getenv("TEST_TMPDIR");
    dir_ = std::string(tmp != nullptr ? tmp : "/tmp");
    existing_ = dir_ + "/existing";
    const int fd = open(existing_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "keep", 4), 4);
    close(fd);
  }
  std::string dir_;
  std::string existing_;
};

TEST_F(ReadOnlyGuardTest, ReadingStillWorks) {
  EXPECT_EQ(InGuardedChild([&] {
              const int fd = open(existing_.c_str(), O_RDONLY);
              char buffer[8];
              return fd >= 0 && read(fd, buffer, sizeof buffer) == 4 ? 0 : 1;
            }),
            0);
}

TEST_F(ReadOnlyGuardTest, OpeningForWritingOrCreatingIsRefused) {
  for (int flags : {O_WRONLY, O_RDWR, O_RDONLY | O_TRUNC, O_RDONLY | O_APPEND, O_WRONLY | O_CREAT}) {
    EXPECT_EQ(InGuardedChild([&] { return Outcome(open(existing_.c_str(), flags, 0644)); }), 0) << flags;
    EXPECT_EQ(InGuardedChild([&] { return Outcome(openat(AT_FDCWD, existing_.c_str(), flags, 0644)); }), 0) << flags;
  }
  const std::string created = dir_ + "/created";
  EXPECT_EQ(InGuardedChild([&] { return Outcome(open(created.c_str(), O_RDONLY | O_CREAT, 0644)); }), 0);
  struct stat st;
  EXPECT_NE(stat(created.c_str(), &st), 0) << "the guard let a file be created";
}

TEST_F(ReadOnlyGuardTest, ModifyingCallsAreRefusedAndNothingChanges) {
  EXPECT_EQ(InGuardedChild([&] { return Outcome(truncate(existing_.c_str(), 0)); }), 0);
  EXPECT_EQ(InGuardedChild([&] { return Outcome(unlink(existing_.c_str())); }), 0);
  EXPECT_EQ(InGuardedChild([&] { return Outcome(rename(existing_.c_str(), (dir_ + "/moved").c_str())); }), 0);
  EXPECT_EQ(InGuardedChild([&] { return Outcome(mkdir((dir_ + "/d").c_str(), 0755)); }), 0);
  EXPECT_EQ(InGuardedChild([&] { return Outcome(chmod(existing_.c_str(), 0600)); }), 0);
  EXPECT_EQ(InGuardedChild([&] { return Outcome(kill(getppid(), 0)); }), 0);
  EXPECT_EQ(InGuardedChild([&] {
              int one = 1;
              const int fd = socket(AF_INET, SOCK_DGRAM, 0);
              return Outcome(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
            }),
            0);
  EXPECT_EQ(InGuardedChild([&] {
              int n = 0;
              return Outcome(ioctl(0, FIONREAD, &n));
            }),
            0);
  struct stat st;
  ASSERT_EQ(stat(existing_.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 4);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(ReadOnlyGuardTest, WritesGoOnlyToStdoutAndStderr) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  EXPECT_EQ(InGuardedChild([&] { return Outcome(write(pipe_fds[1], "x", 1)); }), 0);
  EXPECT_EQ(InGuardedChild([&] {
              // Point stdout at the pipe before the guard? No: the guard is installed first in the
              // child; stdout is whatever the test runner gave, and writing to it is allowed.
              return Outcome(write(STDOUT_FILENO, "", 0));
            }),
            1);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

}  // namespace
}  // namespace phantun_runtime::doctor
