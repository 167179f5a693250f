#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_NAT_QUESTIONS_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_NAT_QUESTIONS_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netfilter/views.h"

namespace phantun_runtime::netfilter {

struct NatAnswer {
  Tristate answer = Tristate::kNo;
  // kYes: the rule that applies. kMaybe: every rule that might (a condition we cannot evaluate,
  // an undecoded expression, an address from a map, a port range). kNo: empty.
  std::vector<NatRule> rules;
};

// (a) phantun client: is the fake-TCP traffic leaving the host masqueraded / SNATed? The packet is
// TCP from the TUN peer address (phantun's --tun-peer, e.g. 192.168.200.2), arriving on the TUN
// interface and leaving through the WAN interface. A MASQUERADE or SNAT rule in a postrouting NAT
// chain applies when each of its conditions holds for that packet or is absent; conditions on
// what the question leaves open (the server's address and port) make it uncertain.
struct ClientNatQuestion {
  std::string tun_name;  // e.g. "tun0"
  std::string tun_peer;  // raw address bytes (ParseIpAddress), 4 or 16
  std::string wan_name;  // e.g. "eth0"
};
NatAnswer FindClientMasquerade(const std::vector<NatRule>& rules, const ClientNatQuestion& question);

// (b) phantun server: does TCP to port P arriving on the WAN interface (empty: any interface) get
// DNATed to the TUN peer address (phantun's --tun-peer, e.g. 192.168.201.2), with no port change
// or to P itself? Looks at DNAT rules in prerouting NAT chains.
struct ServerNatQuestion {
  std::string wan_name;  // empty: unknown, any interface
  uint16_t port = 0;     // phantun server's --local port
  std::string tun_peer;  // raw address bytes
};
NatAnswer FindServerDnat(const std::vector<NatRule>& rules, const ServerNatQuestion& question);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_NAT_QUESTIONS_H_
