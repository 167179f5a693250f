#include "runtime/doctor/nat_checks.h"

#include <stdint.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netfilter/nat_questions.h"
#include "runtime/doctor/netfilter/views.h"

namespace phantun_runtime::doctor {
namespace {

using netfilter::Tristate;

std::string MasqueradeFix(const Context& context, bool iptables) {
  if (iptables) {
    return absl::StrCat("iptables -t nat -A POSTROUTING -s ", context.options.tun_peer, " -o ", WanLabel(context),
                        " -j MASQUERADE");
  }
  return absl::StrCat(
      "nft add table inet nat; nft 'add chain inet nat postrouting { type nat hook postrouting priority srcnat; "
      "policy accept; }'; nft add rule inet nat postrouting iifname ",
      TunLabel(context), " oifname ", WanLabel(context), " masquerade");
}

std::string DnatFix(const Context& context, bool iptables) {
  const std::string port = context.options.port != 0 ? absl::StrCat(context.options.port) : "PORT";
  if (iptables) {
    return absl::StrCat("iptables -t nat -A PREROUTING -p tcp -i ", WanLabel(context), " --dport ", port,
                        " -j DNAT --to-destination ", context.options.tun_peer);
  }
  return absl::StrCat(
      "nft add table inet nat; nft 'add chain inet nat prerouting { type nat hook prerouting priority dstnat; "
      "policy accept; }'; nft add rule inet nat prerouting iifname ",
      WanLabel(context), " tcp dport ", port, " dnat ip to ", context.options.tun_peer);
}

// Reports one NAT answer: a rule that applies passes, none fails (or skips when a backend could
// not be read), a rule we cannot judge warns.
void ReportNat(const char* id, const netfilter::NatAnswer& answer, const std::string& what, const std::string& fix,
               const std::string& unreadable, Report* report) {
  if (answer.answer == Tristate::kYes) {
    report->Add(id, Verdict::kPass, absl::StrCat(what, ": ", answer.rules.front().text));
  } else if (!unreadable.empty()) {
    report->Add(id, Verdict::kSkip, absl::StrCat(what, ": not found in what could be read; unreadable: ", unreadable,
                                                " (needs CAP_NET_ADMIN)"));
  } else if (answer.answer == Tristate::kMaybe) {
    std::vector<std::string> texts;
    for (const auto& rule : answer.rules) texts.push_back(rule.text);
    report->Add(id, Verdict::kWarn, absl::StrCat(what, ": only rules that may or may not apply: ", absl::StrJoin(texts, " | ")),
                absl::StrCat("check those rules, or add an unconditional one: ", fix));
  } else {
    report->Add(id, Verdict::kFail, absl::StrCat(what, ": no such rule"), fix);
  }
}

}  // namespace

void CheckNat(const Context& context, Report* report) {
  const netfilter::HostNetfilter& nf = context.netfilter;
  const std::string unreadable = netfilter::UnreadableBackends(nf);
  const bool iptables = netfilter::UsesIptables(nf);
  const std::vector<netfilter::NatRule> nat = netfilter::CollectNatRules(nf.ruleset);
  const std::optional<std::string> peer = netfilter::ParseIpAddress(context.options.tun_peer);
  const Mode mode = context.options.mode;

  if (mode != Mode::kClient) {
    report->Add("nat.masquerade", Verdict::kSkip, "client check: this host is not checked as a client (--mode client)");
  } else {
    const std::string what = absl::StrCat("masquerade/SNAT of ", context.options.tun_peer, " out of ", WanLabel(context));
    ReportNat("nat.masquerade",
              netfilter::FindClientMasquerade(nat, {context.tun, peer.value_or(""), context.wan}), what,
              MasqueradeFix(context, iptables), unreadable, report);
  }

  if (mode != Mode::kServer) {
    report->Add("nat.dnat", Verdict::kSkip, "server check: this host is not checked as a server (--mode server)");
  } else if (context.options.port == 0) {
    report->Add("nat.dnat", Verdict::kSkip, "server listen port unknown: give --port (phantun_server's --local)");
  } else {
    const std::string what = absl::StrCat("DNAT of tcp/", context.options.port, " on ", WanLabel(context), " to ",
                                          context.options.tun_peer);
    ReportNat("nat.dnat",
              netfilter::FindServerDnat(nat, {context.wan, static_cast<uint16_t>(context.options.port), peer.value_or("")}),
              what, DnatFix(context, iptables), unreadable, report);
  }
}

}  // namespace phantun_runtime::doctor
