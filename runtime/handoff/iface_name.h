#ifndef PHANTUN_RUNTIME_HANDOFF_IFACE_NAME_H_
#define PHANTUN_RUNTIME_HANDOFF_IFACE_NAME_H_

#include <string_view>

namespace phantun_runtime {

// The kernel's rule for an interface name (dev_valid_name): 1 to 15 bytes (IFNAMSIZ - 1), not "."
// or "..", without '/', ':', NUL or a byte the kernel counts as white space (its ctype table is
// Latin-1, so 0xA0 is one). Returns "" for a valid name, or the rule that `name` breaks.
std::string_view InterfaceNameProblem(std::string_view name);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_HANDOFF_IFACE_NAME_H_
