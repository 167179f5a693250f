#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_TABLE_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_TABLE_H_

#include <stdint.h>

#include <string>

#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netlink/bytes.h"
#include "runtime/status.h"

namespace phantun_runtime::netfilter {

// What IPT_SO_GET_INFO (IP6T_SO_GET_INFO) says about a legacy table.
struct XtTableInfo {
  std::string name;
  uint32_t valid_hooks = 0;  // bit NF_INET_* set for each built-in chain
  uint32_t hook_entry[5] = {};  // offset of each built-in chain's first rule
  uint32_t underflow[5] = {};   // offset of each built-in chain's policy entry
  uint32_t entries = 0;
  uint32_t size = 0;  // bytes of entries, what IPT_SO_GET_ENTRIES must be asked for
};

// Parses the 84-byte struct ipt_getinfo. False when it is shorter.
bool ParseXtInfo(netlink::Bytes reply, XtTableInfo* info);

// Turns the reply to IPT_SO_GET_ENTRIES (struct ipt_get_entries: name, size, then the entries) into
// a table of `family` (kIpv4: ipt_entry, kIpv6: ip6t_entry): built-in chains at the hooks `info`
// names, with their policies; user chains from their ERROR-target headers; jumps resolved to chain
// names; each rule's matches and target decoded (xt_decode.h) and its text rendered in iptables
// syntax. kIoError, saying what is wrong, when the entries do not hang together (a size or offset
// out of range); every offset is checked before it is used.
StatusOr<Table> ParseXtTable(Family family, const XtTableInfo& info, netlink::Bytes reply);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_TABLE_H_
