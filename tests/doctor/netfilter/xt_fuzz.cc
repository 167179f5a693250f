// libFuzzer target: the legacy iptables blob parser (ipt_entry / ip6t_entry, matches, targets,
// chains and jumps), then the packet tracer on its result: a few of the packets the doctor traces. An input is one family byte (even:
// IPv4, odd: IPv6), the 84-byte IPT_SO_GET_INFO reply and the IPT_SO_GET_ENTRIES reply; the sizes
// in both are made to agree with the input so the fuzzer spends its time inside the entries.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "runtime/doctor/netfilter/trace.h"
#include "runtime/doctor/netfilter/xt_layout.h"
#include "runtime/doctor/netfilter/xt_table.h"
#include "tests/doctor/netfilter/render_ruleset.h"
#include "tests/doctor/netfilter/trace_host.h"

namespace {

using namespace phantun_runtime;
using namespace phantun_runtime::netfilter;
namespace layout = xt_layout;

volatile size_t sink;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 + layout::kInfoSize + layout::kGetEntriesHeaderSize) return 0;
  const Family family = (data[0] & 1) != 0 ? Family::kIpv6 : Family::kIpv4;
  XtTableInfo info;
  if (!ParseXtInfo(netlink::Bytes(data + 1, layout::kInfoSize), &info)) return 0;
  std::string reply(reinterpret_cast<const char*>(data) + 1 + layout::kInfoSize, size - 1 - layout::kInfoSize);
  const uint32_t entries_size = static_cast<uint32_t>(reply.size() - layout::kGetEntriesHeaderSize);
  memcpy(reply.data() + layout::kGetEntriesSize, &entries_size, sizeof(entries_size));
  info.size = entries_size;
  StatusOr<Table> table = ParseXtTable(family, info, netlink::AsBytes(reply));
  if (!table.ok()) {
    sink = sink + table.status().message().size();
    return 0;
  }
  Ruleset ruleset;
  ruleset.tables.push_back(std::move(*table));
  sink = sink + RenderRuleset(ruleset).size();
  static const NetworkFacts facts = phantun_test::TestHostFacts();
  for (const TraceRequest& request : phantun_test::PhantunRequests(family)) {
    const Trace trace = TracePacket(ruleset, facts, request);
    if (!phantun_test::WellFormed(ruleset, trace)) abort();
    sink = sink + trace.paths.size() + trace.unanswered_routes.size();
  }
  return 0;
}
