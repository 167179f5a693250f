#include "runtime/doctor/route_checks.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "runtime/doctor/netfilter/host_netfilter.h"
#include "runtime/doctor/traces.h"

namespace phantun_runtime::doctor {

void CheckRoutes(const Context& context, Report* report) {
  if (const std::string unreadable = netfilter::UnreadableBackends(context.netfilter); !unreadable.empty()) {
    // The route depends on the NAT before it, which the rules would tell.
    report->Add("route.path", Verdict::kSkip, absl::StrCat("the rules are not fully readable: ", unreadable, " (needs CAP_NET_ADMIN)"));
    return;
  }
  ReportTraced(context, "route.path", Blame::kRoute,
               {PacketRole::kServerSyn, PacketRole::kServerReply, PacketRole::kClientSyn, PacketRole::kClientReply},
               report);
}

}  // namespace phantun_runtime::doctor
