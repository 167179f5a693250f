#ifndef PHANTUN_RUNTIME_DOCTOR_LINKS_H_
#define PHANTUN_RUNTIME_DOCTOR_LINKS_H_

#include <optional>
#include <string>
#include <vector>

#include "runtime/doctor/host.h"

namespace phantun_runtime::doctor {

// One network interface as /sys/class/net shows it. A number is nullopt when its file is missing
// or does not hold one: the checks report that instead of judging a made-up value.
struct Link {
  std::string name;
  bool exists = false;
  std::optional<int> ifindex;
  std::optional<int> iflink;      // differs from ifindex for veth (its peer) and stacked devices
  std::optional<int> mtu;
  std::optional<int> type;        // ARPHRD_*: 1 for Ethernet
  std::optional<unsigned> flags;  // IFF_* from the flags file
  bool is_tun = false;            // has tun_flags: a TUN/TAP device
  bool has_device = false;        // backed by hardware (a device/ link)
  bool is_stacked = false;        // vlan, bridge, bond: virtual, but a host's own
};

Link ReadLink(const Host& host, const std::string& name);

// Every TUN/TAP interface in this network namespace.
std::vector<std::string> TunInterfaces(const Host& host);

// The interface of the IPv4 default route with the lowest metric (from /proc/net/route), or "".
std::string DefaultRouteInterface(const Host& host);

// An Ethernet link with no hardware behind it that is not a bridge, bond or VLAN: a veth (or
// macvlan/ipvlan), the uplink of a container's network namespace rather than a host's own NIC.
// (iflink cannot tell: a veth's peer in another namespace may carry the same ifindex.)
bool LooksLikeContainerLink(const Link& link);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_LINKS_H_
