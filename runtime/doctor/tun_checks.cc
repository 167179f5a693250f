#include "runtime/doctor/tun_checks.h"

#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace phantun_runtime::doctor {
namespace {

constexpr unsigned kTunMajor = 10;
constexpr unsigned kTunMinor = 200;

// Upstream phantun's MTU guidance for WireGuard carried over it: the outer IP header, phantun's TCP
// header and WireGuard's own 32 bytes come off the interface MTU.
constexpr int kTcpHeader = 20;
constexpr int kWireGuardOverhead = 32;
constexpr int kIpv4Header = 20;
constexpr int kIpv6Header = 40;

}  // namespace

void CheckTunDevice(const TunProbe& probe, bool in_container, Report* report) {
  const std::string give_device =
      in_container ? "run the container with --device /dev/net/tun (Kubernetes: a hostPath volume of type CharDevice)"
                   : "modprobe tun   (OpenWrt: opkg install kmod-tun)";
  if (!probe.found.ok()) {
    report->Add("tun.device", Verdict::kFail, absl::StrCat("/dev/net/tun: ", strerror(probe.found.system_error())),
                give_device);
  } else if (!probe.is_char || probe.major != kTunMajor || probe.minor != kTunMinor) {
    report->Add("tun.device", Verdict::kFail,
                probe.is_char ? absl::StrCat("/dev/net/tun is char device ", probe.major, ":", probe.minor, ", expected 10:200")
                              : "/dev/net/tun is not a character device",
                "mknod /dev/net/tun c 10 200 && chmod 0666 /dev/net/tun   (or pass the host's device in)");
  } else if (!probe.opened.ok()) {
    report->Add("tun.device", Verdict::kFail,
                absl::StrCat("/dev/net/tun (char 10:200) does not open read-write: ", strerror(probe.opened.system_error())),
                in_container ? "run the container with --device /dev/net/tun (a bind mount alone is refused by the device cgroup)"
                             : "run phantun as root or with CAP_NET_ADMIN, and check the device's permissions");
  } else {
    report->Add("tun.device", Verdict::kPass, "/dev/net/tun is char 10:200 and opens read-write");
  }

  if (!probe.features) {
    report->Add("tun.multiqueue", Verdict::kSkip, "TUN features unknown: /dev/net/tun could not be opened");
  } else if (*probe.features & IFF_MULTI_QUEUE) {
    report->Add("tun.multiqueue", Verdict::kPass, "the kernel supports multi-queue TUN (IFF_MULTI_QUEUE)");
  } else {
    report->Add("tun.multiqueue", Verdict::kWarn,
                absl::StrCat("the kernel's TUN lacks IFF_MULTI_QUEUE (features 0x", absl::Hex(*probe.features), ")"),
                "use a kernel built with multi-queue TUN (Linux >= 3.8); phantun opens one queue per core");
  }
}

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

void CheckTunAddresses(const Context& context, Report* report) {
  const StatusOr<std::vector<AddressPair>>& addresses = context.tun_addresses;
  const Options& options = context.options;
  if (context.FindLink(context.tun) == nullptr) {
    report->Add("tun.addr", Verdict::kSkip, "no TUN interface to check");
    return;
  }
  if (!addresses.ok()) {
    report->Add("tun.addr", Verdict::kSkip,
                absl::StrCat("addresses of ", context.tun, " not readable: ", addresses.status().message()));
    return;
  }
  std::vector<std::string> seen;
  for (const AddressPair& pair : *addresses) {
    if (pair.local == options.tun_local && pair.peer == options.tun_peer) {
      report->Add("tun.addr", Verdict::kPass,
                  absl::StrCat(context.tun, " has ", pair.local, " peer ", pair.peer, " (the addresses the NAT rules must use)"));
      return;
    }
    seen.push_back(pair.local == pair.peer ? pair.local : absl::StrCat(pair.local, " peer ", pair.peer));
  }
  report->Add("tun.addr", Verdict::kWarn,
              absl::StrCat(context.tun, " has ", seen.empty() ? std::string("no IPv4 address") : absl::StrJoin(seen, ", "),
                           ", not ", options.tun_local, " peer ", options.tun_peer),
              "tell the doctor phantun's --tun-local/--tun-peer, or point the NAT rules at the TUN's real peer address");
}

}  // namespace phantun_runtime::doctor
