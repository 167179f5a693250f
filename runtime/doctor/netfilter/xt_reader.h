#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_READER_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_READER_H_

#include <stdint.h>

#include <string>

#include "runtime/doctor/host.h"
#include "runtime/doctor/netfilter/model.h"
#include "runtime/status.h"

namespace phantun_runtime::netfilter {

// Reads every legacy table of `family` (kIpv4 / kIpv6) into `ruleset`, through the host: the
// table names from /proc/net/ip_tables_names (ip6_tables_names), then each table's
// IPT_SO_GET_INFO and IPT_SO_GET_ENTRIES (IP6T_ for kIpv6). Only the tables listed there are asked
// for: asking for any other name would make the kernel load its module or instantiate the table in
// this namespace, which registers hooks. kUnimplemented when the names file does not exist (no
// x_tables of that family in this kernel). A table that changes between its info and its entries
// (the kernel answers EAGAIN) is read again, up to three times.
Status ReadXtables(const doctor::Host& host, Family family, Ruleset* ruleset);

// The request buffers of the two getsockopt calls, with the table's name in place (for the tests'
// capture tool too).
std::string XtablesInfoRequest(const std::string& table);
std::string XtablesEntriesRequest(const std::string& table, uint32_t size);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_READER_H_
