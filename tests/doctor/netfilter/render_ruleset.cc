#include "tests/doctor/netfilter/render_ruleset.h"

#include "absl/strings/str_cat.h"

namespace phantun_runtime::netfilter {
namespace {

// The model's names as the rendering writes them (trace.h has the doctor's own, for hops).
std::string_view SourceName(Source source) {
  switch (source) {
    case Source::kNftables: return "nftables";
    case Source::kIptablesLegacy: return "iptables-legacy";
    case Source::kIptablesNft: return "iptables-nft";
  }
  return "?";
}

std::string_view FamilyName(Family family) {
  switch (family) {
    case Family::kUnspec: return "unspec";
    case Family::kInet: return "inet";
    case Family::kIpv4: return "ip";
    case Family::kArp: return "arp";
    case Family::kNetdev: return "netdev";
    case Family::kBridge: return "bridge";
    case Family::kIpv6: return "ip6";
  }
  return "?";
}

std::string_view HookName(Hook hook) {
  switch (hook) {
    case Hook::kNone: return "";
    case Hook::kPrerouting: return "prerouting";
    case Hook::kInput: return "input";
    case Hook::kForward: return "forward";
    case Hook::kOutput: return "output";
    case Hook::kPostrouting: return "postrouting";
    case Hook::kOther: return "other";
  }
  return "?";
}

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kContinue: return "continue";
    case Action::kAccept: return "accept";
    case Action::kDrop: return "drop";
    case Action::kReject: return "reject";
    case Action::kJump: return "jump";
    case Action::kGoto: return "goto";
    case Action::kReturn: return "return";
    case Action::kMasquerade: return "masquerade";
    case Action::kSnat: return "snat";
    case Action::kDnat: return "dnat";
    case Action::kRedirect: return "redirect";
    case Action::kUnknown: return "unknown";
  }
  return "?";
}

}  // namespace

std::string RenderRuleset(const Ruleset& ruleset) {
  std::string text;
  for (const Table& table : ruleset.tables) {
    absl::StrAppend(&text, SourceName(table.source), " ", FamilyName(table.family), " ", table.name,
                    table.dormant ? " (dormant)" : "", "\n");
    for (const Chain& chain : table.chains) {
      absl::StrAppend(&text, "  chain ", chain.name);
      if (chain.base) {
        absl::StrAppend(&text, " (", chain.type.empty() ? "" : absl::StrCat(chain.type, ", "), "hook ",
                        HookName(chain.hook), ", priority ", chain.priority, ", policy ", ActionName(chain.policy),
                        ")");
      }
      absl::StrAppend(&text, "\n");
      for (const Rule& rule : chain.rules) {
        absl::StrAppend(&text, "    ", rule.text, rule.uncertain ? "  [uncertain]" : "", "\n");
      }
    }
  }
  return text;
}

}  // namespace phantun_runtime::netfilter
