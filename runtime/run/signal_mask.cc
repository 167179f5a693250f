#include "runtime/run/signal_mask.h"

#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace phantun_runtime {
namespace {

KernelSignalMask AllSignals() {
  KernelSignalMask all;
  for (unsigned long long& word : all.bits) word = ~0ULL;
  return all;
}

}  // namespace

Status BlockAllSignals(KernelSignalMask* previous) {
  const KernelSignalMask all = AllSignals();
  if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, all.bits, previous->bits, sizeof all.bits) == 0) return Status();
  return Status(Status::Code::kUnavailable, absl::StrCat("cannot block signals: ", strerror(errno)), errno);
}

bool SetSignalMask(const KernelSignalMask& mask) {
  return syscall(SYS_rt_sigprocmask, SIG_SETMASK, mask.bits, nullptr, sizeof mask.bits) == 0;
}

bool TakeBackSigchld() {
  struct sigaction previous;
  if (sigaction(SIGCHLD, nullptr, &previous) != 0 || previous.sa_handler != SIG_IGN) return false;
  signal(SIGCHLD, SIG_DFL);
  return true;
}

StatusOr<int> OpenSignalFdForAllSignals() {
  // The kernel reads only the first _NSIG / 8 bytes of the set (8, or 16 on MIPS); fill the whole
  // C-library type so that no implementation's notion of reserved signals clears a bit.
  sigset_t all;
  std::memset(&all, 0xff, sizeof all);
  const int fd = signalfd(-1, &all, SFD_CLOEXEC);
  if (fd >= 0) return fd;
  return Status(Status::Code::kUnavailable, absl::StrCat("cannot create a signalfd: ", strerror(errno)), errno);
}

}  // namespace phantun_runtime
