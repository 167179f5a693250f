#ifndef PHANTUN_RUNTIME_DOCTOR_FWD_CHECKS_H_
#define PHANTUN_RUNTIME_DOCTOR_FWD_CHECKS_H_

#include "runtime/doctor/context.h"
#include "runtime/doctor/finding.h"

namespace phantun_runtime::doctor {

// The fwd.* checks.

// fwd.ipv4, fwd.iface, fwd.ipv6 and fwd.rp_filter: the forwarding sysctls.
void CheckForwarding(const Context& context, Report* report);

// fwd.chains: would the forward-hook chains pass phantun's TCP both ways between the TUN and the
// WAN? A backend that could not be read turns a pass into `skip`; the fix is written for the
// backend the host already uses.
void CheckForwardChains(const Context& context, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_FWD_CHECKS_H_
