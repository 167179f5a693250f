#include "runtime/doctor/netfilter/xt_reader.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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

int AddressFamily(Family family) { return family == Family::kIpv6 ? AF_INET6 : AF_INET; }

// The host's getsockopt, its failure worded for the operator.
StatusOr<std::string> GetOption(const doctor::Host& host, Family family, int option, std::string request,
                                const char* what) {
  StatusOr<std::string> reply = host.GetXtablesOption(AddressFamily(family), option, std::move(request));
  if (!reply.ok() && reply.status().system_error() != 0) return SystemError(what, reply.status().system_error());
  return reply;
}

StatusOr<std::vector<std::string>> TableNames(const doctor::Host& host, Family family) {
  const StatusOr<std::string> content = host.ReadFile(NamesFile(family));
  if (!content.ok() && content.status().code() == Status::Code::kNotFound) {
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

// One table: its info, then its entries of the size the info gave.
StatusOr<Table> ReadTable(const doctor::Host& host, Family family, const std::string& name) {
  const StatusOr<std::string> info_reply = GetOption(host, family, layout::kSoGetInfo, XtablesInfoRequest(name),
                                                     "reading a legacy table's size (IPT_SO_GET_INFO)");
  if (!info_reply.ok()) return info_reply.status();
  XtTableInfo info;
  if (!ParseXtInfo(netlink::AsBytes(*info_reply), &info)) {
    return Status(Status::Code::kIoError, absl::StrCat(Command(family), " table ", name, ": short info"));
  }
  const StatusOr<std::string> entries_reply =
      GetOption(host, family, layout::kSoGetEntries, XtablesEntriesRequest(name, info.size),
                "reading a legacy table's rules (IPT_SO_GET_ENTRIES)");
  if (!entries_reply.ok()) return entries_reply.status();
  StatusOr<Table> table = ParseXtTable(family, info, netlink::AsBytes(*entries_reply));
  if (!table.ok()) {
    return Status(table.status().code(), absl::StrCat(Command(family), " table ", name, ": ", table.status().message()));
  }
  return table;
}

}  // namespace

std::string XtablesInfoRequest(const std::string& table) {
  std::string request(layout::kInfoSize, '\0');
  memcpy(request.data(), table.data(), std::min(table.size(), layout::kInfoNameSize - 1));
  return request;
}

std::string XtablesEntriesRequest(const std::string& table, uint32_t size) {
  std::string request(layout::kGetEntriesHeaderSize + size, '\0');
  memcpy(request.data(), table.data(), std::min(table.size(), layout::kInfoNameSize - 1));
  memcpy(request.data() + layout::kGetEntriesSize, &size, sizeof(size));
  return request;
}

Status ReadXtables(const doctor::Host& host, Family family, Ruleset* ruleset) {
  StatusOr<std::vector<std::string>> names = TableNames(host, family);
  if (!names.ok()) return names.status();
  std::vector<Table> tables;
  for (const std::string& name : *names) {
    StatusOr<Table> table = ReadTable(host, family, name);
    // EAGAIN: the table changed between the two calls.
    for (int attempt = 1; !table.ok() && table.status().system_error() == EAGAIN && attempt < kAttempts; ++attempt) {
      table = ReadTable(host, family, name);
    }
    if (!table.ok()) return table.status();
    tables.push_back(std::move(*table));
  }
  for (Table& table : tables) ruleset->tables.push_back(std::move(table));
  return Status();
}

}  // namespace phantun_runtime::netfilter
