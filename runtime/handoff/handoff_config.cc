#include "runtime/handoff/handoff_config.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "runtime/handoff/iface_name.h"

namespace phantun_runtime {
namespace {

bool Given(const char* value) { return value != nullptr && value[0] != '\0'; }

Status Invalid(std::string message) { return Status(Status::Code::kInvalidArgument, std::move(message)); }

}  // namespace

StatusOr<HandoffConfig> ReadHandoffConfig(const char* iface_name, const char* iface_file) {
  HandoffConfig config;
  const bool has_name = Given(iface_name);
  const bool has_file = Given(iface_file);
  if (!has_name && !has_file) return config;
  if (!has_file) {
    return Invalid("IFACE_NAME is set but IFACE_FILE is not: set both (or neither) for the interface-name handoff");
  }
  if (!has_name) {
    return Invalid("IFACE_FILE is set but IFACE_NAME is not: set both (or neither) for the interface-name handoff");
  }
  const std::string_view problem = InterfaceNameProblem(iface_name);
  if (!problem.empty()) {
    return Invalid(
        absl::StrCat("IFACE_NAME='", absl::CHexEscape(iface_name), "' is not a valid interface name: it ", problem));
  }
  config.enabled = true;
  config.name = iface_name;
  config.path = iface_file;
  return config;
}

StatusOr<std::string> ReadClearPath(const char* iface_file) {
  if (!Given(iface_file)) return Invalid("IFACE_FILE is not set: it names the file to clear");
  return std::string(iface_file);
}

}  // namespace phantun_runtime
