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
using netlink::Outcome;
using netlink::Status;

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

// One getsockopt on a fresh socket of the family; `buffer` carries the request in and the reply out.
Status GetOption(Family family, int option, std::string* buffer, const char* what) {
  const bool v6 = family == Family::kIpv6;
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return netlink::StatusFromErrno(errno, "opening a socket for the legacy iptables tables");
  socklen_t length = static_cast<socklen_t>(buffer->size());
  const int result = getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, option, buffer->data(), &length);
  const int error = errno;
  close(fd);
  if (result != 0) return netlink::StatusFromErrno(error, what);
  buffer->resize(length);
  return Status();
}

}  // namespace

Status LiveXtables::TableNames(Family family, std::vector<std::string>* names) {
  std::string content;
  const int error = ReadSmallFile(NamesFile(family), &content);
  if (error == ENOENT) {
    return netlink::StatusOf(Outcome::kUnsupported, absl::StrCat(NamesFile(family), " does not exist: legacy ",
                                                                 Command(family), " is not in this kernel"));
  }
  if (error != 0) return netlink::StatusFromErrno(error, NamesFile(family));
  names->clear();
  for (std::string_view line : absl::StrSplit(content, '\n', absl::SkipEmpty())) {
    if (ValidTableName(line)) names->emplace_back(line);
  }
  return Status();
}

Status LiveXtables::GetInfo(Family family, const std::string& table, std::string* reply) {
  reply->assign(layout::kInfoSize, '\0');
  memcpy(reply->data(), table.data(), std::min(table.size(), layout::kInfoNameSize - 1));
  return GetOption(family, layout::kSoGetInfo, reply, "reading a legacy table's size (IPT_SO_GET_INFO)");
}

Status LiveXtables::GetEntries(Family family, const std::string& table, uint32_t size, std::string* reply) {
  reply->assign(layout::kGetEntriesHeaderSize + size, '\0');
  memcpy(reply->data(), table.data(), std::min(table.size(), layout::kInfoNameSize - 1));
  memcpy(reply->data() + layout::kGetEntriesSize, &size, sizeof(size));
  return GetOption(family, layout::kSoGetEntries, reply, "reading a legacy table's rules (IPT_SO_GET_ENTRIES)");
}

Status ReadXtables(XtablesKernel& kernel, Family family, Ruleset* ruleset) {
  std::vector<std::string> names;
  Status status = kernel.TableNames(family, &names);
  if (!status.ok()) return status;
  std::vector<Table> tables;
  for (const std::string& name : names) {
    Table table;
    for (int attempt = 0;; ++attempt) {
      std::string info_reply, entries_reply;
      XtTableInfo info;
      status = kernel.GetInfo(family, name, &info_reply);
      if (status.ok() && !ParseXtInfo(netlink::AsBytes(info_reply), &info)) {
        status = netlink::StatusOf(Outcome::kMalformed, absl::StrCat(Command(family), " table ", name, ": short info"));
      }
      if (status.ok()) status = kernel.GetEntries(family, name, info.size, &entries_reply);
      // EAGAIN: the table changed between the two calls.
      if (!status.ok() && status.error_number == EAGAIN && attempt + 1 < kAttempts) continue;
      if (!status.ok()) return status;
      std::string problem;
      if (!ParseXtTable(family, info, netlink::AsBytes(entries_reply), &table, &problem)) {
        return netlink::StatusOf(Outcome::kMalformed, absl::StrCat(Command(family), " table ", name, ": ", problem));
      }
      break;
    }
    tables.push_back(std::move(table));
  }
  for (Table& table : tables) ruleset->tables.push_back(std::move(table));
  return status;
}

}  // namespace phantun_runtime::netfilter
