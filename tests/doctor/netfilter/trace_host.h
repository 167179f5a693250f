#ifndef PHANTUN_TESTS_DOCTOR_NETFILTER_TRACE_HOST_H_
#define PHANTUN_TESTS_DOCTOR_NETFILTER_TRACE_HOST_H_

#include <stdint.h>

#include <ostream>
#include <string>
#include <vector>

#include "runtime/doctor/netfilter/evaluate.h"
#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netfilter/trace.h"

// What the tests need to trace phantun's packets through a ruleset read from a captured scenario
// or a live namespace: a host's interfaces, a small routing table that answers the tracer's route
// questions, the packets, and ways to look at the paths.
namespace phantun_test {

// "192.168.201.2" -> raw bytes; the text must be an address.
std::string Ip(const char* text);

// The test host's interfaces, with indexes and addresses (primary first), so that masquerade has
// an address to take:
//   lo 1      127.0.0.1  ::1
//   eth0 2    198.18.0.2  2001:db8::2
//   eth1 3    198.18.1.2  2001:db8:1::2
//   wan0 4    198.18.0.1  2001:db8:4::1
//   eth5 5    198.18.5.2
//   tun0 9    192.168.200.1 192.168.201.1 fcc8::1 fcc9::1 (phantun's TUN, client and server side)
//   tun1 10   192.168.202.1
// Forwarding is on for both families.
phantun_runtime::netfilter::NetworkFacts TestHostFacts();

// Its routing table, as the kernel would answer one lookup: the host's own addresses are local;
// 192.168.200.0/24, 192.168.201.0/24, fcc8::/16 and fcc9::/16 go out tun0; everything else takes
// the default route out `default_oifname`.
phantun_runtime::netfilter::RouteFact AnswerRoute(const phantun_runtime::netfilter::NetworkFacts& facts,
                                                  const phantun_runtime::netfilter::RouteFact& question,
                                                  const std::string& default_oifname);

// Traces `packet` (arriving on its iifname) through `ruleset` on the test host whose default route
// goes out `out`; a packet whose destination is unknown is assumed to leave by `out` too. The
// tracer's route questions are answered with AnswerRoute and the packet traced again, as the
// doctor does, until it asks no more.
phantun_runtime::netfilter::Trace TraceOn(const phantun_runtime::netfilter::Ruleset& ruleset,
                                          const phantun_runtime::netfilter::Packet& packet, const std::string& out);

// The packets of the old questions. Fields left empty or 0 are unknown to the tracer.
// Phantun client's SYN: TCP from the TUN peer, in on `tun`, to the server `server`:`port`.
phantun_runtime::netfilter::Packet ClientSyn(const char* tun, const char* peer, const char* server, uint16_t port);
// Phantun server's SYN: TCP from the client `client`, in on `wan` ("" for unknown), to `to`:`port`.
phantun_runtime::netfilter::Packet ServerSyn(const char* wan, const char* client, const char* to, uint16_t port);
// A forwarded TCP packet arriving on `iif` and nothing else known (no address, port or
// conntrack state): what the old forward question asked about.
phantun_runtime::netfilter::Packet Forwarded(const char* iif,
                                             phantun_runtime::netfilter::Family family = phantun_runtime::netfilter::Family::kIpv4);

// A few requests of each kind the doctor traces, for `family`, on the test host with no route
// known (each says where to assume the packet leaves): the client's SYN out eth0, the server's
// SYN in on eth0 and on an unknown interface, the server's reply from the TUN (conntrack undoing
// the DNAT), and a forwarded packet of which nothing but its interfaces is known.
std::vector<phantun_runtime::netfilter::TraceRequest> PhantunRequests(phantun_runtime::netfilter::Family family);

// Looking at paths.
// The hops of the path's base chains at `stage` ("prerouting", "forward", ...), in order.
std::vector<const phantun_runtime::netfilter::Hop*> HopsAt(const phantun_runtime::netfilter::Path& path,
                                                           const std::string& stage);
// The hop that translated the packet's address (dnat, snat, masquerade, redirect), or nullptr.
const phantun_runtime::netfilter::Hop* NatHop(const phantun_runtime::netfilter::Path& path);
// The hop that decided the path's fate; a "none" hop when no hop did.
phantun_runtime::netfilter::Hop DecisiveHop(const phantun_runtime::netfilter::Path& path);
// Whether one of the path's assumptions is exactly "if this rule applies: <text>" (applies true)
// or "if this rule does not apply: <text>".
bool Assumes(const phantun_runtime::netfilter::Path& path, bool applies, const std::string& rule_text);
// The fates of every path, in order.
std::vector<phantun_runtime::netfilter::Fate> Fates(const phantun_runtime::netfilter::Trace& trace);
// What every trace must be, whatever the rules (the fuzzers check it): at least one path; each
// path's decisive hop one of its hops or -1; each hop's table and chain indexes of `ruleset` (a
// base chain) or -1.
bool WellFormed(const phantun_runtime::netfilter::Ruleset& ruleset, const phantun_runtime::netfilter::Trace& trace);
// The trace as text, for failure messages.
std::string Describe(const phantun_runtime::netfilter::Trace& trace);

}  // namespace phantun_test

namespace phantun_runtime::netfilter {
// gtest prints a Fate by name.
void PrintTo(Fate fate, std::ostream* out);
}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_TESTS_DOCTOR_NETFILTER_TRACE_HOST_H_
