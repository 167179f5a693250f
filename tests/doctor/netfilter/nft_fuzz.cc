// libFuzzer target: the nf_tables dump decoder (tables, chains, rules and their expressions), then
// the packet tracer on what it produced: a few of the packets the doctor traces, of both families. An input is dump replies laid end to end, each ending
// in NLMSG_DONE, like a concatenation of the nft_tables.bin, nft_chains.bin and nft_rules.bin
// captures (fuzz.sh seeds the corpus that way); each reply answers the dump its first message
// belongs to. Every message is also decoded on its own, so a single capture exercises the
// expression decoder too.
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/doctor/netfilter/nft_messages.h"
#include "runtime/doctor/netfilter/nft_reader.h"
#include "runtime/doctor/netfilter/render.h"
#include "runtime/doctor/netfilter/trace.h"
#include "runtime/doctor/netlink/dump_request.h"
#include "runtime/doctor/netlink/message.h"
#include "tests/doctor/fake_host.h"
#include "tests/doctor/netfilter/render_ruleset.h"
#include "tests/doctor/netfilter/trace_host.h"

namespace {

using namespace phantun_runtime;
using namespace phantun_runtime::netfilter;

volatile size_t sink;

// Splits the input after each NLMSG_DONE into the replies of the dumps.
std::vector<std::string> SplitReplies(const std::string& input) {
  std::vector<std::string> replies;
  netlink::MessageReader reader(netlink::AsBytes(input));
  netlink::Message message;
  size_t start = 0;
  while (reader.Next(&message)) {
    if (message.type != NLMSG_DONE) continue;
    const size_t end = static_cast<size_t>(message.payload.data() + message.payload.size() -
                                           reinterpret_cast<const uint8_t*>(input.data()));
    const size_t aligned = std::min((end + 3) & ~size_t{3}, input.size());
    replies.push_back(input.substr(start, aligned - start));
    start = aligned;
  }
  if (start < input.size()) replies.push_back(input.substr(start));
  return replies;
}

void DecodeEachMessage(const std::string& input) {
  netlink::MessageReader reader(netlink::AsBytes(input));
  netlink::Message message;
  while (reader.Next(&message)) {
    Table table;
    NftChain chain;
    NftRule rule;
    if (ParseNftTable(message, &table)) sink = sink + table.name.size();
    if (ParseNftChain(message, &chain)) sink = sink + chain.chain.name.size();
    if (ParseNftRule(message, &rule)) sink = sink + RenderNftRule(rule.rule, rule.family).size();
  }
}

void TraceEach(const Ruleset& ruleset) {
  sink = sink + RenderRuleset(ruleset).size();
  static const NetworkFacts facts = phantun_test::TestHostFacts();
  for (Family family : {Family::kIpv4, Family::kIpv6}) {
    for (const TraceRequest& request : phantun_test::PhantunRequests(family)) {
      const Trace trace = TracePacket(ruleset, facts, request);
      if (!phantun_test::WellFormed(ruleset, trace)) abort();
      sink = sink + trace.paths.size() + trace.unanswered_routes.size();
    }
  }
  // And once with its route questions answered, as the doctor traces (at most a few rounds).
  const Trace client = phantun_test::TraceOn(ruleset, phantun_test::PhantunRequests(Family::kIpv4)[0].packet, "eth0");
  if (!phantun_test::WellFormed(ruleset, client)) abort();
  sink = sink + client.paths.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  DecodeEachMessage(input);
  doctor::FakeHost host;
  for (const std::string& reply : SplitReplies(input)) {
    netlink::MessageReader reader(netlink::AsBytes(reply));
    netlink::Message first;
    if (!reader.Next(&first)) continue;
    // The kernel answers GETTABLE with NEWTABLE and so on: NEW is GET minus one.
    const uint8_t answered = static_cast<uint8_t>((first.type & 0xff) + 1);
    host.AddDump(NETLINK_NETFILTER, netlink::NftablesType(answered), 0, reply);
  }
  Ruleset ruleset;
  ReadNftables(host, &ruleset);
  TraceEach(ruleset);
  return 0;
}
