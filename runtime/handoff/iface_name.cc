#include "runtime/handoff/iface_name.h"

namespace phantun_runtime {
namespace {

constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1

// The kernel's dev_valid_name() refuses every byte its own isspace() accepts. The kernel's ctype
// table is Latin-1, not the C locale: besides '\t' '\n' '\v' '\f' '\r' and ' ' it marks 0xA0 (the
// no-break space) as white space, so a name holding that byte is refused by every netlink and
// TUNSETIFF request.
bool IsKernelSpace(char c) {
  const unsigned char byte = static_cast<unsigned char>(c);
  return (byte >= '\t' && byte <= '\r') || byte == ' ' || byte == 0xA0;
}

}  // namespace

std::string_view InterfaceNameProblem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxInterfaceName) return "must be at most 15 bytes";
  if (name == "." || name == "..") return "must not be \".\" or \"..\"";
  for (char c : name) {
    if (c == '/' || c == ':' || c == '\0' || IsKernelSpace(c)) {
      // 0xA0 included: the message says "white space" in the kernel's sense.
      return "must not contain '/', ':', white space or NUL";
    }
  }
  return {};
}

}  // namespace phantun_runtime
