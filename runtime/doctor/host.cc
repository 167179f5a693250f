#include "runtime/doctor/host.h"

#include "absl/strings/ascii.h"

namespace phantun_runtime::doctor {

StatusOr<std::string> ReadTrimmed(const Host& host, const std::string& path) {
  StatusOr<std::string> content = host.ReadFile(path);
  if (content.ok()) absl::StripTrailingAsciiWhitespace(&*content);
  return content;
}

}  // namespace phantun_runtime::doctor
