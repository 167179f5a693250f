#include "runtime/doctor/netfilter/model.h"

namespace phantun_runtime::netfilter {

const Chain* Table::FindChain(std::string_view chain_name) const {
  for (const Chain& chain : chains) {
    if (chain.name == chain_name) return &chain;
  }
  return nullptr;
}

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

}  // namespace phantun_runtime::netfilter
