#ifndef PHANTUN_RUNTIME_DOCTOR_SYSCTLS_H_
#define PHANTUN_RUNTIME_DOCTOR_SYSCTLS_H_

#include <optional>
#include <string>
#include <vector>

#include "runtime/doctor/host.h"

namespace phantun_runtime::doctor {

// The forwarding sysctls that decide whether phantun's traffic is forwarded, read from /proc/sys
// (whose net/ follows the reader's network namespace). nullopt: missing or not a number.
struct ForwardingSysctls {
  std::optional<int> ip_forward;       // net.ipv4.ip_forward
  std::optional<int> ipv6_forwarding;  // net.ipv6.conf.all.forwarding
  std::optional<int> all_rp_filter;    // net.ipv4.conf.all.rp_filter
  // net.ipv4.conf.<name>.forwarding and .rp_filter of each interface asked for.
  struct Interface {
    std::string name;
    std::optional<int> forwarding;
    std::optional<int> rp_filter;
  };
  std::vector<Interface> interfaces;
};

ForwardingSysctls ReadForwardingSysctls(const Host& host, const std::vector<std::string>& interfaces);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_SYSCTLS_H_
