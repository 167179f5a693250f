#include "runtime/run/signal_mask.h"

#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

namespace phantun_runtime {
namespace {

constexpr unsigned long long kAllSignals = ~0ULL;

}  // namespace

bool BlockAllSignals(KernelSignalMask* previous) {
  return syscall(SYS_rt_sigprocmask, SIG_SETMASK, &kAllSignals, &previous->bits, sizeof kAllSignals) == 0;
}

bool SetSignalMask(const KernelSignalMask& mask) {
  return syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask.bits, nullptr, sizeof mask.bits) == 0;
}

int OpenSignalFdForAllSignals() {
  // The kernel reads only the first 8 bytes (_NSIG / 8) of the set; fill the whole C-library type
  // so that no implementation's notion of reserved signals clears a bit.
  sigset_t all;
  std::memset(&all, 0xff, sizeof all);
  return signalfd(-1, &all, SFD_CLOEXEC);
}

}  // namespace phantun_runtime
