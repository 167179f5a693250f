#ifndef PHANTUN_RUNTIME_HANDOFF_HANDOFF_CONFIG_H_
#define PHANTUN_RUNTIME_HANDOFF_HANDOFF_CONFIG_H_

#include <string>

#include "runtime/status.h"

namespace phantun_runtime {

// The interface-name handoff as the environment asks for it. A variable that is set but empty counts
// as not set, which is how compose files and manifests usually "unset" one.
struct HandoffConfig {
  bool enabled = false;  // IFACE_NAME and IFACE_FILE both given
  std::string name;      // IFACE_NAME, validated
  std::string path;      // IFACE_FILE
};

// `iface_name` and `iface_file` are the raw values of IFACE_NAME and IFACE_FILE (nullptr = unset).
// Only one given, or a name the kernel would refuse: kInvalidArgument, one line naming the variable
// and the rule.
StatusOr<HandoffConfig> ReadHandoffConfig(const char* iface_name, const char* iface_file);

// What --clear needs: only IFACE_FILE, which must be given.
StatusOr<std::string> ReadClearPath(const char* iface_file);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_HANDOFF_HANDOFF_CONFIG_H_
