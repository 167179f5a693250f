#ifndef PHANTUN_RUNTIME_DOCTOR_INTERFACE_CHECKS_H_
#define PHANTUN_RUNTIME_DOCTOR_INTERFACE_CHECKS_H_

#include "runtime/doctor/context.h"
#include "runtime/doctor/finding.h"

namespace phantun_runtime::doctor {

// tun.iface (up, point-to-point) and tun.mtu (against the WAN, with the WireGuard-over-phantun MTU).
void CheckTunInterface(const Context& context, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_INTERFACE_CHECKS_H_
