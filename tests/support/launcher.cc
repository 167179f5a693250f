#include "tests/support/launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/fatal.h"
#include "tests/support/proc_fs.h"
#include "tests/support/raw_signals.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

namespace phantun_test {
namespace {

// Sources are first moved up here, above every target, so that placing one target cannot
// overwrite a source still to be placed.
constexpr int kScratchFd = 512;

// The seccomp filter must name the architecture whose system-call numbers it compares.
#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#endif

// In the child, before execve: say which step failed on descriptor 2 and give up.
[[noreturn]] void ChildFail(const char* step) {
  const std::string message = std::string("launcher: ") + step + ": " + strerror(errno) + "\n";
  if (write(STDERR_FILENO, message.data(), message.size()) < 0) {
    // Nothing left to report to.
  }
  _exit(kLaunchFailed);
}

void PlaceDescriptors(const std::map<int, int>& fds) {
  std::vector<std::pair<int, int>> moved;  // target -> scratch copy
  for (const auto& [target, source] : fds) {
    if (target >= kScratchFd) {
      errno = EINVAL;
      ChildFail("target descriptor too high");
    }
    const int scratch = fcntl(source, F_DUPFD_CLOEXEC, kScratchFd);
    if (scratch < 0) ChildFail("F_DUPFD");
    moved.emplace_back(target, scratch);
  }
  for (const auto& [target, scratch] : moved) {
    if (dup2(scratch, target) < 0) ChildFail("dup2");  // dup2 leaves the target inheritable
  }
  // Close everything else, the scratch copies included: the gaps between the sorted targets.
  unsigned int first = 0;
  for (const auto& [target, source] : fds) {
    if (static_cast<unsigned int>(target) > first) syscall(SYS_close_range, first, target - 1, 0);
    first = static_cast<unsigned int>(target) + 1;
  }
  if (syscall(SYS_close_range, first, ~0U, 0) != 0) ChildFail("close_range");
}

// setns() puts the caller at the namespace's own root, which is the test's root only when the test
// runs at the top of its mount namespace: in a chroot (a fresh Debian root entered for a test run)
// it is the host's. So the holder's root (/proc/<pid>/root beside /proc/<pid>/ns/mnt, the test's
// own, since the holder was forked from it) is opened first and entered after the setns.
void EnterMountNamespace(const std::string& ns_path) {
  const std::string root_path = ns_path.substr(0, ns_path.rfind("/ns/")) + "/root";
  const int root = open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) ChildFail("open the namespace holder's root");
  const int fd = open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) ChildFail("open mount namespace");
  if (setns(fd, CLONE_NEWNS) != 0) ChildFail("setns(CLONE_NEWNS)");
  close(fd);
  if (fchdir(root) != 0 || chroot(".") != 0) ChildFail("enter the namespace holder's root");
  close(root);
}

// Limits and privileges: inherited through execve, so set here rather than in the runtime.
void SetLimits(const LaunchSpec& spec) {
  if (spec.umask) umask(*spec.umask);
  if (spec.file_size_limit) {
    const rlimit limit = {*spec.file_size_limit, *spec.file_size_limit};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) ChildFail("setrlimit(RLIMIT_FSIZE)");
  }
  for (int capability : spec.dropped_capabilities) {
    if (prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0) ChildFail("PR_CAPBSET_DROP");
  }
}

// A seccomp filter under which prctl(PR_SET_CHILD_SUBREAPER, ...) fails with EPERM and every other
// system call, and every other prctl, is allowed.
void RefuseSubreaper() {
  const sock_filter program[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_prctl, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_CHILD_SUBREAPER, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  const sock_fprog filter = {static_cast<unsigned short>(sizeof program / sizeof program[0]),
                             const_cast<sock_filter*>(program)};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ChildFail("PR_SET_NO_NEW_PRIVS");
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) != 0) ChildFail("PR_SET_SECCOMP");
}

[[noreturn]] void SetUpAndExec(const LaunchSpec& spec, char* const* argv, char* const* envp) {
  PlaceDescriptors(spec.fds);
  if (spec.controlling_terminal && (setsid() < 0 || ioctl(STDIN_FILENO, TIOCSCTTY, 0) != 0)) {
    ChildFail("controlling terminal");
  }
  // setns() moves the working directory to the namespace's root: the start directory comes after.
  if (!spec.mount_namespace.empty()) EnterMountNamespace(spec.mount_namespace);
  if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) ChildFail("chdir");
  SetLimits(spec);
  for (int signo = 1; signo <= kMaxSignal; ++signo) {
    if (signo != SIGKILL && signo != SIGSTOP && !SetIgnored(signo, false)) ChildFail("reset disposition");
  }
  for (int signo : spec.ignored) {
    if (!SetIgnored(signo, true)) ChildFail("ignore signal");
  }
  const uint64_t pending_bit = spec.pending_signal != 0 ? SignalBit(spec.pending_signal) : 0;
  if (!SetSignalMask(spec.mask | pending_bit)) ChildFail("set signal mask");
  if (spec.pending_signal != 0) {
    const bool sent = spec.pending_via_kill ? kill(getpid(), spec.pending_signal) == 0
                                            : RaiseInThisThread(spec.pending_signal);
    if (!sent) ChildFail("send pending signal");
  }
  if (spec.refuse_subreaper) RefuseSubreaper();
  execve(spec.path.c_str(), argv, envp);
  ChildFail("execve");
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

Process::Process(Process&& other) noexcept
    : pid_(other.pid_), pidfd_(std::move(other.pidfd_)), status_(other.status_) {
  other.pid_ = -1;
}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !status_) KillTree();
    pid_ = other.pid_;
    pidfd_ = std::move(other.pidfd_);
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

Process::~Process() {
  if (pid_ > 0 && !status_) KillTree();
}

std::optional<int> Process::Wait(Deadline deadline) {
  while (!status_) {
    pollfd entry{pidfd_.get(), POLLIN, 0};
    const int ready = poll(&entry, 1, deadline.RemainingMs());
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    int status;
    const pid_t reaped = waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) status_ = status;
    if (reaped < 0 && errno != EINTR) FatalSystemError("waitpid " + std::to_string(pid_));
  }
  return status_;
}

bool Process::Running() {
  if (status_) return false;
  pollfd entry{pidfd_.get(), POLLIN, 0};
  return poll(&entry, 1, 0) == 0;
}

void Process::KillTree() {
  if (pid_ <= 0 || status_) return;
  const std::vector<pid_t> descendants = DescendantsOf(pid_);
  for (pid_t pid : descendants) kill(pid, SIGKILL);
  kill(pid_, SIGKILL);
  if (!Wait(Deadline::Guard())) FatalSystemError("process " + std::to_string(pid_) + " survived SIGKILL");
  for (pid_t pid : descendants) ReapWhenGone(pid, Deadline::Guard());
}

Process Launch(const LaunchSpec& spec) {
  // Processes the runtime leaves behind (phantun after the runtime was SIGKILLed) are re-parented
  // to the test rather than to the system's init, so the test can reap them.
  static const bool subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
  if (!subreaper) FatalSystemError("PR_SET_CHILD_SUBREAPER");
  // Everything the child needs is built before the fork.
  const std::vector<char*> argv = CStrings(spec.argv);
  const std::vector<char*> envp = CStrings(spec.env);
  const pid_t pid = spec.new_pid_namespace
                        ? static_cast<pid_t>(syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, nullptr, nullptr, nullptr, nullptr))
                        : fork();
  if (pid < 0) FatalSystemError(spec.new_pid_namespace ? "clone(CLONE_NEWPID)" : "fork");
  if (pid == 0) SetUpAndExec(spec, argv.data(), envp.data());
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) FatalSystemError("pidfd_open");
  return Process(pid, UniqueFd(pidfd));
}

bool ReapWhenGone(pid_t pid, Deadline deadline) {
  return PollUntil(
      [pid] {
        waitpid(pid, nullptr, WNOHANG);  // ECHILD while it is someone else's child
        return !ProcessExists(pid);
      },
      deadline);
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return Exited(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return KilledBy(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

std::string Exited(int code) { return "exited " + std::to_string(code); }

std::string KilledBy(int signo) { return "killed by signal " + std::to_string(signo); }

}  // namespace phantun_test
