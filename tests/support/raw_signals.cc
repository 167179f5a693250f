#include "tests/support/raw_signals.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace phantun_test {
namespace {

// The kernel's sigset_t: _NSIG bits in unsigned longs, signal N at bit (N-1) % W of word (N-1) / W.
// MIPS has 128 signals and its kernel refuses any other set size, so the set is sized per target;
// the fake phantun runs on every release architecture (tests/emulated), the harness on the host.
#if defined(__mips__)
constexpr int kKernelSignals = 128;
#else
constexpr int kKernelSignals = 64;
#endif
constexpr int kWordBits = 8 * sizeof(unsigned long);

struct KernelSet {
  unsigned long words[kKernelSignals / kWordBits] = {};
};

// Word by word rather than one memcpy of a uint64_t: on a 32-bit big-endian target (mips) the two
// halves of a uint64_t are in the opposite order to the kernel's two words.
KernelSet ToKernel(uint64_t mask) {
  KernelSet set;
  for (int signo = 1; signo <= kMaxSignal; ++signo) {
    if (mask & SignalBit(signo)) set.words[(signo - 1) / kWordBits] |= 1UL << ((signo - 1) % kWordBits);
  }
  return set;
}

uint64_t FromKernel(const KernelSet& set) {
  uint64_t mask = 0;
  for (int signo = 1; signo <= kMaxSignal; ++signo) {
    if (set.words[(signo - 1) / kWordBits] & (1UL << ((signo - 1) % kWordBits))) mask |= SignalBit(signo);
  }
  return mask;
}

// The kernel's struct sigaction (not the C library's). MIPS puts the flags first and has no
// restorer; x86_64, i686, arm and aarch64 share the other layout.
#if defined(__mips__)
struct KernelSigaction {
  unsigned int flags;
  void (*handler)(int);
  KernelSet mask;
};
#else
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  KernelSet mask;
};
#endif

constexpr unsigned long kKernelSetSize = sizeof(KernelSet);

}  // namespace

bool GetSignalMask(uint64_t* mask) {
  KernelSet set;
  if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, nullptr, &set, kKernelSetSize) != 0) return false;
  *mask = FromKernel(set);
  return true;
}

bool SetSignalMask(uint64_t mask) {
  const KernelSet set = ToKernel(mask);
  return syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, nullptr, kKernelSetSize) == 0;
}

bool IsIgnored(int signo) {
  KernelSigaction current{};
  if (syscall(SYS_rt_sigaction, signo, nullptr, &current, kKernelSetSize) != 0) return false;
  return current.handler == SIG_IGN;
}

bool SetIgnored(int signo, bool ignore) {
  KernelSigaction action{};
  action.handler = ignore ? SIG_IGN : SIG_DFL;
  return syscall(SYS_rt_sigaction, signo, &action, nullptr, kKernelSetSize) == 0;
}

int OpenSignalFd(uint64_t mask) {
  const KernelSet set = ToKernel(mask);
  return static_cast<int>(syscall(SYS_signalfd4, -1, &set, kKernelSetSize, SFD_CLOEXEC));
}

bool RaiseInThisThread(int signo) {
  return syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), signo) == 0;
}

}  // namespace phantun_test
