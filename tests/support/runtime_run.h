#ifndef PHANTUN_TESTS_SUPPORT_RUNTIME_RUN_H_
#define PHANTUN_TESTS_SUPPORT_RUNTIME_RUN_H_

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/fake_record.h"
#include "tests/support/install_dir.h"
#include "tests/support/launcher.h"
#include "tests/support/line_reader.h"
#include "tests/support/unique_fd.h"

namespace phantun_test {

// phantun-run through the install's link: argv is {link path, args...}, env the whole environment.
LaunchSpec PhantunRunSpec(const InstallDir& dir, std::vector<std::string> env, std::vector<std::string> args = {});

// One run of the runtime under test, wired the way most tests want it: stdin from /dev/null,
// stdout and stderr into pipes the test reads, and the fake's event pipe on descriptor 3 (with
// FAKE_EVENT_FD=3 added to the environment). Descriptors the spec assigns itself are kept as
// given. Starts at construction; the destructor kills and reaps whatever still runs.
class RuntimeRun {
 public:
  static constexpr int kEventFd = 3;

  explicit RuntimeRun(LaunchSpec spec);
  // Kills the runtime if it still runs, and whatever it left behind (see descendants_).
  ~RuntimeRun();
  RuntimeRun(const RuntimeRun&) = delete;
  RuntimeRun& operator=(const RuntimeRun&) = delete;

  // The spec as launched, with the event descriptor and FAKE_EVENT_FD (the test-side descriptor
  // numbers in it are closed by now).
  const LaunchSpec& spec() const { return spec_; }
  pid_t pid() const { return process_.pid(); }
  Process& process() { return process_; }

  // The fake's start record, up to its "ready" line.
  ::testing::AssertionResult AwaitReady(FakeRecord* record);

  // The fake's next event line, or "<end of events>" / "<no event before the deadline>".
  std::string NextEvent();

  // Every further event line until the pipe's end of file.
  std::vector<std::string> RemainingEvents();

  // kill(2) to the runtime itself.
  void Signal(int signo);

  // Waits for the runtime to exit, then reads what it and phantun wrote to stdout and stderr.
  // Returns DescribeWaitStatus() of the runtime, or says that it did not exit in time.
  std::string Finish();
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  LaunchSpec spec_;
  UniqueFd stdout_;
  UniqueFd stderr_;
  LineReader events_{UniqueFd()};
  Process process_;
  // The runtime's descendants as last seen (phantun, orphans). Once the runtime is gone they are
  // re-parented to the test, which then ends and reaps those still there.
  std::set<pid_t> descendants_;
  std::string out_;
  std::string err_;
};

// `text` split at '\n'; a last line without its '\n' counts too.
std::vector<std::string> SplitLines(const std::string& text);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_RUNTIME_RUN_H_
