#ifndef PHANTUN_RUNTIME_DOCTOR_FIXES_H_
#define PHANTUN_RUNTIME_DOCTOR_FIXES_H_

#include <string>

#include "runtime/doctor/traces.h"

namespace phantun_runtime::doctor {

struct Context;

// A fix for a failing nat.* or fwd.chains check that is proven before it is printed: the rules it
// adds are put into the doctor's copy of the ruleset, in the backend, family, table and chain
// where they would go (inserted ahead of whatever shadows them), and the failing packet is traced
// again. Only when no path of the new trace fails the check is the fix returned; otherwise "".
// The commands are for the backend that owns the chain: nft, iptables-nft or iptables-legacy
// (named explicitly, as `iptables` may be either), DOCKER-USER where Docker's chain exists.
std::string ProvenFix(const Context& context, Blame blame, const PhantunTrace& failing);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_FIXES_H_
