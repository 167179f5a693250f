#ifndef PHANTUN_RUNTIME_DOCTOR_ROUTE_CHECKS_H_
#define PHANTUN_RUNTIME_DOCTOR_ROUTE_CHECKS_H_

#include "runtime/doctor/context.h"
#include "runtime/doctor/finding.h"

namespace phantun_runtime::doctor {

// route.path: where the kernel routes phantun's packets (after their NAT), asked with
// RTM_GETROUTE as `ip route get` does, so policy rules and every table count. A server's SYN must
// go out the TUN, a client's reply back to it, and no packet may meet a refusing route.
void CheckRoutes(const Context& context, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_ROUTE_CHECKS_H_
