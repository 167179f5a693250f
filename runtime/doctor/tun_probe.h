#ifndef PHANTUN_RUNTIME_DOCTOR_TUN_PROBE_H_
#define PHANTUN_RUNTIME_DOCTOR_TUN_PROBE_H_

#include "runtime/doctor/finding.h"

namespace phantun_runtime::doctor {

// What /dev/net/tun looks like to this process. Opening the clone device creates nothing (only a
// TUNSETIFF would), and TUNGETFEATURES only reads.
struct TunProbe {
  int stat_errno = 0;     // 0: the path exists
  bool is_char = false;
  unsigned major = 0;
  unsigned minor = 0;
  int open_errno = 0;     // 0: it opened read-write
  bool features_known = false;
  unsigned features = 0;  // TUNGETFEATURES flags
};

// The real /dev/net/tun, in two halves on either side of the read-only guard.
//
// OpenTunDevice: stat and the read-write open, before the guard. A seccomp filter sees the flags of
// an open but not its path, so it could only allow a read-write open of /dev/net/tun by allowing
// one of every file; the open itself creates nothing. *fd is the open descriptor, or -1.
TunProbe OpenTunDevice(int* fd);

// ReadTunFeatures: TUNGETFEATURES on that descriptor, under the guard (which allows that one ioctl
// on that one descriptor), then closes it. Does nothing when fd is -1.
void ReadTunFeatures(int fd, TunProbe* probe);

// tun.device and tun.multiqueue.
void CheckTun(const TunProbe& probe, bool in_container, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_TUN_PROBE_H_
