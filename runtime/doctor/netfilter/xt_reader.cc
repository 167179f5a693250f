#include "runtime/doctor/netfilter/xt_reader.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/doctor/netfilter/system_files.h"
#include "runtime/doctor/netfilter/xt_layout.h"
#include "runtime/doctor/netfilter/xt_table.h"

namespace phantun_runtime::netfilter {
namespace {

namespace layout = xt_layout;

constexpr int kAttempts = 3;

const char* NamesFile(Family family) {
  return family == Family::kIpv6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names";
}

const char* Command(Family family) { return family == Family::kIpv6 ? "ip6tables" : "iptables"; }

bool ValidTableName(std::string_view name) {
  if (name.empty() || name.size() >= layout::kInfoNameSize) return false;
  for (char c : name) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

// One getsockopt on a fresh socket of the family; `buffer` carries the request in, the reply out.
StatusOr<std::string> GetOption(Family family, int option, std::string buffer, const char* what) {
  const bool v6 = family == Family::kIpv6;
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SystemError("opening a socket for the legacy iptables tables", errno);
  socklen_t length = static_cast<socklen_t>(buffer.size());
  const int result = getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, option, buffer.data(), &length);
  const int error = errno;
  close(fd);
  if (result != 0) return SystemError(what, error);
  buffer.resize(length);
  return buffer;
}

}  // namespace

StatusOr<std::vector<std::string>> LiveXtables::TableNames(Family family) {
  const StatusOr<std::string> content = ReadSmallFile(NamesFile(family));
  if (!content.ok() && content.status().system_error() == ENOENT) {
    return Status(Status::Code::kUnimplemented,
                  absl::StrCat(NamesFile(family), " does not exist: legacy ", Command(family), " is not in this kernel"),
                  ENOENT);
  }
  if (!content.ok()) return content.status();
  std::vector<std::string> names;
  for (std::string_view line : absl::StrSplit(*content, '\n', absl::SkipEmpty())) {
    if (ValidTableName(line)) names.emplace_back(line);
  }
  return names;
}

StatusOr<std::string> LiveXtables::GetInfo(Family family, const std::string& table) {
  std::string request(layout::kInfoSize, '\0');
  memcpy(request.data(), table.data(), std::min(table.size(), layout::kInfoNameSize - 1));
  return GetOption(family, layout::kSoGetInfo, std::move(request), "reading a legacy table's size (IPT_SO_GET_INFO)");
}

StatusOr<std::string> LiveXtables::GetEntries(Family family, const std::string& table, uint32_t size) {
  std::string request(layout::kGetEntriesHeaderSize + size, '\0');
  memcpy(request.data(), table.data(), std::min(table.size(), layout::kInfoNameSize - 1));
  memcpy(request.data() + layout::kGetEntriesSize, &size, sizeof(size));
  return GetOption(family, layout::kSoGetEntries, std::move(request),
                   "reading a legacy table's rules (IPT_SO_GET_ENTRIES)");
}

namespace {

// One table: its info, then its entries of the size the info gave.
StatusOr<Table> ReadTable(XtablesKernel& kernel, Family family, const std::string& name) {
  const StatusOr<std::string> info_reply = kernel.GetInfo(family, name);
  if (!info_reply.ok()) return info_reply.status();
  XtTableInfo info;
  if (!ParseXtInfo(netlink::AsBytes(*info_reply), &info)) {
    return Status(Status::Code::kIoError, absl::StrCat(Command(family), " table ", name, ": short info"));
  }
  const StatusOr<std::string> entries_reply = kernel.GetEntries(family, name, info.size);
  if (!entries_reply.ok()) return entries_reply.status();
  StatusOr<Table> table = ParseXtTable(family, info, netlink::AsBytes(*entries_reply));
  if (!table.ok()) {
    return Status(table.status().code(), absl::StrCat(Command(family), " table ", name, ": ", table.status().message()));
  }
  return table;
}

}  // namespace

Status ReadXtables(XtablesKernel& kernel, Family family, Ruleset* ruleset) {
  StatusOr<std::vector<std::string>> names = kernel.TableNames(family);
  if (!names.ok()) return names.status();
  std::vector<Table> tables;
  for (const std::string& name : *names) {
    StatusOr<Table> table = ReadTable(kernel, family, name);
    // EAGAIN: the table changed between the two calls.
    for (int attempt = 1; !table.ok() && table.status().system_error() == EAGAIN && attempt < kAttempts; ++attempt) {
      table = ReadTable(kernel, family, name);
    }
    if (!table.ok()) return table.status();
    tables.push_back(std::move(*table));
  }
  for (Table& table : tables) ruleset->tables.push_back(std::move(table));
  return Status();
}

}  // namespace phantun_runtime::netfilter
