#ifndef PHANTUN_TESTS_SUPPORT_RAW_SIGNALS_H_
#define PHANTUN_TESTS_SUPPORT_RAW_SIGNALS_H_

#include <stdint.h>

namespace phantun_test {

// The kernel's signal interfaces with nothing in between. musl hides signals 32-34 (its own) from
// sigprocmask, sigaction and sigfillset, but the contract covers all 64, so masks here are the
// kernel's raw signal sets as one 64-bit word: bit N-1 stands for signal N. On MIPS, whose kernel
// has 128 signals, a mask set here leaves 65-127 unblocked and a mask read here omits them.
inline constexpr int kMaxSignal = 64;

constexpr uint64_t SignalBit(int signo) { return uint64_t{1} << (signo - 1); }

// The calling thread's signal mask.
bool GetSignalMask(uint64_t* mask);
bool SetSignalMask(uint64_t mask);

// Whether signo's disposition is SIG_IGN (false also when it cannot be read).
bool IsIgnored(int signo);

// Sets signo to SIG_IGN (ignore = true) or SIG_DFL. Never installs a handler.
bool SetIgnored(int signo, bool ignore);

// A close-on-exec signalfd for exactly the signals in `mask`; -1 with errno on failure.
int OpenSignalFd(uint64_t mask);

// Sends signo to the calling thread (raise(3) without the C library's cached thread id, which is
// stale in a child made by a raw clone(2)).
bool RaiseInThisThread(int signo);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_RAW_SIGNALS_H_
