#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_READER_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_READER_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "runtime/doctor/netfilter/model.h"
#include "runtime/status.h"

namespace phantun_runtime::netfilter {

// The seam between the legacy iptables reader and the kernel.
class XtablesKernel {
 public:
  virtual ~XtablesKernel() = default;

  // The tables of `family` (kIpv4 / kIpv6) that exist in this network namespace; kUnimplemented
  // when ip_tables (ip6_tables) is not in the kernel at all.
  virtual StatusOr<std::vector<std::string>> TableNames(Family family) = 0;
  // The raw replies to IPT_SO_GET_INFO and IPT_SO_GET_ENTRIES (IP6T_ for kIpv6).
  virtual StatusOr<std::string> GetInfo(Family family, const std::string& table) = 0;
  virtual StatusOr<std::string> GetEntries(Family family, const std::string& table, uint32_t size) = 0;
};

// The kernel itself. Table names come from /proc/net/ip_tables_names (ip6_tables_names), and only
// those tables are asked for: asking for any other name would make the kernel load its module or
// instantiate the table in this namespace, which registers hooks. getsockopt runs on an ordinary
// UDP socket: the kernel hands unknown IP-level options of any inet socket to netfilter and only
// checks CAP_NET_ADMIN, so CAP_NET_RAW (which a raw socket needs) is not required. setsockopt is
// never called.
class LiveXtables final : public XtablesKernel {
 public:
  StatusOr<std::vector<std::string>> TableNames(Family family) override;
  StatusOr<std::string> GetInfo(Family family, const std::string& table) override;
  StatusOr<std::string> GetEntries(Family family, const std::string& table, uint32_t size) override;
};

// Reads every legacy table of `family` into `ruleset`. A table that changes between its info and
// its entries (the kernel answers EAGAIN) is read again, up to three times.
Status ReadXtables(XtablesKernel& kernel, Family family, Ruleset* ruleset);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_READER_H_
