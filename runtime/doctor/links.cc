#include "runtime/doctor/links.h"

#include <limits>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace phantun_runtime::doctor {
namespace {

// absl's parsers leave a partial number behind when they fail ("15x0" gives 15), so only their
// result says whether the file held a value.
std::optional<int> ReadDecimal(const Host& host, const std::string& path) {
  const StatusOr<std::string> text = ReadTrimmed(host, path);
  int value;
  if (!text.ok() || !absl::SimpleAtoi(*text, &value)) return std::nullopt;
  return value;
}

std::optional<unsigned> ReadHex(const Host& host, const std::string& path) {
  const StatusOr<std::string> text = ReadTrimmed(host, path);
  unsigned value;
  if (!text.ok() || !absl::SimpleHexAtoi(*text, &value)) return std::nullopt;
  return value;
}

}  // namespace

Link ReadLink(const Host& host, const std::string& name) {
  Link link;
  link.name = name;
  const std::string base = absl::StrCat("/sys/class/net/", name, "/");
  if (name.empty() || !host.Exists(base + "ifindex")) return link;
  link.exists = true;
  link.ifindex = ReadDecimal(host, base + "ifindex");
  link.iflink = ReadDecimal(host, base + "iflink");
  link.mtu = ReadDecimal(host, base + "mtu");
  link.type = ReadDecimal(host, base + "type");
  link.flags = ReadHex(host, base + "flags");
  link.is_tun = host.Exists(base + "tun_flags");
  link.has_device = host.Exists(base + "device");
  link.is_stacked = host.Exists(base + "bridge") || host.Exists(base + "bonding") ||
                    host.Exists(absl::StrCat("/proc/net/vlan/", name));
  return link;
}

std::vector<std::string> TunInterfaces(const Host& host) {
  std::vector<std::string> tuns;
  for (const std::string& name : host.ListDirectory("/sys/class/net").value_or(std::vector<std::string>())) {
    if (host.Exists(absl::StrCat("/sys/class/net/", name, "/tun_flags"))) tuns.push_back(name);
  }
  return tuns;
}

std::string DefaultRouteInterface(const Host& host) {
  // Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask ...; hex, host byte order.
  const StatusOr<std::string> table = host.ReadFile("/proc/net/route");
  if (!table.ok()) return "";
  std::string best;
  long best_metric = std::numeric_limits<long>::max();
  bool header = true;
  for (std::string_view line : absl::StrSplit(*table, '\n')) {
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string_view> columns = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (columns.size() < 8 || columns[1] != "00000000" || columns[7] != "00000000") continue;
    long metric = 0;
    if (!absl::SimpleAtoi(columns[6], &metric)) continue;
    if (metric < best_metric) {
      best_metric = metric;
      best = std::string(columns[0]);
    }
  }
  return best;
}

bool LooksLikeContainerLink(const Link& link) {
  constexpr int kArphrdEther = 1;
  // An unreadable type is not Ethernet: the link is not called a container's on no evidence.
  return link.exists && link.type == kArphrdEther && !link.has_device && !link.is_stacked && !link.is_tun;
}

}  // namespace phantun_runtime::doctor
