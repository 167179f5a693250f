#include "runtime/doctor/netfilter/host_netfilter.h"

#include <errno.h>
#include <linux/netlink.h>

#include "runtime/doctor/netfilter/nft_reader.h"
#include "runtime/doctor/netlink/socket.h"

namespace phantun_runtime::netfilter {
namespace {

// A check whose data could not be read for lack of privilege is a `skip`, never a `pass` or a
// `fail`, so EPERM and EACCES are told apart from every other failure; a kernel without the
// subsystem simply does not use it.
BackendReport ReportOf(const Status& status) {
  BackendReport report;
  if (status.ok()) return report;
  if (status.system_error() == EPERM || status.system_error() == EACCES) {
    report.state = BackendState::kPermissionDenied;
  } else if (status.code() == Status::Code::kUnimplemented) {
    report.state = BackendState::kNotInUse;
  } else {
    report.state = BackendState::kFailed;
  }
  report.detail = status.message();
  return report;
}

}  // namespace

HostNetfilter ReadNetfilter(const NetfilterSources& sources) {
  HostNetfilter host;
  if (!NftablesSafeToAsk(sources.modules)) {
    host.nftables.state = BackendState::kNotInUse;
    host.nftables.detail = "nf_tables is not loaded, so nftables is not in use (the doctor does not load it)";
  } else if (sources.nftables == nullptr) {
    host.nftables.state = BackendState::kFailed;
    host.nftables.detail = "no NETLINK_NETFILTER socket";
  } else {
    host.nftables = ReportOf(ReadNftables(*sources.nftables, &host.ruleset));
  }
  if (sources.xtables != nullptr) {
    host.iptables_legacy = ReportOf(ReadXtables(*sources.xtables, Family::kIpv4, &host.ruleset));
    host.ip6tables_legacy = ReportOf(ReadXtables(*sources.xtables, Family::kIpv6, &host.ruleset));
  }
  return host;
}

HostNetfilter ReadHostNetfilter() {
  NetfilterSources sources;
  sources.modules = GatherHostModuleEvidence();
  netlink::Socket socket;
  Status opened;
  if (NftablesSafeToAsk(sources.modules)) {
    opened = socket.Open(NETLINK_NETFILTER);
    if (opened.ok()) sources.nftables = &socket;
  }
  LiveXtables xtables;
  sources.xtables = &xtables;
  HostNetfilter host = ReadNetfilter(sources);
  if (!opened.ok()) host.nftables = ReportOf(opened);
  return host;
}

}  // namespace phantun_runtime::netfilter
