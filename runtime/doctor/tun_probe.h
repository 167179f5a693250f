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

// Looks at the real /dev/net/tun. Runs before the read-only guard is installed, since the guard
// refuses read-write opens and ioctls.
TunProbe ProbeTun();

// tun.device and tun.multiqueue.
void CheckTun(const TunProbe& probe, bool in_container, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_TUN_PROBE_H_
