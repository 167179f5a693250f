#ifndef PHANTUN_TESTS_DOCTOR_NETFILTER_RENDER_RULESET_H_
#define PHANTUN_TESTS_DOCTOR_NETFILTER_RENDER_RULESET_H_

#include <string>

#include "runtime/doctor/netfilter/model.h"

namespace phantun_runtime::netfilter {

// The whole model, one table, chain and rule a line, for test failure messages, expectations and
// the dump tool (the doctor itself only ever quotes single rules):
//   nftables inet nat
//     chain postrouting (nat, hook postrouting, priority 100, policy accept)
//       iifname "tun0" oifname "eth0" masquerade
std::string RenderRuleset(const Ruleset& ruleset);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_TESTS_DOCTOR_NETFILTER_RENDER_RULESET_H_
