// fake_phantun: stands in for phantun_client and phantun_server in every test that needs one: the
// integration tests (the harness in this folder, on the build host) and the emulated-architecture
// tests (tests/emulated/emulated_test.sh, with the fake built for each release target and run under
// qemu-user), so both hold phantun-run to the same record of what phantun was given.
//
// phantun-run passes the environment through unchanged, so the environment is how a test drives
// the fake; the fake reports on a descriptor the test gave it (a pipe, or a file opened for
// appending), one line per event, so the test sees exactly what phantun would have been given.
// Signal numbers in the events and variables are the target's own (SIGUSR1 is 16 on MIPS).
//
// Environment:
//   FAKE_EVENT_FD=N     the inherited descriptor to report on (without it the fake reports nothing)
//   FAKE_STDOUT=TEXT    written to stdout at start; FAKE_STDERR=TEXT likewise to stderr
//   FAKE_EXIT=N         the exit status (default 0)
//   FAKE_EXIT_ON=SIGNO  after "ready", report every signal and exit once SIGNO has arrived;
//                       "never": until killed. Unset: exit right after "ready".
//   FAKE_DEFAULT=SIGNO  leave SIGNO unblocked with its default action (upstream phantun installs no
//                       SIGTERM handler: FAKE_DEFAULT=15 dies of SIGTERM just like it)
//   FAKE_CRASH=segv     after "ready", store through a null pointer (a real SIGSEGV); after it, so
//                       that a test sees the whole record of a phantun that then crashes
//   FAKE_RAISE=SIGNO    end by dying of SIGNO (default action restored, unblocked, sent to itself)
//                       where it would otherwise exit: right after "ready", or once FAKE_EXIT_ON's
//                       signal arrived; for a signal whose default action kills (KILL, TERM, USR1)
//   FAKE_ORPHANS=N      double-fork N grandchildren, which become orphans; each one blocks reading
//   FAKE_ORPHAN_FD=N    FAKE_ORPHAN_FD and exits at end of file, so all exit together when the test
//                       closes the pipe's write end
//
// Events (parsed by fake_record.cc):
//   orphan PID          one per grandchild, then "orphans-ready" (with FAKE_ORPHANS)
//   the record, of the state the fake was started in:
//     arg HEX           one per argv element
//     env HEX           one per environ entry
//     fd N HEX          one per open descriptor, with its /proc/self/fd link target
//     mask HEX          the initial signal mask, 64 bits (bit N-1 = signal N)
//     ignored N N ...   the signals whose disposition is SIG_IGN
//     pid N / ppid N / pgid N / cwd HEX / exe HEX
//     parent-cwd HEX    the parent's (phantun-run's) working directory, read first thing in main()
//     iface HEX         with IFACE_FILE set: the file's exact bytes, read by the fake once it
//     iface-error N     runs (what a reader of the interface-name handoff sees), or the errno of
//                       the failed open or read
//   ready               all signals but FAKE_DEFAULT are blocked and read from a signalfd
//   signal N            every signal received
//   exit N              just before exiting
//   raise N             (FAKE_RAISE) just before dying of signal N
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/hex.h"
#include "tests/support/raw_signals.h"

extern char** environ;

namespace {

using phantun_test::HexEncode;
using phantun_test::kMaxSignal;
using phantun_test::SignalBit;

int g_event_fd = -1;

bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void Emit(const std::string& line) {
  // Once the test stopped reading, stop writing: each write to the closed pipe would raise
  // another SIGPIPE, which the fake would report with another write, forever.
  if (g_event_fd >= 0 && !WriteAll(g_event_fd, line + "\n")) g_event_fd = -1;
}

[[noreturn]] void Exit(int status) {
  Emit("exit " + std::to_string(status));
  _exit(status);
}

// A number from the environment, or `fallback` when the variable is unset.
long EnvNumber(const char* name, long fallback) {
  const char* value = getenv(name);
  return value == nullptr ? fallback : strtol(value, nullptr, 10);
}

// The end of a fake that was not killed from outside: exit with `status`, or with FAKE_RAISE die of
// that signal, so that a test sees phantun-run report a phantun killed by it (128+N).
[[noreturn]] void Finish(int status) {
  const long signo = EnvNumber("FAKE_RAISE", 0);
  if (signo <= 0 || signo > kMaxSignal) Exit(status);
  Emit("raise " + std::to_string(signo));
  uint64_t mask = 0;
  phantun_test::GetSignalMask(&mask);
  phantun_test::SetIgnored(static_cast<int>(signo), false);
  phantun_test::SetSignalMask(mask & ~SignalBit(static_cast<int>(signo)));
  phantun_test::RaiseInThisThread(static_cast<int>(signo));
  Exit(94);  // reached only for a signal whose default action does not kill
}

// What the fake was started with, read before it changes anything.
struct StartState {
  uint64_t mask = 0;
  std::vector<int> ignored;
  std::vector<std::pair<int, std::string>> fds;
  bool has_iface = false;  // IFACE_FILE set and not empty
  std::string iface;       // its content
  int iface_error = 0;     // or why it could not be read
};

std::string LinkTarget(const std::string& path) {
  char target[PATH_MAX];
  const ssize_t n = readlink(path.c_str(), target, sizeof target);
  return n < 0 ? std::string() : std::string(target, static_cast<size_t>(n));
}

StartState ReadStartState() {
  StartState state;
  phantun_test::GetSignalMask(&state.mask);
  for (int signo = 1; signo <= kMaxSignal; ++signo) {
    if (phantun_test::IsIgnored(signo)) state.ignored.push_back(signo);
  }
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return state;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = atoi(entry->d_name);
    if (fd == dirfd(dir)) continue;  // the listing's own descriptor
    state.fds.emplace_back(fd, LinkTarget(std::string("/proc/self/fd/") + entry->d_name));
  }
  closedir(dir);
  return state;
}

// Reads IFACE_FILE the way a reader of the handoff would, after the descriptor listing so that
// its own descriptor is not in the record. O_NONBLOCK: a FIFO there must not hang the fake.
void ReadInterfaceFile(StartState* state) {
  const char* path = getenv("IFACE_FILE");
  if (path == nullptr || path[0] == '\0') return;
  state->has_iface = true;
  const int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    state->iface_error = errno;
    return;
  }
  for (;;) {
    char chunk[4096];
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) state->iface_error = errno;
    if (n <= 0) break;
    state->iface.append(chunk, static_cast<size_t>(n));
  }
  close(fd);
}

void EmitRecord(int argc, char** argv, const StartState& state, const std::string& parent_cwd) {
  for (int i = 0; i < argc; ++i) Emit("arg " + HexEncode(argv[i]));
  for (char** entry = environ; *entry != nullptr; ++entry) Emit("env " + HexEncode(*entry));
  for (const auto& [fd, target] : state.fds) Emit("fd " + std::to_string(fd) + " " + HexEncode(target));
  char mask[32];
  snprintf(mask, sizeof mask, "%016llx", static_cast<unsigned long long>(state.mask));
  Emit(std::string("mask ") + mask);
  std::string ignored = "ignored";
  for (int signo : state.ignored) ignored += " " + std::to_string(signo);
  Emit(ignored);
  Emit("pid " + std::to_string(getpid()));
  Emit("ppid " + std::to_string(getppid()));
  Emit("pgid " + std::to_string(getpgrp()));
  char cwd[PATH_MAX];
  Emit("cwd " + HexEncode(getcwd(cwd, sizeof cwd) != nullptr ? cwd : ""));
  Emit("exe " + HexEncode(LinkTarget("/proc/self/exe")));
  Emit("parent-cwd " + HexEncode(parent_cwd));
  if (state.has_iface && state.iface_error != 0) Emit("iface-error " + std::to_string(state.iface_error));
  if (state.has_iface && state.iface_error == 0) Emit("iface " + HexEncode(state.iface));
}

[[noreturn]] void Crash() {
  volatile uintptr_t address = 0;  // volatile: the compiler cannot see the store is to null
  *reinterpret_cast<volatile int*>(address) = 1;
  Exit(1);  // not reached
}

// A grandchild: holds nothing but `hold_fd` open and exits once it reads end of file from it.
[[noreturn]] void BlockUntilEndOfFile(int hold_fd) {
  for (int fd = 0; fd < 1024; ++fd) {
    if (fd != hold_fd) close(fd);  // keep none of the test's pipes open
  }
  for (;;) {
    char byte;
    const ssize_t n = read(hold_fd, &byte, 1);
    if (n == 0 || (n < 0 && errno != EINTR)) _exit(0);
  }
}

// Each grandchild's parent exits at once, so the grandchild is re-parented to the nearest child
// subreaper or PID 1: phantun-run.
void StartOrphans(long count, int hold_fd) {
  for (long i = 0; i < count; ++i) {
    const pid_t middle = fork();
    if (middle < 0) Exit(90);
    if (middle == 0) {
      const pid_t orphan = fork();
      if (orphan == 0) BlockUntilEndOfFile(hold_fd);
      Emit("orphan " + std::to_string(orphan));
      _exit(0);
    }
    while (waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  Emit("orphans-ready");
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything else: what the runtime holds as its working directory once phantun runs.
  const std::string parent_cwd = LinkTarget("/proc/" + std::to_string(getppid()) + "/cwd");
  g_event_fd = static_cast<int>(EnvNumber("FAKE_EVENT_FD", -1));
  StartState state = ReadStartState();
  ReadInterfaceFile(&state);
  // Deaths on purpose (FAKE_CRASH, FAKE_DEFAULT=3) leave no core file behind.
  const rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);

  // Before blocking signals, so that the SIGCHLDs of the fake's own short-lived children are
  // discarded (default action) instead of being queued and reported as signals sent to phantun.
  if (const long orphans = EnvNumber("FAKE_ORPHANS", 0); orphans > 0) {
    StartOrphans(orphans, static_cast<int>(EnvNumber("FAKE_ORPHAN_FD", -1)));
  }

  // Every signal goes through the signalfd (musl's reserved 32-34 included, hence the raw mask),
  // except FAKE_DEFAULT, which keeps its default action.
  const long default_signal = EnvNumber("FAKE_DEFAULT", 0);
  uint64_t blocked = ~uint64_t{0};
  if (default_signal > 0 && default_signal <= kMaxSignal) {
    blocked &= ~SignalBit(static_cast<int>(default_signal));
    phantun_test::SetIgnored(static_cast<int>(default_signal), false);
  }
  if (!phantun_test::SetSignalMask(blocked)) Exit(91);
  const int signal_fd = phantun_test::OpenSignalFd(blocked);
  if (signal_fd < 0) Exit(92);

  EmitRecord(argc, argv, state, parent_cwd);
  if (const char* text = getenv("FAKE_STDOUT")) WriteAll(STDOUT_FILENO, text);
  if (const char* text = getenv("FAKE_STDERR")) WriteAll(STDERR_FILENO, text);
  Emit("ready");
  if (const char* crash = getenv("FAKE_CRASH"); crash != nullptr && strcmp(crash, "segv") == 0) Crash();

  const int status = static_cast<int>(EnvNumber("FAKE_EXIT", 0));
  const char* exit_on = getenv("FAKE_EXIT_ON");
  if (exit_on == nullptr) Finish(status);
  const long exit_signal = strcmp(exit_on, "never") == 0 ? 0 : strtol(exit_on, nullptr, 10);
  for (;;) {
    signalfd_siginfo info;
    const ssize_t n = read(signal_fd, &info, sizeof info);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof info)) Exit(93);
    Emit("signal " + std::to_string(info.ssi_signo));
    if (static_cast<long>(info.ssi_signo) == exit_signal) Finish(status);
  }
}
