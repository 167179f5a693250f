#ifndef PHANTUN_RUNTIME_DOCTOR_INSTANCE_CHECKS_H_
#define PHANTUN_RUNTIME_DOCTOR_INSTANCE_CHECKS_H_

#include <string>
#include <vector>

#include "runtime/doctor/context.h"
#include "runtime/doctor/finding.h"

namespace phantun_runtime::doctor {

// What on this host collides with this phantun instance (several run side by side, each with
// its own TUN, addresses and, on a server, port): another interface holding this instance's TUN
// local or peer address; on a server, a DNAT of this instance's port to another address (another
// instance on the same port), or of another port to this instance's TUN peer address (another
// instance with the same addresses). One line each; none when nothing collides.
std::vector<std::string> InstanceCollisions(const Context& context);

// instance.collision: WARN with those lines, PASS when there are none.
void CheckInstances(const Context& context, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_INSTANCE_CHECKS_H_
