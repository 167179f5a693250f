// libFuzzer target: the legacy iptables blob parser (ipt_entry / ip6t_entry, matches, targets,
// chains and jumps) and the questions asked of its result. An input is one family byte (even:
// IPv4, odd: IPv6), the 84-byte IPT_SO_GET_INFO reply and the IPT_SO_GET_ENTRIES reply; the sizes
// in both are made to agree with the input so the fuzzer spends its time inside the entries.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <string>
#include <vector>

#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netfilter/forward_question.h"
#include "runtime/doctor/netfilter/nat_questions.h"
#include "runtime/doctor/netfilter/views.h"
#include "runtime/doctor/netfilter/xt_layout.h"
#include "runtime/doctor/netfilter/xt_table.h"
#include "tests/doctor/netfilter/render_ruleset.h"

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
  const std::vector<NatRule> nat = CollectNatRules(ruleset);
  const std::string peer = ParseIpAddress(family == Family::kIpv4 ? "192.168.201.2" : "fcc9::2").value();
  sink = sink + FindClientMasquerade(nat, {"tun0", peer, "eth0"}).rules.size();
  sink = sink + FindServerDnat(nat, {"eth0", 4567, peer}).rules.size();
  Packet question;
  question.iifname = "tun0";
  question.oifname = "eth0";
  question.family = family;
  sink = sink + AnswerForward(ruleset, question).size();
  return 0;
}
