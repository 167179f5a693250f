#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_PRESENCE_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_PRESENCE_H_

#include "runtime/doctor/host.h"

namespace phantun_runtime::netfilter {

// Opening a NETLINK_NETFILTER socket makes a kernel with loadable modules load nfnetlink
// ("net-pf-16-proto-12"), and an nf_tables request loads nf_tables ("nfnetlink-subsys-10"). A
// read-only doctor must not do that, so it first looks whether both are already there.
struct ModuleEvidence {
  bool modules_supported = false;  // the kernel can load modules (/proc/modules, not disabled)
  bool nfnetlink = false;          // loaded or built in
  bool nf_tables = false;
};

// Looks at /proc/modules, /proc/sys/kernel/modules_disabled, /sys/module/<name> and
// /lib/modules/<release>/modules.builtin, the release read from /proc/sys/kernel/osrelease.
ModuleEvidence GatherModuleEvidence(const doctor::Host& host);

// True when NETLINK_NETFILTER can be opened and nf_tables asked without loading a module: either
// the kernel cannot load modules at all (then a missing nf_tables just fails the request), or
// nfnetlink and nf_tables are both loaded or built in. False means "nftables is not in use".
bool NftablesSafeToAsk(const ModuleEvidence& evidence);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_PRESENCE_H_
