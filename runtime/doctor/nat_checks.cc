#include "runtime/doctor/nat_checks.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/doctor/traces.h"

namespace phantun_runtime::doctor {
namespace {

// What listens on the server's port here. phantun itself never does (its TCP is behind the TUN),
// so a listener is another program: harmless while the DNAT is right, since DNATed SYNs never
// reach it; the one that answers phantun's clients when the DNAT is missing.
void CheckListener(const Context& context, Report* report) {
  if (context.options.mode != Mode::kServer || context.options.port == 0) {
    report->Add("nat.listener", Verdict::kSkip, "server check with --port: what else listens on phantun's port");
  } else if (!context.listeners) {
    report->Add("nat.listener", Verdict::kSkip, "/proc/net/tcp is not readable (/proc not mounted?)");
  } else if (context.listeners->empty()) {
    report->Add("nat.listener", Verdict::kInfo,
                absl::StrCat("nothing listens on tcp/", context.options.port,
                             " here, as expected: phantun answers behind its TUN, without a socket"));
  } else {
    report->Add("nat.listener", Verdict::kInfo,
                absl::StrCat("another program listens on tcp/", context.options.port, " (", absl::StrJoin(*context.listeners, ", "),
                             "): harmless while the DNAT sends the port to phantun; without it, that program answers "
                             "phantun's clients"));
  }
}

}  // namespace

void CheckNat(const Context& context, Report* report) {
  const std::string unreadable = netfilter::UnreadableBackends(context.netfilter);
  const Mode mode = context.options.mode;
  const std::string skip_unreadable =
      absl::StrCat("the rules are not fully readable: ", unreadable, " (needs CAP_NET_ADMIN)");

  if (mode != Mode::kClient) {
    report->Add("nat.masquerade", Verdict::kSkip, "client check: this host is not checked as a client (--mode client)");
  } else if (!unreadable.empty()) {
    report->Add("nat.masquerade", Verdict::kSkip, skip_unreadable);
  } else {
    ReportTraced(context, "nat.masquerade", Blame::kNat, {PacketRole::kClientSyn}, report);
  }

  CheckListener(context, report);

  if (mode != Mode::kServer) {
    report->Add("nat.dnat", Verdict::kSkip, "server check: this host is not checked as a server (--mode server)");
  } else if (context.options.port == 0) {
    report->Add("nat.dnat", Verdict::kSkip, "server listen port unknown: give --port (phantun_server's --local)");
  } else if (!unreadable.empty()) {
    report->Add("nat.dnat", Verdict::kSkip, skip_unreadable);
  } else {
    ReportTraced(context, "nat.dnat", Blame::kNat, {PacketRole::kServerSyn}, report);
  }
}

}  // namespace phantun_runtime::doctor
