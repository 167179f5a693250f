#ifndef PHANTUN_RUNTIME_DOCTOR_NETLINK_DUMP_REQUEST_H_
#define PHANTUN_RUNTIME_DOCTOR_NETLINK_DUMP_REQUEST_H_

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

#include <string_view>
#include <string>
#include <vector>

#include "runtime/doctor/netlink/bytes.h"
#include "runtime/status.h"

namespace phantun_runtime::netlink {

// The doctor is read-only, and this is where that is enforced for netlink: the only message it can
// build (and the only one Socket sends) is a dump request, NLM_F_REQUEST | NLM_F_DUMP and no other
// flag, of a type on a short allow-list of GET types:
//   NETLINK_ROUTE:      RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE
//   NETLINK_NETFILTER:  nf_tables NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN, NFT_MSG_GETRULE
// Anything that creates, deletes or resets state (NEW*, DEL*, NFT_MSG_GETRULE_RESET,
// NFT_MSG_GETOBJ_RESET, ...) is refused before a byte is written.
struct DumpRequest {
  int protocol = 0;                                         // NETLINK_ROUTE or NETLINK_NETFILTER
  uint16_t type = 0;                                        // e.g. RTM_GETLINK
  uint16_t flags = NLM_F_REQUEST | NLM_F_DUMP;              // anything else is refused
  uint8_t family = 0;                                       // AF_* or NFPROTO_* (0 = all)
  uint32_t sequence = 0;
  // NFT_MSG_GETRULE only, both or neither: the rules of this one chain (NFTA_RULE_TABLE and
  // NFTA_RULE_CHAIN, as iptables-nft-save asks). The kernel walks only that chain, where a dump
  // of every rule walks past all the rules already sent for each datagram it fills.
  // NFT_MSG_GETSETELEM too: `chain` then names the set (NFTA_SET_ELEM_LIST_TABLE/_SET, which the
  // kernel requires).
  std::string table;
  std::string chain;
};

inline constexpr uint16_t kDumpFlags = NLM_F_REQUEST | NLM_F_DUMP;

// (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GET*: the nfnetlink message type of an nf_tables request.
uint16_t NftablesType(uint8_t nft_message);

// Builds the request: header plus the family header (struct ifinfomsg, ifaddrmsg, rtmsg or
// nfgenmsg, zero but for the family), plus the table and chain of a chain's rules. kInvalidArgument,
// saying why, for a request that is not an allow-listed dump.
StatusOr<std::vector<uint8_t>> BuildDumpRequest(const DumpRequest& request);

// The same check on bytes about to be sent: a single message, allow-listed type, dump flags, and
// nothing after the family header but a GETRULE's table and chain names.
bool IsAllowedDumpMessage(int protocol, Bytes bytes);

// The one request that is not a dump: a routing lookup, RTM_GETROUTE with NLM_F_REQUEST alone, as
// `ip route get` sends it. The kernel answers from its FIB (policy rules, then every table they
// name) with one RTM_NEWROUTE message describing the route, or an error such as ENETUNREACH; it
// keeps nothing of the question. Only RTA_DST, RTA_SRC and RTA_IIF are ever attached.
struct RouteQuery {
  uint8_t family = 0;     // AF_INET or AF_INET6
  std::string daddr;      // raw address bytes, 4 or 16
  std::string saddr;      // raw bytes, or empty
  uint32_t iif = 0;       // input interface index, 0 for none (the host's own packet)
  uint32_t sequence = 0;
};

// kInvalidArgument, saying why, for a family or address size that does not fit.
StatusOr<std::vector<uint8_t>> BuildRouteQuery(const RouteQuery& query);

// The check on bytes about to be sent: exactly one RTM_GETROUTE of flags NLM_F_REQUEST with
// nothing attached but RTA_DST, RTA_SRC and RTA_IIF.
bool IsAllowedRouteQuery(int protocol, Bytes bytes);

}  // namespace phantun_runtime::netlink

#endif  // PHANTUN_RUNTIME_DOCTOR_NETLINK_DUMP_REQUEST_H_
