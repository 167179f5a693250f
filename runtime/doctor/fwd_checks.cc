#include "runtime/doctor/fwd_checks.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/doctor/netfilter/evaluate.h"
#include "runtime/doctor/traces.h"

namespace phantun_runtime::doctor {
namespace {

using netfilter::HostNetfilter;
using netfilter::Tristate;

constexpr char kPersistNote[] = "   (to keep it across reboots: the same line in /etc/sysctl.d/90-phantun.conf)";

std::string SysctlFix(const std::string& name, int value) {
  return absl::StrCat("sysctl -w ", name, "=", value, kPersistNote);
}

}  // namespace

void CheckForwarding(const Context& context, Report* report) {
  const ForwardingSysctls& sysctls = context.sysctls;
  const std::optional<int>& ip_forward = sysctls.ip_forward;
  if (!ip_forward) {
    report->Add("fwd.ipv4", Verdict::kSkip, "net.ipv4.ip_forward is not readable (/proc/sys not mounted?)");
  } else if (*ip_forward == 1) {
    report->Add("fwd.ipv4", Verdict::kPass, "net.ipv4.ip_forward = 1");
  } else {
    report->Add("fwd.ipv4", Verdict::kFail, absl::StrCat("net.ipv4.ip_forward = ", *ip_forward),
                SysctlFix("net.ipv4.ip_forward", 1));
  }

  // IPv4 forwards a packet only if its *incoming* interface has forwarding on; phantun's traffic
  // comes in on both the TUN and the WAN interface, and a TUN created later takes conf/default.
  std::vector<std::string> off;
  std::vector<std::string> checked;
  for (const ForwardingSysctls::Interface& iface : sysctls.interfaces) {
    if (!iface.forwarding) continue;
    checked.push_back(absl::StrCat(iface.name, "=", *iface.forwarding));
    if (*iface.forwarding != 1) off.push_back(iface.name);
  }
  if (checked.empty()) {
    report->Add("fwd.iface", Verdict::kSkip, "no per-interface forwarding setting readable");
  } else if (off.empty()) {
    report->Add("fwd.iface", Verdict::kPass, absl::StrCat("per-interface IPv4 forwarding on: ", absl::StrJoin(checked, ", ")));
  } else {
    std::vector<std::string> fixes;
    for (const std::string& iface : off) fixes.push_back(absl::StrCat("sysctl -w net.ipv4.conf.", iface, ".forwarding=1"));
    report->Add("fwd.iface", Verdict::kFail, absl::StrCat("per-interface IPv4 forwarding off: ", absl::StrJoin(checked, ", ")),
                absl::StrCat(absl::StrJoin(fixes, "; "), kPersistNote));
  }

  if (context.options.ipv6) {
    const std::optional<int>& v6 = sysctls.ipv6_forwarding;
    if (!v6) {
      report->Add("fwd.ipv6", Verdict::kSkip, "net.ipv6.conf.all.forwarding is not readable (IPv6 disabled?)");
    } else if (*v6 == 1) {
      report->Add("fwd.ipv6", Verdict::kPass, "net.ipv6.conf.all.forwarding = 1");
    } else {
      report->Add("fwd.ipv6", Verdict::kFail, absl::StrCat("net.ipv6.conf.all.forwarding = ", *v6),
                  SysctlFix("net.ipv6.conf.all.forwarding", 1));
    }
  } else {
    report->Add("fwd.ipv6", Verdict::kSkip, "IPv6 not checked (add --ipv6 when phantun carries IPv6)");
  }

  // The kernel applies the larger of conf/all and conf/<iface>; strict mode (1) drops the fake TCP
  // whenever the reverse route does not go back out the same interface.
  const std::optional<int>& all = sysctls.all_rp_filter;
  std::vector<std::string> strict;
  std::vector<std::string> seen;
  for (const ForwardingSysctls::Interface& iface : sysctls.interfaces) {
    if (!all && !iface.rp_filter) continue;
    const int effective = std::max(all.value_or(0), iface.rp_filter.value_or(0));
    seen.push_back(absl::StrCat(iface.name, "=", effective));
    if (effective == 1) strict.push_back(iface.name);
  }
  if (seen.empty()) {
    report->Add("fwd.rp_filter", Verdict::kSkip, "rp_filter is not readable");
  } else if (strict.empty()) {
    report->Add("fwd.rp_filter", Verdict::kPass, absl::StrCat("effective rp_filter (max of all and interface): ", absl::StrJoin(seen, ", ")));
  } else {
    std::vector<std::string> fixes = {"sysctl -w net.ipv4.conf.all.rp_filter=2"};
    for (const std::string& iface : strict) fixes.push_back(absl::StrCat("sysctl -w net.ipv4.conf.", iface, ".rp_filter=2"));
    report->Add("fwd.rp_filter", Verdict::kWarn,
                absl::StrCat("strict reverse-path filtering (1) on ", absl::StrJoin(strict, ", "), "; effective: ", absl::StrJoin(seen, ", ")),
                absl::StrCat(absl::StrJoin(fixes, "; "), kPersistNote));
  }
}

void CheckForwardChains(const Context& context, Report* report) {
  const std::string unreadable = netfilter::UnreadableBackends(context.netfilter);
  if (!unreadable.empty()) {
    report->Add("fwd.chains", Verdict::kSkip, absl::StrCat("forward chains not fully readable: ", unreadable, " (needs CAP_NET_ADMIN)"));
    return;
  }
  ReportTraced(context, "fwd.chains", Blame::kChains,
               {PacketRole::kServerSyn, PacketRole::kServerReply, PacketRole::kClientSyn, PacketRole::kClientReply},
               report);
}

}  // namespace phantun_runtime::doctor
