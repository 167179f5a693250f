#ifndef PHANTUN_RUNTIME_DOCTOR_TUN_CHECKS_H_
#define PHANTUN_RUNTIME_DOCTOR_TUN_CHECKS_H_

#include <vector>

#include "runtime/doctor/context.h"
#include "runtime/doctor/finding.h"
#include "runtime/doctor/host.h"
#include "runtime/doctor/links.h"
#include "runtime/status.h"

namespace phantun_runtime::doctor {

// The tun.* checks.

// tun.device and tun.multiqueue, from Host::ProbeTun's answer.
void CheckTunDevice(const TunProbe& probe, bool in_container, Report* report);

// tun.iface (up, point-to-point) and tun.mtu (against the WAN, with the WireGuard-over-phantun MTU).
void CheckTunInterface(const Context& context, Report* report);

// tun.addr: the TUN interface carries --tun-local with --tun-peer as its peer.
void CheckTunAddresses(const Context& context, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_TUN_CHECKS_H_
