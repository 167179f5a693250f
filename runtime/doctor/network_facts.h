#ifndef PHANTUN_RUNTIME_DOCTOR_NETWORK_FACTS_H_
#define PHANTUN_RUNTIME_DOCTOR_NETWORK_FACTS_H_

#include <optional>
#include <string>
#include <vector>

#include "runtime/doctor/host.h"
#include "runtime/doctor/links.h"
#include "runtime/doctor/netfilter/trace.h"
#include "runtime/doctor/sysctls.h"

namespace phantun_runtime::doctor {

// What the packet tracer needs to know besides the rules: the interfaces with every address they
// carry (from RTM_GETADDR dumps of both families), and the forwarding switches. Addresses that
// cannot be read leave the interface without addresses; a masquerade out of it then fails in the
// trace, which names the interface.
netfilter::NetworkFacts ReadNetworkFacts(const Host& host, const std::vector<Link>& links,
                                         const ForwardingSysctls& sysctls);

// The local addresses ("0.0.0.0", "::1", ...) of the TCP sockets of this network namespace that
// listen on `port`, from /proc/net/tcp and /proc/net/tcp6; nullopt when neither can be read.
std::optional<std::vector<std::string>> ReadListeners(const Host& host, int port);

// Asks the kernel each routing question (RTM_GETROUTE, see Host::LookUpRoute) and adds the answers
// to `facts`: a route, the kernel's refusal (its reason as text), or, when the doctor could not
// ask, an answer marked lookup_failed.
void AnswerRoutes(const Host& host, const std::vector<netfilter::RouteFact>& questions, netfilter::NetworkFacts* facts);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_NETWORK_FACTS_H_
