#include "runtime/run/mode.h"

namespace phantun_runtime {

std::optional<std::string_view> ProgramForMode(const char* mode) {
  if (mode == nullptr) return std::nullopt;
  const std::string_view value = mode;
  if (value == "client") return "phantun_client";
  if (value == "server") return "phantun_server";
  return std::nullopt;
}

}  // namespace phantun_runtime
