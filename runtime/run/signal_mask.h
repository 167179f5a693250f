#ifndef PHANTUN_RUNTIME_RUN_SIGNAL_MASK_H_
#define PHANTUN_RUNTIME_RUN_SIGNAL_MASK_H_

#include <signal.h>

#include "runtime/run/signal_policy.h"
#include "runtime/status.h"

namespace phantun_runtime {

// The kernel's view of a signal mask: one bit per signal 1..kMaxSignal, in 64-bit words (one on
// most architectures, two on MIPS, whose kernel refuses any other size). Kept raw (not sigset_t)
// because the C library hides the real-time signals it reserves for itself, and phantun must start
// with exactly the mask phantun-run was started with, those bits included.
struct KernelSignalMask {
  unsigned long long bits[(kMaxSignal + 63) / 64] = {};
};

// Blocks every signal (SIGKILL and SIGSTOP excepted by the kernel) and returns the previous mask.
Status BlockAllSignals(KernelSignalMask* previous);

// Installs `mask` as the calling thread's signal mask. Async-signal-safe (it runs between fork and
// execve, where no message can be built), hence false with errno rather than a Status.
bool SetSignalMask(const KernelSignalMask& mask);

// With SIGCHLD ignored the kernel would reap phantun itself and its status would be lost, so the
// runtime takes the default action back for itself (and hands SIG_IGN on to phantun, see
// SpawnRequest). Returns whether it was ignored.
bool TakeBackSigchld();

// A signalfd(2) that reports every signal, close-on-exec.
StatusOr<int> OpenSignalFdForAllSignals();

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_SIGNAL_MASK_H_
