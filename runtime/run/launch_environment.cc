#include "runtime/run/launch_environment.h"

#include <string_view>

namespace phantun_runtime {
namespace {

// Points *slot at the value of `entry` if it defines `name` and *slot is still unset.
void TakeIfNamed(std::string_view entry, std::string_view name, const char* raw, const char** slot) {
  if (*slot == nullptr && entry.size() > name.size() && entry[name.size()] == '=' &&
      entry.compare(0, name.size(), name) == 0) {
    *slot = raw + name.size() + 1;
  }
}

}  // namespace

LaunchEnvironment ReadLaunchEnvironment(char* const* envp) {
  LaunchEnvironment found;
  for (; envp != nullptr && *envp != nullptr; ++envp) {
    const char* raw = *envp;
    // Only three names matter; their first letters rule out almost every other entry at once.
    if (raw[0] != 'M' && raw[0] != 'I') continue;
    const std::string_view entry = raw;
    TakeIfNamed(entry, "MODE", raw, &found.mode);
    TakeIfNamed(entry, "IFACE_NAME", raw, &found.iface_name);
    TakeIfNamed(entry, "IFACE_FILE", raw, &found.iface_file);
  }
  return found;
}

}  // namespace phantun_runtime
