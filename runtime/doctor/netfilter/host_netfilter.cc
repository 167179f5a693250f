#include "runtime/doctor/netfilter/host_netfilter.h"

#include <errno.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "runtime/doctor/netfilter/nft_presence.h"
#include "runtime/doctor/netfilter/nft_reader.h"
#include "runtime/doctor/netfilter/xt_reader.h"

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

HostNetfilter ReadNetfilter(const doctor::Host& host, NftRead nft) {
  HostNetfilter netfilter;
  if (!NftablesSafeToAsk(GatherModuleEvidence(host))) {
    netfilter.nftables.state = BackendState::kNotInUse;
    netfilter.nftables.detail = "nf_tables is not loaded, so nftables is not in use (the doctor does not load it)";
  } else {
    netfilter.nftables = ReportOf(ReadNftables(host, &netfilter.ruleset, nft));
  }
  netfilter.iptables_legacy = ReportOf(ReadXtables(host, Family::kIpv4, &netfilter.ruleset));
  netfilter.ip6tables_legacy = ReportOf(ReadXtables(host, Family::kIpv6, &netfilter.ruleset));
  return netfilter;
}

bool UsesIptables(const HostNetfilter& nf) {
  bool iptables = false;
  for (const auto& table : nf.ruleset.tables) {
    if (table.source == Source::kNftables) return false;
    iptables = true;
  }
  return iptables;
}

std::string UnreadableBackends(const HostNetfilter& nf) {
  std::vector<std::string> unread;
  if (nf.nftables.state == BackendState::kPermissionDenied || nf.nftables.state == BackendState::kFailed) {
    unread.push_back(absl::StrCat("nftables (", nf.nftables.detail, ")"));
  }
  if (nf.iptables_legacy.state == BackendState::kPermissionDenied || nf.iptables_legacy.state == BackendState::kFailed) {
    unread.push_back(absl::StrCat("iptables-legacy (", nf.iptables_legacy.detail, ")"));
  }
  return absl::StrJoin(unread, ", ");
}

}  // namespace phantun_runtime::netfilter
