// phantun-run in the foreground of a terminal, as an operator starts it by hand: phantun gets the
// foreground (Ctrl-C reaches it once), job control passes through (Ctrl-Z stops phantun and the
// runtime, so the shell gets the terminal back; `fg` resumes both), and when phantun ends the
// terminal goes back to the shell, which can read it again.
#include <pty.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/install_dir.h"
#include "tests/support/line_reader.h"
#include "tests/support/runtime_run.h"
#include "tests/support/unique_fd.h"

namespace phantun_test {
namespace {

// A pseudo-terminal: the test types into and reads from the master; the shell under test gets the
// slave as descriptors 0-2 and as its controlling terminal.
struct Terminal {
  Terminal() {
    int master_fd = -1, slave_fd = -1;
    if (openpty(&master_fd, &slave_fd, nullptr, nullptr, nullptr) != 0) ADD_FAILURE() << "openpty failed";
    master = UniqueFd(master_fd);
    slave = UniqueFd(slave_fd);
    screen = LineReader(UniqueFd(dup(master_fd)));
  }

  void Type(const std::string& keys) { ASSERT_EQ(write(master.get(), keys.data(), keys.size()), static_cast<ssize_t>(keys.size())); }

  // Reads the screen until a line reads `want` (without the terminal's '\r'). False at the deadline,
  // with every line seen in *seen.
  bool AwaitLine(const std::string& want, std::string* seen) {
    const Deadline deadline = Deadline::Guard();
    while (const std::optional<std::string> line = screen.Next(deadline)) {
      std::string text = *line;
      if (!text.empty() && text.back() == '\r') text.pop_back();
      *seen += text + "\n";
      if (text == want) return true;
    }
    return false;
  }

  pid_t Foreground() const { return tcgetpgrp(master.get()); }

  UniqueFd master;
  UniqueFd slave;
  LineReader screen{UniqueFd()};
};

// `shell` runs `script` in a new session on the terminal, with $0 the install's phantun-run.
LaunchSpec ShellSpec(const InstallDir& dir, const Terminal& tty, std::vector<std::string> shell,
                     const std::string& script, std::vector<std::string> env) {
  LaunchSpec spec;
  spec.path = shell[0];
  spec.argv = shell;
  spec.argv.push_back(script);
  spec.argv.push_back(dir.run_link());
  spec.env = std::move(env);
  spec.env.push_back("PATH=/usr/bin:/bin");
  spec.fds = {{0, tty.slave.get()}, {1, tty.slave.get()}, {2, tty.slave.get()}};
  spec.controlling_terminal = true;
  return spec;
}

// A script without job control runs phantun-run in its own process group, the terminal's
// foreground; the runtime hands the foreground to phantun. Once phantun is gone the script must be
// able to read the terminal again: without the foreground back it would get EIO (or SIGTTIN).
TEST(TerminalTest, ForegroundComesBackWhenPhantunEnds) {
  InstallDir dir;
  Terminal tty;
  RuntimeRun run(ShellSpec(dir, tty, {"/bin/sh", "-c"}, "\"$0\"; echo \"ran:$?\"; read line; echo \"read:$line\"",
                           {"MODE=client", "FAKE_EXIT=0"}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  std::string seen;
  ASSERT_TRUE(tty.AwaitLine("ran:0", &seen)) << seen;
  tty.Type("hello\n");
  EXPECT_TRUE(tty.AwaitLine("read:hello", &seen)) << seen;
  EXPECT_EQ(run.Finish(), Exited(0));
}

// bash with job control: Ctrl-Z stops phantun, and the runtime stops with it, so bash sees its job
// stop (status 128+SIGSTOP) and goes on; `fg` continues the runtime, which gives phantun the
// foreground again and continues it.
TEST(TerminalTest, CtrlZStopsTheJobAndFgResumesPhantunInTheForeground) {
  InstallDir dir;
  Terminal tty;
  RuntimeRun run(ShellSpec(dir, tty, {"/bin/bash", "--norc", "--noprofile", "-c"},
                           "set -m; \"$0\"; echo \"stopped:$?\"; fg; echo \"done:$?\"",
                           {"MODE=client", "FAKE_DEFAULT=" + std::to_string(SIGTSTP),
                            "FAKE_EXIT_ON=" + std::to_string(SIGUSR1)}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(tty.Foreground(), record.pgid) << "phantun's group does not have the terminal";
  tty.Type("\x1a");  // Ctrl-Z: SIGTSTP to the foreground group, phantun's
  std::string seen;
  ASSERT_TRUE(tty.AwaitLine("stopped:" + std::to_string(128 + SIGSTOP), &seen)) << seen;
  // bash runs `fg` right away: phantun is continued with the foreground.
  EXPECT_EQ(run.NextEvent(), "signal " + std::to_string(SIGCONT));
  EXPECT_EQ(tty.Foreground(), record.pgid) << "phantun's group did not get the terminal back after fg";
  ASSERT_EQ(kill(record.pid, SIGUSR1), 0);
  EXPECT_TRUE(tty.AwaitLine("done:0", &seen)) << seen;
  EXPECT_EQ(run.Finish(), Exited(0));
}

}  // namespace
}  // namespace phantun_test
