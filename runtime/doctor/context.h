#ifndef PHANTUN_RUNTIME_DOCTOR_CONTEXT_H_
#define PHANTUN_RUNTIME_DOCTOR_CONTEXT_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/doctor/host.h"
#include "runtime/doctor/links.h"
#include "runtime/doctor/netfilter/host_netfilter.h"
#include "runtime/doctor/options.h"
#include "runtime/doctor/process_facts.h"
#include "runtime/doctor/sysctls.h"
#include "runtime/doctor/traces.h"
#include "runtime/doctor/netfilter/trace.h"
#include "runtime/status.h"

namespace phantun_runtime::doctor {

// Everything the checks judge: the options and every fact, gathered from the Host once, before
// the first check. The checks are functions of this alone; none of them asks the host anything.
struct Context {
  Context(const Options& given, ProcessFacts facts) : options(given), process(std::move(facts)) {}

  const Options& options;
  ProcessFacts process;
  std::vector<Link> links;    // this network namespace's interfaces
  Status links_read;          // why `links` is empty when they could not be read
  std::string default_route;  // the IPv4 default route's interface; "" when none
  std::string wan;            // --wan, or the default route's interface; "" when neither
  std::string tun;            // --tun, or the TUN interface found here; "" when none
  std::string tun_reason;     // how `tun` was chosen, or why none was
  // Of the interfaces phantun's traffic comes in on: the WAN, and the TUN (or conf/default, which
  // a TUN created later takes).
  ForwardingSysctls sysctls;
  StatusOr<std::vector<AddressPair>> tun_addresses = std::vector<AddressPair>();  // none without a TUN
  netfilter::HostNetfilter netfilter;
  netfilter::NetworkFacts network;   // interfaces, addresses, forwarding, and the routes asked
  // Server: the local addresses of TCP sockets listening on --port here (/proc/net/tcp, tcp6);
  // nullopt when neither file could be read.
  std::optional<std::vector<std::string>> listeners;
  std::vector<PhantunTrace> traces;  // phantun's packets through this host (traces.h)

  const Link* FindLink(const std::string& name) const { return doctor::FindLink(links, name); }
};

Context ResolveContext(const Options& options, const Host& host);
// The same with the process facts already read (the doctor reads them before its guard goes up,
// as phantun would be started, and some of them cannot be read under it).
Context ResolveContext(const Options& options, const Host& host, ProcessFacts process);

// Traces phantun's packets through `context->netfilter.ruleset` (into `context->traces`), reading
// what the traces turn out to need and tracing again until nothing more is: the routing answers
// for the packets as NAT rewrote them, the rules of the nftables chains they enter. ResolveContext
// ends with it; a setup recipe (setup_recipe.h) calls it again on a ruleset with its rules added.
void TraceRounds(const Host& host, Context* context);

// The TUN's and the WAN's names for findings and fixes: "TUN" and "WAN" when there is none.
inline std::string TunLabel(const Context& context) { return context.tun.empty() ? std::string("TUN") : context.tun; }
inline std::string WanLabel(const Context& context) { return context.wan.empty() ? std::string("WAN") : context.wan; }

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_CONTEXT_H_
