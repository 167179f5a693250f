// The x_tables layout constants against the kernel's own headers, and the blob parser against
// truncated and corrupted captures.
#include "runtime/doctor/netfilter/xt_table.h"

#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <stddef.h>

#include <string.h>

#include <string>

#include "gtest/gtest.h"
#include "runtime/doctor/netfilter/evaluate.h"
#include "runtime/doctor/netfilter/xt_decode.h"
#include "runtime/doctor/netfilter/xt_layout.h"
#include "tests/doctor/fake_host.h"

namespace phantun_runtime::netfilter {
namespace {

namespace layout = xt_layout;

static_assert(layout::kSoGetInfo == IPT_SO_GET_INFO && layout::kSoGetEntries == IPT_SO_GET_ENTRIES);
static_assert(layout::kSoGetInfo == IP6T_SO_GET_INFO && layout::kSoGetEntries == IP6T_SO_GET_ENTRIES);
static_assert(layout::kInfoSize == sizeof(struct ipt_getinfo) && layout::kInfoSize == sizeof(struct ip6t_getinfo));
static_assert(layout::kInfoValidHooks == offsetof(struct ipt_getinfo, valid_hooks));
static_assert(layout::kInfoHookEntry == offsetof(struct ipt_getinfo, hook_entry));
static_assert(layout::kInfoUnderflow == offsetof(struct ipt_getinfo, underflow));
static_assert(layout::kInfoNumEntries == offsetof(struct ipt_getinfo, num_entries));
static_assert(layout::kInfoEntriesSize == offsetof(struct ipt_getinfo, size));
static_assert(layout::kHooks == NF_INET_NUMHOOKS);
static_assert(layout::kGetEntriesHeaderSize == sizeof(struct ipt_get_entries));
static_assert(layout::kGetEntriesHeaderSize == sizeof(struct ip6t_get_entries));
static_assert(layout::kGetEntriesSize == offsetof(struct ipt_get_entries, size));

static_assert(layout::kEntry4Size == sizeof(struct ipt_entry));
static_assert(layout::kEntry4Source == offsetof(struct ipt_entry, ip.src));
static_assert(layout::kEntry4Destination == offsetof(struct ipt_entry, ip.dst));
static_assert(layout::kEntry4SourceMask == offsetof(struct ipt_entry, ip.smsk));
static_assert(layout::kEntry4DestinationMask == offsetof(struct ipt_entry, ip.dmsk));
static_assert(layout::kEntry4InInterface == offsetof(struct ipt_entry, ip.iniface));
static_assert(layout::kEntry4OutInterface == offsetof(struct ipt_entry, ip.outiface));
static_assert(layout::kEntry4InInterfaceMask == offsetof(struct ipt_entry, ip.iniface_mask));
static_assert(layout::kEntry4OutInterfaceMask == offsetof(struct ipt_entry, ip.outiface_mask));
static_assert(layout::kEntry4Protocol == offsetof(struct ipt_entry, ip.proto));
static_assert(layout::kEntry4Flags == offsetof(struct ipt_entry, ip.flags));
static_assert(layout::kEntry4InvertFlags == offsetof(struct ipt_entry, ip.invflags));
static_assert(layout::kEntry4TargetOffset == offsetof(struct ipt_entry, target_offset));
static_assert(layout::kEntry4NextOffset == offsetof(struct ipt_entry, next_offset));

static_assert(layout::kEntry6Size == sizeof(struct ip6t_entry));
static_assert(layout::kEntry6Source == offsetof(struct ip6t_entry, ipv6.src));
static_assert(layout::kEntry6Destination == offsetof(struct ip6t_entry, ipv6.dst));
static_assert(layout::kEntry6SourceMask == offsetof(struct ip6t_entry, ipv6.smsk));
static_assert(layout::kEntry6DestinationMask == offsetof(struct ip6t_entry, ipv6.dmsk));
static_assert(layout::kEntry6InInterface == offsetof(struct ip6t_entry, ipv6.iniface));
static_assert(layout::kEntry6OutInterface == offsetof(struct ip6t_entry, ipv6.outiface));
static_assert(layout::kEntry6InInterfaceMask == offsetof(struct ip6t_entry, ipv6.iniface_mask));
static_assert(layout::kEntry6OutInterfaceMask == offsetof(struct ip6t_entry, ipv6.outiface_mask));
static_assert(layout::kEntry6Protocol == offsetof(struct ip6t_entry, ipv6.proto));
static_assert(layout::kEntry6Flags == offsetof(struct ip6t_entry, ipv6.flags));
static_assert(layout::kEntry6InvertFlags == offsetof(struct ip6t_entry, ipv6.invflags));
static_assert(layout::kEntry6TargetOffset == offsetof(struct ip6t_entry, target_offset));
static_assert(layout::kEntry6NextOffset == offsetof(struct ip6t_entry, next_offset));

static_assert(layout::kFlag4Fragment == IPT_F_FRAG && layout::kFlag4Goto == IPT_F_GOTO);
static_assert(layout::kFlag6Protocol == IP6T_F_PROTO && layout::kFlag6Tos == IP6T_F_TOS &&
              layout::kFlag6Goto == IP6T_F_GOTO);
static_assert(layout::kInvertInInterface == IPT_INV_VIA_IN && layout::kInvertOutInterface == IPT_INV_VIA_OUT &&
              layout::kInvertSource == IPT_INV_SRCIP && layout::kInvertDestination == IPT_INV_DSTIP &&
              layout::kInvertFragment == IPT_INV_FRAG && layout::kInvertProtocol == IPT_INV_PROTO);
static_assert(layout::kInvertInInterface == IP6T_INV_VIA_IN && layout::kInvertOutInterface == IP6T_INV_VIA_OUT &&
              layout::kInvertSource == IP6T_INV_SRCIP && layout::kInvertDestination == IP6T_INV_DSTIP &&
              layout::kInvertProtocol == IP6T_INV_PROTO);

static_assert(layout::kExtensionHeaderSize == sizeof(struct xt_entry_match));
static_assert(layout::kExtensionHeaderSize == sizeof(struct xt_entry_target));
static_assert(layout::kExtensionName == offsetof(struct xt_entry_match, u.user.name));
static_assert(layout::kExtensionRevision == offsetof(struct xt_entry_match, u.user.revision));
static_assert(layout::kExtensionName == offsetof(struct xt_entry_target, u.user.name));
static_assert(layout::kExtensionRevision == offsetof(struct xt_entry_target, u.user.revision));
static_assert(layout::kExtensionNameSize == XT_EXTENSION_MAXNAMELEN);
static_assert(layout::kErrorNameSize == XT_FUNCTION_MAXNAMELEN);
static_assert(layout::kInfoNameSize == XT_TABLE_MAXNAMELEN);

static_assert(layout::kTcpSize == sizeof(struct xt_tcp) && layout::kTcpInvertFlags == offsetof(struct xt_tcp, invflags));
static_assert(layout::kUdpSize == sizeof(struct xt_udp) && layout::kUdpInvertFlags == offsetof(struct xt_udp, invflags));
static_assert(layout::kInvertSourcePorts == XT_TCP_INV_SRCPT && layout::kInvertDestinationPorts == XT_TCP_INV_DSTPT);
static_assert(layout::kInvertSourcePorts == XT_UDP_INV_SRCPT && layout::kInvertDestinationPorts == XT_UDP_INV_DSTPT);

static_assert(layout::kConntrackMatchFlags == offsetof(struct xt_conntrack_mtinfo1, match_flags));
static_assert(layout::kConntrackInvertFlags == offsetof(struct xt_conntrack_mtinfo1, invert_flags));
static_assert(layout::kConntrackStateMask == offsetof(struct xt_conntrack_mtinfo1, state_mask));
static_assert(layout::kConntrackStateMask == offsetof(struct xt_conntrack_mtinfo2, state_mask));
static_assert(layout::kConntrackStateMask == offsetof(struct xt_conntrack_mtinfo3, state_mask));
static_assert(layout::kConntrackMatchState == XT_CONNTRACK_STATE);
static_assert(layout::kConntrackMatchStateAlias == XT_CONNTRACK_STATE_ALIAS);
static_assert(layout::kConntrackStateUntracked == XT_CONNTRACK_STATE_UNTRACKED);
static_assert(layout::kStateUntracked == XT_STATE_UNTRACKED);
static_assert(kCtStateInvalid == XT_CONNTRACK_STATE_INVALID && kCtStateNew == XT_CONNTRACK_STATE_BIT(IP_CT_NEW) &&
              kCtStateEstablished == XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED) &&
              kCtStateRelated == XT_CONNTRACK_STATE_BIT(IP_CT_RELATED));
static_assert(kCtStateUntracked == NF_CT_STATE_UNTRACKED_BIT && kCtStateNew == NF_CT_STATE_BIT(IP_CT_NEW));

static_assert(layout::kNatCompatSize == sizeof(struct nf_nat_ipv4_multi_range_compat));
static_assert(layout::kNatCompatFlags == offsetof(struct nf_nat_ipv4_multi_range_compat, range[0].flags));
static_assert(layout::kNatCompatMinIp == offsetof(struct nf_nat_ipv4_multi_range_compat, range[0].min_ip));
static_assert(layout::kNatCompatMaxIp == offsetof(struct nf_nat_ipv4_multi_range_compat, range[0].max_ip));
static_assert(layout::kNatCompatMinPort == offsetof(struct nf_nat_ipv4_multi_range_compat, range[0].min));
static_assert(layout::kNatCompatMaxPort == offsetof(struct nf_nat_ipv4_multi_range_compat, range[0].max));
static_assert(layout::kNatRangeSize == sizeof(struct nf_nat_range));
static_assert(layout::kNatRangeMinAddress == offsetof(struct nf_nat_range, min_addr));
static_assert(layout::kNatRangeMaxAddress == offsetof(struct nf_nat_range, max_addr));
static_assert(layout::kNatRangeMinPort == offsetof(struct nf_nat_range, min_proto));
static_assert(layout::kNatRangeMaxPort == offsetof(struct nf_nat_range, max_proto));
static_assert(layout::kNatRangeMinPort == offsetof(struct nf_nat_range2, min_proto));
static_assert(layout::kNatMapIps == NF_NAT_RANGE_MAP_IPS && layout::kNatProtoSpecified == NF_NAT_RANGE_PROTO_SPECIFIED);

struct Captured {
  XtTableInfo info;
  std::string entries;
};

Captured Load(const char* scenario, const char* stem) {
  const std::string directory = std::string(scenario) + "/";
  Captured captured;
  const std::string info = doctor::ReadTestFile(directory + stem + ".info");
  EXPECT_TRUE(ParseXtInfo(netlink::AsBytes(info), &captured.info));
  captured.entries = doctor::ReadTestFile(directory + stem + ".entries");
  return captured;
}

TEST(ParseXtInfo, ReadsTheCapturedFilterTable) {
  const Captured filter = Load("legacy_phantun", "ipt_filter");
  EXPECT_EQ(filter.info.name, "filter");
  EXPECT_EQ(filter.info.valid_hooks, (1u << NF_INET_LOCAL_IN) | (1u << NF_INET_FORWARD) | (1u << NF_INET_LOCAL_OUT));
  EXPECT_EQ(filter.info.entries, 5u);  // three policies, the FORWARD rule and the ERROR end
  EXPECT_EQ(filter.info.size + layout::kGetEntriesHeaderSize, filter.entries.size());
  XtTableInfo short_info;
  EXPECT_FALSE(ParseXtInfo(netlink::AsBytes(std::string(83, '\0')), &short_info));
}

TEST(ParseXtTable, TruncatedTablesAreReadSafely) {
  // The reply and the info both claim the shorter size, so the parser itself meets the cut: it must
  // refuse it (or, cut between entries, read what is there) without reading past it.
  for (const char* stem : {"ipt_filter", "ipt_nat", "ipt_mangle"}) {
    const Captured captured = Load("legacy_variety", stem);
    ASSERT_FALSE(captured.entries.empty()) << stem;
    int refused = 0;
    for (uint32_t size = 0; size < captured.info.size; ++size) {
      XtTableInfo info = captured.info;
      info.size = size;
      std::string reply = captured.entries.substr(0, layout::kGetEntriesHeaderSize + size);
      memcpy(reply.data() + layout::kGetEntriesSize, &size, sizeof(size));
      const StatusOr<Table> table = ParseXtTable(Family::kIpv4, info, netlink::AsBytes(reply));
      if (!table.ok()) {
        EXPECT_FALSE(table.status().message().empty());
        ++refused;
      }
    }
    EXPECT_GT(refused, 0) << stem;
  }
}

TEST(ParseXtTable, ClaimedSizesAreChecked) {
  Captured captured = Load("legacy_variety", "ipt_filter");
  // The first entry's next_offset, pointing far past the end.
  std::string corrupt = captured.entries;
  corrupt[layout::kGetEntriesHeaderSize + layout::kEntry4NextOffset] = '\xff';
  corrupt[layout::kGetEntriesHeaderSize + layout::kEntry4NextOffset + 1] = '\xff';
  const StatusOr<Table> past_the_end = ParseXtTable(Family::kIpv4, captured.info, netlink::AsBytes(corrupt));
  ASSERT_FALSE(past_the_end.ok());
  EXPECT_NE(past_the_end.status().message().find("out of range"), std::string::npos) << past_the_end.status().message();
  // A target_offset before the end of the entry header.
  corrupt = captured.entries;
  corrupt[layout::kGetEntriesHeaderSize + layout::kEntry4TargetOffset] = 8;
  corrupt[layout::kGetEntriesHeaderSize + layout::kEntry4TargetOffset + 1] = 0;
  EXPECT_FALSE(ParseXtTable(Family::kIpv4, captured.info, netlink::AsBytes(corrupt)).ok());
  // The info announcing another size than the reply has.
  captured.info.size += 8;
  EXPECT_FALSE(ParseXtTable(Family::kIpv4, captured.info, netlink::AsBytes(captured.entries)).ok());
}

TEST(ParseXtTable, ReadsIpv6Entries) {
  const Captured nat6 = Load("legacy_phantun", "ip6t_nat");
  const StatusOr<Table> table = ParseXtTable(Family::kIpv6, nat6.info, netlink::AsBytes(nat6.entries));
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_EQ(table->family, Family::kIpv6);
  EXPECT_EQ(table->chains.size(), 4u);
  // Read with the IPv4 layout, the same bytes do not hang together.
  EXPECT_FALSE(ParseXtTable(Family::kIpv4, nat6.info, netlink::AsBytes(nat6.entries)).ok());
}

// -m addrtype --dst-type LOCAL (revision 1: u16 source, u16 dest, u32 flags; types as 1 << RTN_*):
// a set of route types the tracer decides; inverted with !; source types stay opaque.
TEST(XtMatches, AddrtypeOfTheDestination) {
  auto info = [](uint16_t source, uint16_t dest, uint32_t flags) {
    std::string bytes(8, '\0');
    memcpy(&bytes[0], &source, 2);
    memcpy(&bytes[2], &dest, 2);
    memcpy(&bytes[4], &flags, 4);
    return bytes;
  };
  Packet local;
  local.daddr_type = kRouteTypeLocal;
  Packet remote;
  remote.daddr_type = kRouteTypeUnicast;
  Rule rule;
  AddXtMatch("addrtype", 1, netlink::AsBytes(info(0, 1u << 2, 0)), Family::kIpv4, &rule);
  ASSERT_EQ(rule.conditions.size(), 1u);
  EXPECT_EQ(EvaluateRule(rule, local), Tristate::kYes);
  EXPECT_EQ(EvaluateRule(rule, remote), Tristate::kNo);
  Rule inverted;
  AddXtMatch("addrtype", 1, netlink::AsBytes(info(0, 1u << 2, 0x2)), Family::kIpv4, &inverted);
  EXPECT_EQ(EvaluateRule(inverted, local), Tristate::kNo);
  EXPECT_EQ(EvaluateRule(inverted, remote), Tristate::kYes);
  Rule source;
  AddXtMatch("addrtype", 1, netlink::AsBytes(info(1u << 2, 0, 0)), Family::kIpv4, &source);
  EXPECT_TRUE(source.conditions.empty());
  EXPECT_EQ(source.opaque.size(), 1u);
}

}  // namespace
}  // namespace phantun_runtime::netfilter
