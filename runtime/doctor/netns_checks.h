#ifndef PHANTUN_RUNTIME_DOCTOR_NETNS_CHECKS_H_
#define PHANTUN_RUNTIME_DOCTOR_NETNS_CHECKS_H_

#include "runtime/doctor/context.h"
#include "runtime/doctor/finding.h"

namespace phantun_runtime::doctor {

// netns.host: is this the host's network namespace (where the admin's NAT rules live)?
void CheckNamespace(const Context& context, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_NETNS_CHECKS_H_
