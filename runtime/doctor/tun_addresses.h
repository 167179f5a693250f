#ifndef PHANTUN_RUNTIME_DOCTOR_TUN_ADDRESSES_H_
#define PHANTUN_RUNTIME_DOCTOR_TUN_ADDRESSES_H_

#include <string>
#include <vector>

#include "runtime/doctor/context.h"
#include "runtime/doctor/finding.h"
#include "runtime/doctor/netlink/dumper.h"

namespace phantun_runtime::doctor {

// The IPv4 addresses of one interface, as RTM_GETADDR reports them: on a point-to-point link
// IFA_LOCAL is this end and IFA_ADDRESS the peer.
struct InterfaceAddresses {
  bool read = false;
  std::string error;  // why not read
  struct Pair {
    std::string local;
    std::string peer;
  };
  std::vector<Pair> pairs;
};

InterfaceAddresses ReadIpv4Addresses(netlink::Dumper& dumper, int ifindex);

// tun.addr: the TUN interface carries --tun-local with --tun-peer as its peer.
void CheckTunAddresses(const Context& context, const InterfaceAddresses& addresses, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_TUN_ADDRESSES_H_
