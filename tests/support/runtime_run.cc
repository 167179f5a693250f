#include "tests/support/runtime_run.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "tests/support/proc_fs.h"

namespace phantun_test {

LaunchSpec PhantunRunSpec(const InstallDir& dir, std::vector<std::string> env, std::vector<std::string> args) {
  LaunchSpec spec;
  spec.path = dir.run_link();
  spec.argv.push_back(spec.path);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = std::move(env);
  return spec;
}

RuntimeRun::RuntimeRun(LaunchSpec spec) : spec_(std::move(spec)) {
  // The child's ends live only until Launch has duplicated them: afterwards the runtime and
  // phantun must hold the only write ends, or no read here would ever see end of file.
  UniqueFd stdin_source = OpenDevNull(O_RDONLY);
  Pipe out = MakePipe();
  Pipe err = MakePipe();
  Pipe events = MakePipe();
  if (!spec_.fds.count(STDIN_FILENO)) spec_.fds[STDIN_FILENO] = stdin_source.get();
  if (!spec_.fds.count(STDOUT_FILENO)) {
    spec_.fds[STDOUT_FILENO] = out.write.get();
    stdout_ = std::move(out.read);
  }
  if (!spec_.fds.count(STDERR_FILENO)) {
    spec_.fds[STDERR_FILENO] = err.write.get();
    stderr_ = std::move(err.read);
  }
  spec_.fds[kEventFd] = events.write.get();
  spec_.env.push_back("FAKE_EVENT_FD=" + std::to_string(kEventFd));
  events_ = LineReader(std::move(events.read));
  process_ = Launch(spec_);
}

RuntimeRun::~RuntimeRun() {
  process_.KillTree();
  for (pid_t pid : descendants_) {
    if (ParentOf(pid) == getpid()) {
      kill(pid, SIGKILL);
      ReapWhenGone(pid, Deadline::Guard());
    }
  }
}

::testing::AssertionResult RuntimeRun::AwaitReady(FakeRecord* record) {
  std::string error;
  const bool complete = ReadFakeRecord(events_, Deadline::Guard(), record, &error);
  for (pid_t pid : DescendantsOf(process_.pid())) descendants_.insert(pid);
  if (complete) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << error;
}

std::string RuntimeRun::NextEvent() {
  const std::optional<std::string> line = events_.Next(Deadline::Guard());
  if (line) return *line;
  return events_.at_end() ? "<end of events>" : "<no event before the deadline>";
}

std::vector<std::string> RuntimeRun::RemainingEvents() {
  std::vector<std::string> lines;
  const Deadline deadline = Deadline::Guard();
  while (const std::optional<std::string> line = events_.Next(deadline)) lines.push_back(*line);
  if (!events_.at_end()) lines.push_back("<no end of events before the deadline>");
  return lines;
}

void RuntimeRun::Signal(int signo) { kill(process_.pid(), signo); }

std::string RuntimeRun::Finish() {
  const std::optional<int> status = process_.Wait(Deadline::Guard());
  if (!status) {
    process_.KillTree();
    return "still running at the deadline (killed)";
  }
  const Deadline deadline = Deadline::Guard();
  if (stdout_) out_ = ReadUntilEnd(stdout_.get(), deadline);
  if (stderr_) err_ = ReadUntilEnd(stderr_.get(), deadline);
  return DescribeWaitStatus(*status);
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t newline = text.find('\n', start);
    if (newline == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, newline - start));
    start = newline + 1;
  }
  return lines;
}

}  // namespace phantun_test
