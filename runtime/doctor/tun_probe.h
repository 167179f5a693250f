#ifndef PHANTUN_RUNTIME_DOCTOR_TUN_PROBE_H_
#define PHANTUN_RUNTIME_DOCTOR_TUN_PROBE_H_

#include "runtime/doctor/finding.h"
#include "runtime/doctor/host.h"

namespace phantun_runtime::doctor {

// tun.device and tun.multiqueue, from Host::ProbeTun's answer.
void CheckTun(const TunProbe& probe, bool in_container, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_TUN_PROBE_H_
