#ifndef PHANTUN_RUNTIME_DOCTOR_NAT_CHECKS_H_
#define PHANTUN_RUNTIME_DOCTOR_NAT_CHECKS_H_

#include "runtime/doctor/context.h"
#include "runtime/doctor/finding.h"

namespace phantun_runtime::doctor {

// nat.masquerade (client) and nat.dnat (server), from the host's netfilter state as read
// (nftables, iptables-nft and legacy iptables alike). A backend that could not be read (no
// CAP_NET_ADMIN) turns what it might hold into `skip`, never `pass`. Fixes are written for the
// backend the host already uses.
void CheckNat(const Context& context, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_NAT_CHECKS_H_
