#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_TRACE_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_TRACE_H_

#include <stdint.h>

#include <string>
#include <utility>
#include <vector>

#include "runtime/doctor/netfilter/evaluate.h"
#include "runtime/doctor/netfilter/model.h"

namespace phantun_runtime::netfilter {

// The packet tracer: what the host does with one packet phantun depends on, worked out from the
// rules and routes the doctor read, without sending anything. It follows the packet the way the
// kernel does for a forwarded packet: every base chain of the prerouting hook in priority order
// (nftables tables of every family that sees the packet, and the legacy iptables tables at their
// fixed priorities), the routing decision, the forward hook, the postrouting hook. Within a chain,
// rules are evaluated in order; jump, goto and return are followed; accept ends the chain (the
// next base chain still sees the packet), drop and reject end the packet; NAT is applied with the
// kernel's rules: only a connection's first packet (ct state new) meets the nat chains, and the
// first NAT verdict of a hook binds the connection, so later nat chains of that hook are not
// consulted. A rule the tracer cannot decide ("may") splits the trace in two paths, one where it
// applies and one where it does not; each path lists what it assumed.

// Facts about the host besides its rules, gathered before the checks run.

enum class RouteType : uint8_t { kUnicast, kLocal, kBlackhole, kUnreachable, kProhibit, kOther };

// One routing question, as the tracer asks it: where does a packet to `daddr` go (from `saddr`,
// arriving on `iif`; both may be unknown, empty and 0), and the kernel's answer.
struct RouteFact {
  Family family = Family::kIpv4;
  std::string daddr;  // raw bytes
  std::string saddr;  // raw bytes; empty: unknown
  uint32_t iif = 0;   // 0: unknown (then the kernel was asked as for a packet of its own)
  // The answer. `error` not empty: the kernel refused the lookup (e.g. "Network is unreachable",
  // or "Invalid cross-device link" when reverse-path filtering rejects the source), or the doctor
  // could not ask; `answered` false: not asked.
  bool answered = false;
  std::string error;
  bool lookup_failed = false;  // the doctor could not ask (no answer either way), as opposed to a refusal
  RouteType type = RouteType::kUnicast;
  uint32_t oif = 0;
  uint32_t table = 0;
  std::string gateway;  // raw bytes; empty: directly connected
};

struct InterfaceFact {
  uint32_t index = 0;
  std::string name;
  std::vector<std::string> addresses;  // raw bytes, 4 or 16, in the kernel's order (primary first)
};

struct NetworkFacts {
  std::vector<InterfaceFact> interfaces;
  std::vector<RouteFact> routes;
  Tristate ipv4_forwarding = Tristate::kMaybe;  // net.ipv4.ip_forward
  Tristate ipv6_forwarding = Tristate::kMaybe;  // net.ipv6.conf.all.forwarding

  const InterfaceFact* FindInterface(const std::string& name) const;
  const InterfaceFact* FindInterface(uint32_t index) const;
  // Whether `address` is one of this host's own addresses (on any interface).
  bool IsLocalAddress(const std::string& address) const;
  // The answer for exactly this question; nullptr when it was not asked.
  const RouteFact* FindRoute(Family family, const std::string& daddr, const std::string& saddr, uint32_t iif) const;
};

// The packet to trace, as it arrives on `packet.iifname` (and iifindex) before prerouting.
struct TraceRequest {
  std::string name;  // what the packet is, for the operator: "SYN from the WAN to tcp/4567"
  Packet packet;
  // When the destination is unknown (or its route was not asked), the interface the packet is
  // assumed to leave by (phantun's WAN); the path says it assumed so.
  std::string assume_oifname;
  uint32_t assume_oifindex = 0;
  // A reply of a NATed connection: conntrack undoes the connection's NAT without consulting any
  // nat chain. Destination (undoing SNAT/masquerade) at prerouting's NAT priority, source
  // (undoing DNAT) at postrouting's. Empty: nothing to undo.
  std::string reply_daddr;
  uint16_t reply_dport = 0;
  std::string reply_saddr;
  uint16_t reply_sport = 0;
};

// One step of a path, for --trace and for a finding.
struct Hop {
  std::string stage;  // "prerouting", "routing", "forward", "postrouting", "input"
  std::string where;  // "nft inet filter forward (priority 0)", "iptables-legacy nat PREROUTING"
  std::string what;   // "accept", "drop", "dnat to 198.19.201.2:4567", "policy accept", "no rule applies"
  std::string rule;   // the deciding rule as text; "" for a policy or a route
  std::string at;     // where that rule is: "chain DNAT_CHAIN, handle 12" / "chain FORWARD, rule 3"
  // The base chain, as indexes into the Ruleset's tables and that table's chains; -1 for a hop
  // that is not a chain's (routing, conntrack, leaving).
  int table = -1;
  int chain = -1;
};

enum class Fate : uint8_t {
  kLeft,     // it leaves the host through `packet.oifname`
  kLocal,    // delivered to this host's own stack (not forwarded)
  kDropped,  // dropped or rejected by a rule, a policy, the route or a sysctl
  kUnknown,  // depends on something the tracer cannot tell (see the path's last hop)
};

// A rule that would have decided the packet's fate but does not apply, and the one condition
// that keeps it from applying: what a FAIL shows when the operator's rule is nearly right.
struct NearMiss {
  std::string where;
  std::string rule;
  std::string why;  // "iifname is \"veth-srv\", the rule wants \"eth0\""
};

struct Path {
  std::vector<std::string> assumptions;  // "if <rule> applies" / "if <rule> does not apply"
  std::vector<Hop> hops;
  std::vector<NearMiss> near_misses;
  Fate fate = Fate::kUnknown;
  Packet packet;  // as it leaves (kLeft), or as it was when its fate was decided
  bool dnat_bound = false;
  bool snat_bound = false;
  bool redirected = false;  // a redirect sent it to the host itself
  // The hop that decided the fate (an index into `hops`), -1 when none did.
  int decisive = -1;
};

struct Trace {
  std::string name;
  Packet start;
  std::vector<Path> paths;  // at least one
  // Routing questions the tracer needed and found no answer for in the facts: ask the kernel,
  // add the answers to NetworkFacts::routes, and trace again.
  std::vector<RouteFact> unanswered_routes;
  // Chains the packet entered whose rules are not read yet (Chain::rules_read), as indexes of
  // table and chain: read them, and trace again.
  std::vector<std::pair<int, int>> unread_chains;
};

Trace TracePacket(const Ruleset& ruleset, const NetworkFacts& facts, const TraceRequest& request);

// A base chain of the ruleset; `index` is its place in its table's chains.
struct BaseChain {
  const Table* table;
  const Chain* chain;
  size_t index;
};

// The base chains on `hook` that see packets of `family`, in the order the kernel runs them.
std::vector<BaseChain> BaseChainsOn(const Ruleset& ruleset, Hook hook, Family family);

// A chain of type nat (an nftables nat chain, or a chain of a legacy table named nat): only a
// connection's first packet meets it, and only until a NAT binds.
bool IsNatChain(const Table& table, const Chain& chain);

// "nft inet filter forward (priority 0)": a base chain for a hop.
std::string DescribeChain(const Table& table, const Chain& chain);

// "nft", "iptables-nft", "iptables-legacy".
std::string SourceName(Source source);

// nftables's name of a family: "ip", "ip6", "inet", ...
std::string FamilyName(Family family);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_TRACE_H_
