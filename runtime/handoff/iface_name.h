#ifndef PHANTUN_RUNTIME_HANDOFF_IFACE_NAME_H_
#define PHANTUN_RUNTIME_HANDOFF_IFACE_NAME_H_

#include <string_view>

namespace phantun_runtime {

// Linux accepts an interface name of 1 to 15 bytes (IFNAMSIZ - 1) without '/', ':', white space or
// NUL, other than "." and "..". Returns "" for a valid name, or the rule that `name` breaks.
std::string_view InterfaceNameProblem(std::string_view name);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_HANDOFF_IFACE_NAME_H_
