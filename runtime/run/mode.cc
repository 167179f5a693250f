#include "runtime/run/mode.h"

#include <string_view>

namespace phantun_runtime {

const char* ProgramForMode(const char* mode) {
  if (mode == nullptr) return nullptr;
  const std::string_view value = mode;
  if (value == "client") return "phantun_client";
  if (value == "server") return "phantun_server";
  return nullptr;
}

}  // namespace phantun_runtime
