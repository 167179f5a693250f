#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_HOST_NETFILTER_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_HOST_NETFILTER_H_

#include <string>

#include "runtime/doctor/host.h"
#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netfilter/nft_reader.h"

namespace phantun_runtime::netfilter {

// How reading one of the three backends went. Only kRead means its rules are in the ruleset; a
// check that needs a backend in any other state cannot pass.
enum class BackendState : uint8_t {
  kRead,
  kNotInUse,          // not in the kernel, or not loaded (and the doctor will not load it)
  kPermissionDenied,  // needs CAP_NET_ADMIN: report `skip`
  kFailed,
};

struct BackendReport {
  BackendState state = BackendState::kRead;
  std::string detail;  // one line for the operator when state != kRead
};

struct HostNetfilter {
  Ruleset ruleset;
  BackendReport nftables;          // native nftables and iptables-nft
  BackendReport iptables_legacy;   // IPv4 x_tables
  BackendReport ip6tables_legacy;  // IPv6 x_tables
};

// The host's netfilter state (of the network namespace the host is in): module evidence first,
// nf_tables dumps only when NftablesSafeToAsk(), then the legacy tables of both families.
// `nft` says how much of nftables is read up front (see NftRead in nft_reader.h).
HostNetfilter ReadNetfilter(const doctor::Host& host, NftRead nft = NftRead::kEverything);

// What the host's admin writes rules with: legacy iptables or iptables-nft when those hold the
// tables, nft otherwise (Debian, Ubuntu, Fedora and OpenWrt default to nftables). Fixes are
// written for it.
bool UsesIptables(const HostNetfilter& nf);

// The backends in use that could not be read, for a skip's finding ("nftables (why), ..."); ""
// when every one in use was read.
std::string UnreadableBackends(const HostNetfilter& nf);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_HOST_NETFILTER_H_
