#include "runtime/handoff/iface_name.h"

namespace phantun_runtime {
namespace {

constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1

// The kernel's dev_valid_name() rejects isspace() characters; these are the ones in the C locale.
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

}  // namespace

std::string_view InterfaceNameProblem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxInterfaceName) return "must be at most 15 bytes";
  if (name == "." || name == "..") return "must not be \".\" or \"..\"";
  for (char c : name) {
    if (c == '/' || c == ':' || c == '\0' || IsSpace(c)) return "must not contain '/', ':', white space or NUL";
  }
  return {};
}

}  // namespace phantun_runtime
