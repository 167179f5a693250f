#ifndef PHANTUN_RUNTIME_DOCTOR_LINKS_H_
#define PHANTUN_RUNTIME_DOCTOR_LINKS_H_

#include <stdint.h>

#include <optional>
#include <string>
#include <vector>

#include "runtime/doctor/host.h"
#include "runtime/status.h"

namespace phantun_runtime::doctor {

// One network interface of the doctor's network namespace, as RTM_GETLINK reports it. Not from
// /sys/class/net: sysfs shows the namespace of whoever mounted it, so under `nsenter --net` it
// would describe the host's interfaces instead of this namespace's.
struct Link {
  std::string name;
  int ifindex = 0;
  unsigned flags = 0;          // IFF_*
  uint16_t type = 0;           // ARPHRD_*: 1 for Ethernet
  std::optional<uint32_t> mtu;  // nullopt when the kernel sent no IFLA_MTU: the checks say so
  // IFLA_INFO_KIND: "tun" (TUN and TAP), "veth", "bridge", "bond", "vlan", ...; "" for a device
  // without link operations, which is hardware (or lo).
  std::string kind;
  std::optional<int> link;  // IFLA_LINK: a veth's peer or a stacked device's lower one, by index

  bool is_tun() const { return kind == "tun"; }
};

// Every interface of this network namespace, from one dump.
StatusOr<std::vector<Link>> ReadLinks(const Host& host);

// The link named `name` among `links`, or nullptr ("" names none).
const Link* FindLink(const std::vector<Link>& links, const std::string& name);

// One IPv4 address of an interface, as RTM_GETADDR reports it: on a point-to-point link IFA_LOCAL
// is this end and IFA_ADDRESS the peer.
struct AddressPair {
  std::string local;
  std::string peer;
};

// Every address of `family` (AF_INET or AF_INET6) in this network namespace, from one dump, as
// raw bytes: IFA_LOCAL is this end (on a point-to-point link), IFA_ADDRESS the peer; IPv6 often
// sends only IFA_ADDRESS, which is then both.
struct InterfaceAddress {
  int ifindex = 0;
  std::string local;
  std::string peer;
};
StatusOr<std::vector<InterfaceAddress>> ReadAddresses(const Host& host, uint8_t family);

// The IPv4 addresses of the interface with index `ifindex`, from one dump.
StatusOr<std::vector<AddressPair>> ReadIpv4Addresses(const Host& host, int ifindex);

// The interface of the IPv4 default route with the lowest metric (from /proc/net/route, which,
// unlike sysfs, follows the reader's network namespace), or "".
std::string DefaultRouteInterface(const Host& host);

// An Ethernet link with no hardware behind it that is not a bridge, bond, VLAN or TAP: a veth (or
// macvlan/ipvlan), the uplink of a container's network namespace rather than a host's own NIC.
// (Its IFLA_LINK cannot tell: a veth's peer in another namespace may carry any index.)
bool LooksLikeContainerLink(const Link& link);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_LINKS_H_
