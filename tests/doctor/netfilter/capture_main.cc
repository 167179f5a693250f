// Captures this network namespace's netfilter state as the kernel sends it, for the unit tests:
//   capture DIR        nf_tables dumps (nft_tables.bin, nft_chains.bin, nft_rules.bin), the legacy
//                      table names (ip_tables_names, ip6_tables_names) and, for each legacy table,
//                      the IPT_SO_GET_INFO and IPT_SO_GET_ENTRIES replies (ipt_<table>.info/.entries,
//                      ip6t_<table>.info/.entries).
//   capture --nft-only DIR   only the nf_tables dumps (used without CAP_NET_ADMIN, to record the
//                      kernel's EPERM reply).
// It reads through the doctor's own read-only code: netlink::Socket (dump requests only) and
// LiveXtables (getsockopt only). tests/doctor/netfilter/capture.sh runs it in fresh namespaces.
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "runtime/doctor/netfilter/system_files.h"
#include "runtime/doctor/netfilter/xt_layout.h"
#include "runtime/doctor/netfilter/xt_reader.h"
#include "runtime/doctor/netlink/dump_request.h"
#include "runtime/doctor/netlink/socket.h"

namespace {

using phantun_runtime::netfilter::Family;
using phantun_runtime::netfilter::LiveXtables;
namespace netlink = phantun_runtime::netlink;

bool WriteFile(const std::string& path, const std::string& bytes) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = write(fd, bytes.data() + done, bytes.size() - done);
    if (wrote <= 0) {
      close(fd);
      return false;
    }
    done += static_cast<size_t>(wrote);
  }
  return close(fd) == 0;
}

// The raw datagrams of one dump, whatever the outcome (an EPERM reply is worth keeping too).
bool CaptureDump(uint8_t nft_message, const std::string& path) {
  netlink::Socket socket;
  phantun_runtime::Status status = socket.Open(NETLINK_NETFILTER);
  if (!status.ok()) {
    fprintf(stderr, "capture: %s\n", status.message().c_str());
    return false;
  }
  std::string recorded;
  socket.RecordInto(&recorded);
  status = socket.Dump(netlink::NftablesType(nft_message), 0, [](const netlink::Message&) {});
  if (!status.ok()) fprintf(stderr, "capture: %s: %s (kept)\n", path.c_str(), status.message().c_str());
  return WriteFile(path, recorded);
}

bool CaptureLegacy(Family family, const std::string& dir) {
  const bool v6 = family == Family::kIpv6;
  const std::string names_file = v6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names";
  const phantun_runtime::StatusOr<std::string> names_text = phantun_runtime::netfilter::ReadSmallFile(names_file);
  if (!names_text.ok()) return true;  // not in kernel
  if (!WriteFile(dir + (v6 ? "/ip6_tables_names" : "/ip_tables_names"), *names_text)) return false;
  LiveXtables kernel;
  const phantun_runtime::StatusOr<std::vector<std::string>> names = kernel.TableNames(family);
  if (!names.ok()) return false;
  for (const std::string& name : *names) {
    const phantun_runtime::StatusOr<std::string> info = kernel.GetInfo(family, name);
    if (!info.ok()) {
      fprintf(stderr, "capture: %s: %s\n", name.c_str(), info.status().message().c_str());
      return false;
    }
    uint32_t size;
    memcpy(&size, info->data() + phantun_runtime::netfilter::xt_layout::kInfoEntriesSize, sizeof(size));
    const phantun_runtime::StatusOr<std::string> entries = kernel.GetEntries(family, name, size);
    if (!entries.ok()) {
      fprintf(stderr, "capture: %s: %s\n", name.c_str(), entries.status().message().c_str());
      return false;
    }
    const std::string stem = dir + (v6 ? "/ip6t_" : "/ipt_") + name;
    if (!WriteFile(stem + ".info", *info) || !WriteFile(stem + ".entries", *entries)) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const bool nft_only = argc == 3 && strcmp(argv[1], "--nft-only") == 0;
  if (argc != 2 && !nft_only) {
    fprintf(stderr, "usage: capture [--nft-only] DIR\n");
    return 64;
  }
  const std::string dir = argv[argc - 1];
  bool ok = CaptureDump(NFT_MSG_GETTABLE, dir + "/nft_tables.bin") &&
            CaptureDump(NFT_MSG_GETCHAIN, dir + "/nft_chains.bin") &&
            CaptureDump(NFT_MSG_GETRULE, dir + "/nft_rules.bin");
  if (!nft_only) ok = ok && CaptureLegacy(Family::kIpv4, dir) && CaptureLegacy(Family::kIpv6, dir);
  return ok ? 0 : 1;
}
