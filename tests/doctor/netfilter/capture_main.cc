// Captures this network namespace's netfilter state as the kernel sends it, for the unit tests:
//   capture DIR        nf_tables dumps (nft_tables.bin, nft_chains.bin, nft_rules.bin), the legacy
//                      table names (ip_tables_names, ip6_tables_names) and, for each legacy table,
//                      the IPT_SO_GET_INFO and IPT_SO_GET_ENTRIES replies (ipt_<table>.info/.entries,
//                      ip6t_<table>.info/.entries).
//   capture --nft-only DIR   only the nf_tables dumps (used without CAP_NET_ADMIN, to record the
//                      kernel's EPERM reply).
// The legacy tables are read through the doctor's own LiveHost (getsockopt only). The dumps are
// requested with the doctor's request builder (dump_request.h), but received here, datagram by
// datagram as recv() returns them: the doctor's socket hands on messages, not the bytes the
// replay needs. tests/doctor/netfilter/capture.sh runs it in fresh namespaces.
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "runtime/doctor/live_host.h"
#include "runtime/doctor/netfilter/xt_layout.h"
#include "runtime/doctor/netfilter/xt_reader.h"
#include "runtime/doctor/netlink/dump_reply.h"
#include "runtime/doctor/netlink/dump_request.h"

namespace {

namespace netlink = phantun_runtime::netlink;
namespace layout = phantun_runtime::netfilter::xt_layout;
using phantun_runtime::StatusOr;

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
  netlink::DumpRequest request;
  request.protocol = NETLINK_NETFILTER;
  request.type = netlink::NftablesType(nft_message);
  request.sequence = 1;
  const StatusOr<std::vector<uint8_t>> built = netlink::BuildDumpRequest(request);
  if (!built.ok()) return false;
  const std::vector<uint8_t>& bytes = *built;
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) {
    fprintf(stderr, "capture: NETLINK_NETFILTER socket: %s\n", strerror(errno));
    return false;
  }
  struct sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  bool ok = sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<struct sockaddr*>(&kernel), sizeof kernel) ==
            static_cast<ssize_t>(bytes.size());
  std::string recorded;
  netlink::DumpReplyReader reader(request.sequence);
  std::vector<uint8_t> datagram(1 << 16);
  while (ok && !reader.done()) {
    const ssize_t got = recv(fd, datagram.data(), datagram.size(), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      ok = false;
      break;
    }
    recorded.append(reinterpret_cast<const char*>(datagram.data()), static_cast<size_t>(got));
    reader.Consume(netlink::Bytes(datagram.data(), static_cast<size_t>(got)), [](const netlink::Message&) {});
  }
  close(fd);
  if (!ok) fprintf(stderr, "capture: %s: the dump did not complete\n", path.c_str());
  if (ok && !reader.status().ok()) {
    fprintf(stderr, "capture: %s: %s (kept)\n", path.c_str(), reader.status().message().c_str());
  }
  return ok && WriteFile(path, recorded);
}

bool CaptureLegacy(bool v6, const std::string& dir) {
  const phantun_runtime::doctor::LiveHost host;
  const StatusOr<std::string> names = host.ReadFile(v6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names");
  if (!names.ok()) return true;  // not in this kernel
  if (!WriteFile(dir + (v6 ? "/ip6_tables_names" : "/ip_tables_names"), *names)) return false;
  size_t start = 0;
  while (start < names->size()) {
    size_t end = names->find('\n', start);
    if (end == std::string::npos) end = names->size();
    const std::string name = names->substr(start, end - start);
    start = end + 1;
    if (name.empty()) continue;
    const int family = v6 ? AF_INET6 : AF_INET;
    const StatusOr<std::string> info =
        host.GetXtablesOption(family, layout::kSoGetInfo, phantun_runtime::netfilter::XtablesInfoRequest(name));
    if (!info.ok()) {
      fprintf(stderr, "capture: %s: %s\n", name.c_str(), info.status().message().c_str());
      return false;
    }
    uint32_t size;
    memcpy(&size, info->data() + layout::kInfoEntriesSize, sizeof(size));
    const StatusOr<std::string> entries = host.GetXtablesOption(
        family, layout::kSoGetEntries, phantun_runtime::netfilter::XtablesEntriesRequest(name, size));
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
  if (!nft_only) ok = ok && CaptureLegacy(false, dir) && CaptureLegacy(true, dir);
  return ok ? 0 : 1;
}
