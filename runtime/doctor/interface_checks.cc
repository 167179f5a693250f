#include "runtime/doctor/interface_checks.h"

#include <net/if.h>

#include "absl/strings/str_cat.h"

namespace phantun_runtime::doctor {
namespace {

// Upstream phantun's MTU guidance for WireGuard carried over it: the outer IP header, phantun's TCP
// header and WireGuard's own 32 bytes come off the interface MTU.
constexpr int kTcpHeader = 20;
constexpr int kWireGuardOverhead = 32;
constexpr int kIpv4Header = 20;
constexpr int kIpv6Header = 40;

}  // namespace

void CheckTunInterface(const Context& context, Report* report) {
  const Link* tun = context.FindLink(context.tun);
  const Link* wan = context.FindLink(context.wan);
  // Why a named interface is not there: it does not exist, or no interface could be read.
  const auto missing = [&](const std::string& name) {
    return context.links_read.ok() ? absl::StrCat(name, " does not exist")
                                   : absl::StrCat(name, " not checked: interfaces not readable: ", context.links_read.message());
  };
  if (tun == nullptr) {
    const std::string why = context.tun.empty() ? context.tun_reason : missing(context.tun);
    report->Add("tun.iface", Verdict::kSkip, absl::StrCat("TUN interface not checked: ", why));
  } else if (!(tun->flags & IFF_UP)) {
    report->Add("tun.iface", Verdict::kFail, absl::StrCat(tun->name, " exists but is down (flags 0x", absl::Hex(tun->flags), ")"),
                absl::StrCat("phantun brings its TUN up itself: check its log; by hand: ip link set ", tun->name, " up"));
  } else if (!(tun->flags & IFF_POINTOPOINT)) {
    report->Add("tun.iface", Verdict::kWarn, absl::StrCat(tun->name, " is up but not point-to-point (flags 0x", absl::Hex(tun->flags), ")"),
                absl::StrCat("is ", tun->name, " really phantun's TUN? name it with --tun"));
  } else {
    report->Add("tun.iface", Verdict::kPass, absl::StrCat(tun->name, " is up and point-to-point (", context.tun_reason, ")"));
  }

  if (wan == nullptr) {
    report->Add("tun.mtu", Verdict::kSkip,
                context.wan.empty() ? std::string("no WAN interface: no default route and no --wan")
                                    : absl::StrCat("WAN interface ", missing(context.wan)));
    return;
  }
  if (!wan->mtu) {
    report->Add("tun.mtu", Verdict::kSkip, absl::StrCat("the kernel gave no MTU for ", wan->name, ": MTU not checked"));
    return;
  }
  const int wan_mtu = static_cast<int>(*wan->mtu);
  const std::string wireguard = absl::StrCat("WireGuard over phantun: MTU ", wan_mtu - kIpv4Header - kTcpHeader - kWireGuardOverhead,
                                             " (IPv4) or ", wan_mtu - kIpv6Header - kTcpHeader - kWireGuardOverhead,
                                             " (IPv6) for WAN MTU ", wan_mtu);
  if (tun == nullptr) {
    report->Add("tun.mtu", Verdict::kInfo, wireguard);
  } else if (!tun->mtu) {
    report->Add("tun.mtu", Verdict::kSkip,
                absl::StrCat("the kernel gave no MTU for ", tun->name, ": not compared; ", wireguard));
  } else if (static_cast<int>(*tun->mtu) > wan_mtu) {
    report->Add("tun.mtu", Verdict::kWarn,
                absl::StrCat(tun->name, " MTU ", *tun->mtu, " exceeds ", wan->name, " MTU ", wan_mtu, ": full-size packets will not fit; ", wireguard),
                absl::StrCat("lower the MTU of what feeds phantun (e.g. the WireGuard interface) to the figure above, or ip link set ",
                             tun->name, " mtu ", wan_mtu));
  } else {
    report->Add("tun.mtu", Verdict::kPass, absl::StrCat(tun->name, " MTU ", *tun->mtu, " <= ", wan->name, " MTU ", wan_mtu, "; ", wireguard));
  }
}

}  // namespace phantun_runtime::doctor
