#include "runtime/doctor/netns_checks.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace phantun_runtime::doctor {

void CheckNamespace(const Context& context, Report* report) {
  const std::string& route_if = context.default_route;
  if (route_if.empty()) {
    report->Add("netns.host", Verdict::kWarn, "no IPv4 default route in this network namespace",
                context.process.in_container ? "run the container with --network host (Kubernetes: hostNetwork: true)"
                                             : "give the host a default route, or name the WAN interface with --wan");
    return;
  }
  const Link* link = context.FindLink(route_if);
  if (link != nullptr && LooksLikeContainerLink(*link)) {
    report->Add("netns.host", Verdict::kWarn,
                absl::StrCat("the default route goes through ", route_if,
                             ", a veth-like link (Ethernet without hardware): not the host's network namespace"),
                "run the container with --network host (Kubernetes: hostNetwork: true), so the TUN interface "
                "appears where the host's NAT and forward rules apply");
    return;
  }
  report->Add("netns.host", Verdict::kPass, absl::StrCat("the default route goes through ", route_if, ", a host interface"));
}

}  // namespace phantun_runtime::doctor
