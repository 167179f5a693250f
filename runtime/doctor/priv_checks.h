#ifndef PHANTUN_RUNTIME_DOCTOR_PRIV_CHECKS_H_
#define PHANTUN_RUNTIME_DOCTOR_PRIV_CHECKS_H_

#include "runtime/doctor/finding.h"
#include "runtime/doctor/process_facts.h"

namespace phantun_runtime::doctor {

// The priv.* checks: priv.net_admin, priv.extra_caps, priv.privileged, priv.no_new_privs and
// priv.seccomp.
void CheckPrivileges(const ProcessFacts& facts, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_PRIV_CHECKS_H_
