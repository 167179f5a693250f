#ifndef PHANTUN_TESTS_SUPPORT_LAUNCHER_H_
#define PHANTUN_TESTS_SUPPORT_LAUNCHER_H_

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/deadline.h"
#include "tests/support/unique_fd.h"

namespace phantun_test {

// Everything about the start of a process that the contract talks about, set explicitly, so that
// no test depends on how Bazel happened to start the test binary.
struct LaunchSpec {
  std::string path;               // the file to execute
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> env;   // the whole environment, entries exactly as given
  std::map<int, int> fds;         // target descriptor -> the test's descriptor to put there; every
                                  // other descriptor is closed, these are left without close-on-exec
  std::string cwd;                // start directory; empty: the test's own
  uint64_t mask = 0;              // the signal mask at execve (bit N-1 = signal N)
  std::vector<int> ignored;       // signals set to SIG_IGN; all others are SIG_DFL
  int pending_signal = 0;         // blocked and sent to itself just before execve (still pending
                                  // in the new program: pending signals survive execve)
  bool pending_via_kill = false;  // send it with kill(getpid()) instead of tgkill (raise)
  bool new_pid_namespace = false; // start as PID 1 of a new PID namespace (needs root)
  std::string mount_namespace;    // a /proc/<pid>/ns/mnt to enter first (see mount_namespace.h);
                                  // empty: the test's own. The start directory is then looked up there
  std::optional<mode_t> umask;    // the umask at execve; unset: the test's own
  std::optional<rlim_t> file_size_limit;   // RLIMIT_FSIZE, soft and hard; unset: the test's own
  std::vector<int> dropped_capabilities;   // taken out of the bounding set, so that a process started
                                           // as root runs without them (CAP_DAC_OVERRIDE: permissions
                                           // then apply to root too)
  bool controlling_terminal = false;       // a new session whose controlling terminal is descriptor
                                           // 0, with the process in its foreground, as a login shell
  bool refuse_subreaper = false;           // a seccomp filter makes prctl(PR_SET_CHILD_SUBREAPER)
                                           // fail with EPERM, as a strict container profile may
};

// A started process. Destruction kills it and all of its descendants, and reaps them.
class Process {
 public:
  Process() = default;
  Process(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  ~Process();

  // The pid in the test's PID namespace.
  pid_t pid() const { return pid_; }

  // Waits for the exit (through a pidfd, no polling) and reaps. The wait status, or nullopt when
  // it still runs at the deadline.
  std::optional<int> Wait(Deadline deadline);

  // Not exited yet.
  bool Running();

  // SIGKILLs the process and every descendant, then reaps them all.
  void KillTree();

 private:
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  std::optional<int> status_;
};

// Forks (or clones into a new PID namespace), sets up the child as `spec` says and executes it.
// If that set-up fails, the child writes why to its descriptor 2 and exits with kLaunchFailed.
Process Launch(const LaunchSpec& spec);
inline constexpr int kLaunchFailed = 125;

// Waits until `pid` has left /proc, reaping it if it is (or becomes, through the test's child
// subreaper flag) a child of the test. False at the deadline.
bool ReapWhenGone(pid_t pid, Deadline deadline);

// "exited N", "killed by signal N": readable in a failed EXPECT_EQ.
std::string DescribeWaitStatus(int status);
std::string Exited(int code);
std::string KilledBy(int signo);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_LAUNCHER_H_
