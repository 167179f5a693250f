// A stand-in for phantun_client / phantun_server in the emulated tests, built for the same target
// as the runtime under test (it runs under the same qemu-user). It only reports what it was given:
//
//   FAKE_RECORD=FILE  append one line per fact to FILE (required; exit 99 without it):
//                       argc N
//                       argv[I] HEX        every argument, argv[0] included, as lowercase hex
//                                          (an empty argument gives "argv[I] ")
//                       env MODE HEX       MODE as phantun saw it ("env MODE -" when unset)
//                       ready              (FAKE_WAIT only) signals are blocked, waiting
//                       signal NAME        (FAKE_WAIT only) one line per signal received
//   FAKE_EXIT=N       then exit with status N (0..255)
//   FAKE_RAISE=NAME   then kill itself with signal NAME (TERM, KILL, USR1, ...)
//   FAKE_WAIT=1       then wait for signals and record each; TERM and INT end it by that same
//                     signal (default action), so phantun-run's status is 128 + the target's number
//   (none of the three: exit 0)
//
// Signal names, not numbers, go into the record: the numbers differ between targets (SIGUSR1 is 10
// on x86 and ARM, 16 on MIPS), and the shell script comparing the record runs on the host.
// Only the C library is used, and every line is a single write(2) with O_APPEND, so the test can
// poll the file while the fake runs.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace {

struct NamedSignal {
  const char* name;
  int number;
};

constexpr NamedSignal kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"USR1", SIGUSR1},   {"USR2", SIGUSR2},
    {"TERM", SIGTERM}, {"KILL", SIGKILL}, {"ALRM", SIGALRM}, {"WINCH", SIGWINCH}, {"CONT", SIGCONT},
};

int SignalByName(const char* name) {
  for (const NamedSignal& s : kSignals) {
    if (strcmp(s.name, name) == 0) return s.number;
  }
  return 0;
}

const char* SignalName(int number) {
  for (const NamedSignal& s : kSignals) {
    if (s.number == number) return s.name;
  }
  return "OTHER";
}

int record_fd = -1;

// One line, one write: appended atomically so a reader never sees half of it.
void Record(const char* a, const char* b = "", const char* c = "") {
  static char line[1 << 18];
  size_t n = 0;
  const char* parts[] = {a, b, c};
  for (const char* part : parts) {
    const size_t len = strlen(part);
    if (n + len + 1 >= sizeof line) _exit(98);
    memcpy(line + n, part, len);
    n += len;
  }
  line[n++] = '\n';
  if (write(record_fd, line, n) != static_cast<ssize_t>(n)) _exit(97);
}

// Lowercase hex of a NUL-terminated string, in a buffer that lives until the next call.
const char* Hex(const char* bytes) {
  static char out[1 << 17];
  static const char kDigits[] = "0123456789abcdef";
  size_t n = 0;
  for (const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes); *p != 0; ++p) {
    if (n + 3 > sizeof out) _exit(96);
    out[n++] = kDigits[*p >> 4];
    out[n++] = kDigits[*p & 15];
  }
  out[n] = 0;
  return out;
}

void Die(int signo) {
  signal(signo, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signo);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  raise(signo);
  _exit(95);  // not reached for TERM, INT and KILL
}

[[noreturn]] void WaitForSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (const NamedSignal& s : kSignals) {
    if (s.number != SIGKILL) sigaddset(&set, s.number);
  }
  sigprocmask(SIG_BLOCK, &set, nullptr);
  Record("ready");
  for (;;) {
    const int signo = sigwaitinfo(&set, nullptr);
    if (signo < 0) continue;  // EINTR
    Record("signal ", SignalName(signo));
    if (signo == SIGTERM || signo == SIGINT) Die(signo);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* path = getenv("FAKE_RECORD");
  if (path == nullptr || *path == 0) return 99;
  record_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (record_fd < 0) return 99;

  char label[32];
  snprintf(label, sizeof label, "%d", argc);
  Record("argc ", label);
  for (int i = 0; i < argc; ++i) {
    snprintf(label, sizeof label, "argv[%d] ", i);
    Record(label, Hex(argv[i]));
  }
  const char* mode = getenv("MODE");
  Record("env MODE ", mode == nullptr ? "-" : Hex(mode));

  if (const char* code = getenv("FAKE_EXIT")) return atoi(code) & 255;
  if (const char* name = getenv("FAKE_RAISE")) {
    const int signo = SignalByName(name);
    if (signo == 0) return 94;
    Die(signo);
  }
  if (getenv("FAKE_WAIT") != nullptr) WaitForSignals();
  return 0;
}
