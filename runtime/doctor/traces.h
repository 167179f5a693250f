#ifndef PHANTUN_RUNTIME_DOCTOR_TRACES_H_
#define PHANTUN_RUNTIME_DOCTOR_TRACES_H_

#include <string>
#include <vector>

#include "runtime/doctor/finding.h"
#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netfilter/trace.h"

namespace phantun_runtime::doctor {

struct Context;

// The packets phantun depends on, traced through this host (netfilter/trace.h). A server needs
// the client's SYN to come in on the WAN, be DNATed to the TUN peer address and port, and leave
// by the TUN, and its own replies to go back out; a client needs its SYN from the TUN peer address
// to be masqueraded (or SNATed to an address of this host) on its way out, and the server's
// replies to come back to the TUN. A data packet takes the same path as the SYN or its reply.
enum class PacketRole { kServerSyn, kServerReply, kClientSyn, kClientReply };

struct PhantunTrace {
  PacketRole role = PacketRole::kServerSyn;
  netfilter::TraceRequest request;
  netfilter::Trace trace;
};

// Which check a path fails, if any. Each failing path fails exactly one: the first thing on it
// that keeps phantun's packet from arriving as phantun needs it.
enum class Blame { kNone, kChains, kNat, kRoute, kUnknown };

struct PathVerdict {
  Blame blame = Blame::kNone;
  std::string why;  // one line: what happens to the packet, and what phantun needed instead
};

PathVerdict JudgePath(const Context& context, PacketRole role, const netfilter::Path& path);

// The SYN's request for this host's mode and family (kIpv4 or kIpv6). Replies are planned from
// a traced SYN (ReplyRequest), as conntrack answers on the path the SYN made.
netfilter::TraceRequest SynRequest(const Context& context, netfilter::Family family);
// nullopt-like: an empty name when no path of the SYN left the host.
netfilter::TraceRequest ReplyRequest(const Context& context, const PhantunTrace& syn);

// Why no packet is traced for this host ("" when they are): no mode, no TUN, no WAN.
std::string WhyNotTraced(const Context& context);

// Whether the IPv6 packets are traced too: with --ipv6, or when the host is set up for them (see
// traces.cc for the rule).
bool TracesIpv6(const Context& context);

// Plans and traces every packet for this host: the SYN, then its reply (IPv4, and IPv6 when
// --ipv6), using `context.network` for routes. Routing questions the facts had no answer for are
// listed in each trace (Trace::unanswered_routes).
std::vector<PhantunTrace> TraceAll(const Context& context);

// One check's answer over the traces: for each traced packet (of the roles given), its paths
// are judged; a packet every path of which fails this check is a FAIL (`failing` is that trace
// and `path` its first path), some paths failing or undecidable is a WARN, none is a PASS.
struct CheckAnswer {
  // kNotReached: every path fails an earlier check first (the finding names it).
  enum class Kind { kPass, kWarn, kFail, kNotTraced, kNotReached } kind = Kind::kNotTraced;
  const PhantunTrace* trace = nullptr;   // the trace the finding is about
  const netfilter::Path* path = nullptr;  // the path the finding is about
  std::string finding;                    // one line
};
CheckAnswer JudgeTraces(const Context& context, Blame blame, const std::vector<PacketRole>& roles);

// Reports one check judged on the traces of `roles`: PASS; WARN, saying where to see the paths;
// FAIL with its fix (a proven netfilter fix for nat.* and fwd.chains, the kernel's own answer to
// look at for route.path); SKIP when nothing was traced or no path got to what the check judges.
void ReportTraced(const Context& context, const char* id, Blame blame, const std::vector<PacketRole>& roles,
                  Report* report);

// A path's deciding hop as text: "<where>: <what> [<at>: <rule>]", and its near misses.
std::string DescribeDecision(const netfilter::Path& path);

// The packet's name for the operator: "client SYN", ...
std::string RoleName(PacketRole role);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_TRACES_H_
