#include "runtime/doctor/sysctls.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace phantun_runtime::doctor {
namespace {

// absl's parsers leave a partial number behind when they fail ("1x" gives 1), so only their result
// says whether the file held a value.
std::optional<int> ReadInteger(const Host& host, const std::string& path) {
  const StatusOr<std::string> text = ReadTrimmed(host, path);
  int value;
  if (!text.ok() || !absl::SimpleAtoi(*text, &value)) return std::nullopt;
  return value;
}

// Interface names may contain '.', which sysctl names spell as '/': the path is built directly.
std::optional<int> Ipv4Conf(const Host& host, const std::string& iface, const char* key) {
  return ReadInteger(host, absl::StrCat("/proc/sys/net/ipv4/conf/", iface, "/", key));
}

}  // namespace

ForwardingSysctls ReadForwardingSysctls(const Host& host, const std::vector<std::string>& interfaces) {
  ForwardingSysctls sysctls;
  sysctls.ip_forward = ReadInteger(host, "/proc/sys/net/ipv4/ip_forward");
  sysctls.ipv6_forwarding = ReadInteger(host, "/proc/sys/net/ipv6/conf/all/forwarding");
  sysctls.all_rp_filter = Ipv4Conf(host, "all", "rp_filter");
  for (const std::string& name : interfaces) {
    sysctls.interfaces.push_back({name, Ipv4Conf(host, name, "forwarding"), Ipv4Conf(host, name, "rp_filter")});
  }
  return sysctls;
}

}  // namespace phantun_runtime::doctor
