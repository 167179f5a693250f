#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_READER_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_READER_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netlink/status.h"

namespace phantun_runtime::netfilter {

// The seam between the legacy iptables reader and the kernel.
class XtablesKernel {
 public:
  virtual ~XtablesKernel() = default;

  // The tables of `family` (kIpv4 / kIpv6) that exist in this network namespace. Outcome
  // kUnsupported when ip_tables (ip6_tables) is not in the kernel at all.
  virtual netlink::Status TableNames(Family family, std::vector<std::string>* names) = 0;
  // The raw replies to IPT_SO_GET_INFO and IPT_SO_GET_ENTRIES (IP6T_ for kIpv6).
  virtual netlink::Status GetInfo(Family family, const std::string& table, std::string* reply) = 0;
  virtual netlink::Status GetEntries(Family family, const std::string& table, uint32_t size, std::string* reply) = 0;
};

// The kernel itself. Table names come from /proc/net/ip_tables_names (ip6_tables_names), and only
// those tables are asked for: asking for any other name would make the kernel load its module or
// instantiate the table in this namespace, which registers hooks. getsockopt runs on an ordinary
// UDP socket: the kernel hands unknown IP-level options of any inet socket to netfilter and only
// checks CAP_NET_ADMIN, so CAP_NET_RAW (which a raw socket needs) is not required. setsockopt is
// never called.
class LiveXtables final : public XtablesKernel {
 public:
  netlink::Status TableNames(Family family, std::vector<std::string>* names) override;
  netlink::Status GetInfo(Family family, const std::string& table, std::string* reply) override;
  netlink::Status GetEntries(Family family, const std::string& table, uint32_t size, std::string* reply) override;
};

// Reads every legacy table of `family` into `ruleset`. A table that changes between its info and
// its entries (the kernel answers EAGAIN) is read again, up to three times.
netlink::Status ReadXtables(XtablesKernel& kernel, Family family, Ruleset* ruleset);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_READER_H_
