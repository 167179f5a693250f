#include "runtime/doctor/route_checks.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netfilter/host_netfilter.h"
#include "runtime/doctor/traces.h"

namespace phantun_runtime::doctor {
namespace {

// What an operator runs to see the kernel's own answer for the packet that failed.
std::string RouteGetCommand(const netfilter::Path& path, const PhantunTrace& traced) {
  const netfilter::Packet& packet = path.packet;
  if (packet.daddr.empty()) return "";
  std::string command = absl::StrCat("ip ", packet.family == netfilter::Family::kIpv6 ? "-6 " : "", "route get ",
                                     netfilter::FormatIpAddress(packet.daddr));
  if (!packet.saddr.empty() && !traced.request.packet.iifname.empty()) {
    absl::StrAppend(&command, " from ", netfilter::FormatIpAddress(packet.saddr), " iif ", packet.iifname);
  }
  return command;
}

}  // namespace

void CheckRoutes(const Context& context, Report* report) {
  if (const std::string unreadable = netfilter::UnreadableBackends(context.netfilter); !unreadable.empty()) {
    // The route depends on the NAT before it, which the rules would tell.
    report->Add("route.path", Verdict::kSkip, absl::StrCat("the rules are not fully readable: ", unreadable, " (needs CAP_NET_ADMIN)"));
    return;
  }
  const CheckAnswer answer = JudgeTraces(context, Blame::kRoute,
                                         {PacketRole::kServerSyn, PacketRole::kServerReply, PacketRole::kClientSyn,
                                          PacketRole::kClientReply});
  const std::string look = answer.path != nullptr && answer.trace != nullptr ? RouteGetCommand(*answer.path, *answer.trace) : "";
  const std::string advice =
      absl::StrCat("routes and policy rules are the host admin's (ip route / ip rule); the kernel's own answer: ",
                   look.empty() ? "ip route get <address>" : look);
  switch (answer.kind) {
    case CheckAnswer::Kind::kPass:
      report->Add("route.path", Verdict::kPass, answer.finding);
      return;
    case CheckAnswer::Kind::kWarn:
      report->Add("route.path", Verdict::kWarn, answer.finding, advice);
      return;
    case CheckAnswer::Kind::kFail:
      report->Add("route.path", Verdict::kFail, answer.finding, advice);
      return;
    case CheckAnswer::Kind::kNotReached:
      report->Add("route.path", Verdict::kSkip, answer.finding);
      return;
    case CheckAnswer::Kind::kNotTraced:
      report->Add("route.path", Verdict::kSkip, absl::StrCat("not traced: ", WhyNotTraced(context)));
      return;
  }
}

}  // namespace phantun_runtime::doctor
