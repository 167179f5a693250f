#include "runtime/doctor/netfilter/address.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"

namespace phantun_runtime::netfilter {
namespace {

// The prefix length of a contiguous mask (ones then zeros), or -1.
int PrefixLength(std::string_view mask) {
  int length = 0;
  bool in_zeros = false;
  for (unsigned char byte : mask) {
    for (int bit = 7; bit >= 0; --bit) {
      const bool one = (byte >> bit) & 1;
      if (one && in_zeros) return -1;
      if (one) ++length;
      else in_zeros = true;
    }
  }
  return length;
}

}  // namespace

std::optional<std::string> ParseIpAddress(std::string_view text) {
  const std::string terminated(text);
  unsigned char raw[16];
  if (inet_pton(AF_INET, terminated.c_str(), raw) == 1) return std::string(reinterpret_cast<char*>(raw), 4);
  if (inet_pton(AF_INET6, terminated.c_str(), raw) == 1) return std::string(reinterpret_cast<char*>(raw), 16);
  return std::nullopt;
}

std::string FormatIpAddress(std::string_view raw) {
  if (raw.size() == 4) {
    // Every rule of a large ruleset has addresses to render: this is inet_ntop's dotted quad
    // without its snprintf.
    char text[16];
    size_t length = 0;
    for (size_t i = 0; i < 4; ++i) {
      const unsigned byte = static_cast<unsigned char>(raw[i]);
      if (i > 0) text[length++] = '.';
      if (byte >= 100) text[length++] = static_cast<char>('0' + byte / 100);
      if (byte >= 10) text[length++] = static_cast<char>('0' + byte / 10 % 10);
      text[length++] = static_cast<char>('0' + byte % 10);
    }
    return std::string(text, length);
  }
  char text[INET6_ADDRSTRLEN];
  const int family = raw.size() == 4 ? AF_INET : raw.size() == 16 ? AF_INET6 : 0;
  if (family == 0 || inet_ntop(family, raw.data(), text, sizeof(text)) == nullptr) return "?";
  return text;
}

std::string FormatPrefix(std::string_view address, std::string_view mask) {
  if (mask.empty()) return FormatIpAddress(address);
  if (mask.size() != address.size()) return absl::StrCat(FormatIpAddress(address), " & ?");
  const int length = PrefixLength(mask);
  if (length < 0) return absl::StrCat(FormatIpAddress(address), " & ", FormatIpAddress(mask));
  if (static_cast<size_t>(length) == mask.size() * 8) return FormatIpAddress(address);
  return absl::StrCat(FormatIpAddress(address), "/", length);
}

}  // namespace phantun_runtime::netfilter
