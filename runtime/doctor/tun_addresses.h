#ifndef PHANTUN_RUNTIME_DOCTOR_TUN_ADDRESSES_H_
#define PHANTUN_RUNTIME_DOCTOR_TUN_ADDRESSES_H_

#include <string>
#include <vector>

#include "runtime/doctor/context.h"
#include "runtime/doctor/finding.h"
#include "runtime/doctor/host.h"
#include "runtime/status.h"

namespace phantun_runtime::doctor {

// One IPv4 address of an interface, as RTM_GETADDR reports it: on a point-to-point link IFA_LOCAL
// is this end and IFA_ADDRESS the peer.
struct AddressPair {
  std::string local;
  std::string peer;
};

// The IPv4 addresses of the interface with index `ifindex`.
StatusOr<std::vector<AddressPair>> ReadIpv4Addresses(const Host& host, int ifindex);

// tun.addr: the TUN interface carries --tun-local with --tun-peer as its peer.
void CheckTunAddresses(const Context& context, const StatusOr<std::vector<AddressPair>>& addresses, Report* report);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_TUN_ADDRESSES_H_
