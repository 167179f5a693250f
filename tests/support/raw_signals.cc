#include "tests/support/raw_signals.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace phantun_test {
namespace {

// The kernel's struct sigaction (not the C library's) as x86_64, aarch64 and i686 define it; the
// integration tests run on the build host, so other layouts (mips) are not needed.
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  uint64_t mask;
};

constexpr unsigned long kKernelMaskSize = sizeof(uint64_t);

}  // namespace

bool GetSignalMask(uint64_t* mask) {
  return syscall(SYS_rt_sigprocmask, SIG_BLOCK, nullptr, mask, kKernelMaskSize) == 0;
}

bool SetSignalMask(uint64_t mask) {
  return syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, nullptr, kKernelMaskSize) == 0;
}

bool IsIgnored(int signo) {
  KernelSigaction current{};
  if (syscall(SYS_rt_sigaction, signo, nullptr, &current, kKernelMaskSize) != 0) return false;
  return current.handler == SIG_IGN;
}

bool SetIgnored(int signo, bool ignore) {
  KernelSigaction action{};
  action.handler = ignore ? SIG_IGN : SIG_DFL;
  return syscall(SYS_rt_sigaction, signo, &action, nullptr, kKernelMaskSize) == 0;
}

int OpenSignalFd(uint64_t mask) {
  return static_cast<int>(syscall(SYS_signalfd4, -1, &mask, kKernelMaskSize, SFD_CLOEXEC));
}

bool RaiseInThisThread(int signo) {
  return syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), signo) == 0;
}

}  // namespace phantun_test
