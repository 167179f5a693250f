#include "runtime/doctor/netfilter_checks.h"

#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netfilter/forward_question.h"
#include "runtime/doctor/netfilter/nat_questions.h"
#include "runtime/doctor/netfilter/views.h"

namespace phantun_runtime::doctor {
namespace {

using netfilter::BackendState;
using netfilter::HostNetfilter;
using netfilter::Source;
using netfilter::Tristate;

// What the host's admin writes rules with: legacy iptables or iptables-nft when those hold the
// tables, nft otherwise (Debian, Ubuntu, Fedora and OpenWrt default to nftables).
bool UsesIptables(const HostNetfilter& nf) {
  bool iptables = false;
  for (const auto& table : nf.ruleset.tables) {
    if (table.source == Source::kNftables) return false;
    iptables = true;
  }
  return iptables;
}

// The backends that could not be read, for a skip's finding; "" when every one in use was read.
std::string Unreadable(const HostNetfilter& nf) {
  std::vector<std::string> unread;
  if (nf.nftables.state == BackendState::kPermissionDenied || nf.nftables.state == BackendState::kFailed) {
    unread.push_back(absl::StrCat("nftables (", nf.nftables.detail, ")"));
  }
  if (nf.iptables_legacy.state == BackendState::kPermissionDenied || nf.iptables_legacy.state == BackendState::kFailed) {
    unread.push_back(absl::StrCat("iptables-legacy (", nf.iptables_legacy.detail, ")"));
  }
  return absl::StrJoin(unread, ", ");
}

std::string Tun(const Context& context) { return context.tun.empty() ? std::string("TUN") : context.tun; }
std::string Wan(const Context& context) { return context.wan.empty() ? std::string("WAN") : context.wan; }

std::string MasqueradeFix(const Context& context, bool iptables) {
  if (iptables) {
    return absl::StrCat("iptables -t nat -A POSTROUTING -s ", context.options.tun_peer, " -o ", Wan(context),
                        " -j MASQUERADE");
  }
  return absl::StrCat(
      "nft add table inet nat; nft 'add chain inet nat postrouting { type nat hook postrouting priority srcnat; "
      "policy accept; }'; nft add rule inet nat postrouting iifname ",
      Tun(context), " oifname ", Wan(context), " masquerade");
}

std::string DnatFix(const Context& context, bool iptables) {
  const std::string port = context.options.port != 0 ? absl::StrCat(context.options.port) : "PORT";
  if (iptables) {
    return absl::StrCat("iptables -t nat -A PREROUTING -p tcp -i ", Wan(context), " --dport ", port,
                        " -j DNAT --to-destination ", context.options.tun_peer);
  }
  return absl::StrCat(
      "nft add table inet nat; nft 'add chain inet nat prerouting { type nat hook prerouting priority dstnat; "
      "policy accept; }'; nft add rule inet nat prerouting iifname ",
      Wan(context), " tcp dport ", port, " dnat ip to ", context.options.tun_peer);
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

std::string ChainName(const netfilter::ForwardAnswer& answer) {
  return absl::StrCat(answer.table, "/", answer.chain);
}

// The forward verdict for one direction, with the chain and rule that decided it.
struct Direction {
  std::string label;
  Tristate accepted = Tristate::kYes;
  std::string detail;
};

// How the finding words a forward verdict.
std::string_view VerdictWord(Tristate accepted) {
  switch (accepted) {
    case Tristate::kYes: return "accept";
    case Tristate::kNo: return "drop";
    case Tristate::kMaybe: return "uncertain";
  }
  return "?";
}

Direction AskForward(const HostNetfilter& nf, const std::string& from, const std::string& to, std::string label) {
  netfilter::Packet packet;  // TCP: phantun's fake TCP
  packet.iifname = from;
  packet.oifname = to;
  const std::vector<netfilter::ForwardAnswer> answers = netfilter::AnswerForward(nf.ruleset, packet);
  Direction direction{std::move(label), netfilter::CombineForward(answers), ""};
  // The combined verdict is the verdict of at least one chain: name the first such chain's rule.
  for (const auto& answer : answers) {
    if (answer.accepted == direction.accepted) {
      direction.detail = absl::StrCat(ChainName(answer), ": ", answer.rule_text);
      break;
    }
  }
  if (answers.empty()) direction.detail = "no forward chain";
  return direction;
}

void CheckForwardChains(const Context& context, const HostNetfilter& nf, bool iptables, const std::string& unreadable,
                        Report* report) {
  const Direction out = AskForward(nf, context.tun, context.wan, absl::StrCat(Tun(context), " -> ", Wan(context)));
  const Direction in = AskForward(nf, context.wan, context.tun, absl::StrCat(Wan(context), " -> ", Tun(context)));
  const std::string summary = absl::StrCat(out.label, ": ", VerdictWord(out.accepted), " (", out.detail, "); ",
                                           in.label, ": ", VerdictWord(in.accepted), " (", in.detail, ")");
  if (out.accepted == Tristate::kNo || in.accepted == Tristate::kNo) {
    const std::string fix =
        iptables ? absl::StrCat("iptables -I FORWARD -i ", Tun(context), " -o ", Wan(context), " -j ACCEPT; iptables -I FORWARD -i ",
                                Wan(context), " -o ", Tun(context),
                                " -j ACCEPT   (with Docker on the host: -I DOCKER-USER instead of -I FORWARD)")
                 : absl::StrCat("nft insert rule <family> <table> <chain> iifname ", Tun(context), " oifname ", Wan(context),
                                " accept; the same with iifname ", Wan(context), " oifname ", Tun(context),
                                "   (for the chain named above)");
    report->Add("fwd.chains", Verdict::kFail, summary, fix);
  } else if (!unreadable.empty()) {
    report->Add("fwd.chains", Verdict::kSkip, absl::StrCat("forward chains not fully readable: ", unreadable, " (needs CAP_NET_ADMIN)"));
  } else if (out.accepted == Tristate::kMaybe || in.accepted == Tristate::kMaybe) {
    report->Add("fwd.chains", Verdict::kWarn, summary, "check the rule named above lets phantun's TCP through in both directions");
  } else {
    report->Add("fwd.chains", Verdict::kPass, summary);
  }
}

}  // namespace

void CheckNetfilter(const Context& context, const HostNetfilter& nf, Report* report) {
  const std::string unreadable = Unreadable(nf);
  const bool iptables = UsesIptables(nf);
  const std::vector<netfilter::NatRule> nat = netfilter::CollectNatRules(nf.ruleset);
  const std::optional<std::string> peer = netfilter::ParseIpAddress(context.options.tun_peer);
  const Mode mode = context.options.mode;

  if (mode != Mode::kClient) {
    report->Add("nat.masquerade", Verdict::kSkip, "client check: this host is not checked as a client (--mode client)");
  } else {
    const std::string what = absl::StrCat("masquerade/SNAT of ", context.options.tun_peer, " out of ", Wan(context));
    ReportNat("nat.masquerade",
              netfilter::FindClientMasquerade(nat, {context.tun, peer.value_or(""), context.wan}), what,
              MasqueradeFix(context, iptables), unreadable, report);
  }

  if (mode != Mode::kServer) {
    report->Add("nat.dnat", Verdict::kSkip, "server check: this host is not checked as a server (--mode server)");
  } else if (context.options.port == 0) {
    report->Add("nat.dnat", Verdict::kSkip, "server listen port unknown: give --port (phantun_server's --local)");
  } else {
    const std::string what = absl::StrCat("DNAT of tcp/", context.options.port, " on ", Wan(context), " to ",
                                          context.options.tun_peer);
    ReportNat("nat.dnat",
              netfilter::FindServerDnat(nat, {context.wan, static_cast<uint16_t>(context.options.port), peer.value_or("")}),
              what, DnatFix(context, iptables), unreadable, report);
  }

  CheckForwardChains(context, nf, iptables, unreadable, report);
}

}  // namespace phantun_runtime::doctor
