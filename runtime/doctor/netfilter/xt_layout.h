#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_LAYOUT_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_LAYOUT_H_

#include <stddef.h>
#include <stdint.h>

// Byte offsets of the x_tables structures that IPT_SO_GET_INFO / IPT_SO_GET_ENTRIES (and the IP6T_
// twins) return, and of the match/target payloads the doctor decodes. The parsers read fields at
// these offsets with memcpy instead of casting the kernel's bytes to structs, so a truncated or
// hostile blob can never be read out of bounds or misaligned. The layout is the one of the ABI the
// binary is built for (a 32-bit binary on a 64-bit kernel gets that layout through the kernel's
// x_tables compat layer); tests/doctor/netfilter/xt_table_test.cc checks every number against the
// kernel's own headers.
namespace phantun_runtime::netfilter::xt_layout {

// getsockopt option names: IPT_SO_GET_INFO / IPT_SO_GET_ENTRIES at level IPPROTO_IP, and
// IP6T_SO_GET_INFO / IP6T_SO_GET_ENTRIES (the same numbers) at level IPPROTO_IPV6.
inline constexpr int kSoGetInfo = 64;
inline constexpr int kSoGetEntries = 65;

// struct ipt_getinfo (== struct ip6t_getinfo)
inline constexpr size_t kInfoSize = 84;
inline constexpr size_t kInfoNameSize = 32;  // XT_TABLE_MAXNAMELEN
inline constexpr size_t kInfoValidHooks = 32;
inline constexpr size_t kInfoHookEntry = 36;  // unsigned int[NF_INET_NUMHOOKS]
inline constexpr size_t kInfoUnderflow = 56;
inline constexpr size_t kInfoNumEntries = 76;
inline constexpr size_t kInfoEntriesSize = 80;
inline constexpr int kHooks = 5;  // NF_INET_NUMHOOKS

// The entries hold 64-bit counters, so their layout depends on the ABI's alignment of uint64_t
// (8 on x86_64, aarch64, armv7 and mips; 4 on i686): these mirrors of the kernel's structs, with
// the same member types, let the compiler work the offsets out for whichever target it builds.
// They are never used to access the kernel's bytes.
struct Counters {
  uint64_t packets;
  uint64_t bytes;
};
struct Ipv4Match {  // struct ipt_ip
  uint32_t source, destination, source_mask, destination_mask;
  char in_interface[16], out_interface[16];
  uint8_t in_interface_mask[16], out_interface_mask[16];
  uint16_t protocol;
  uint8_t flags, invert_flags;
};
struct Ipv4Entry {  // struct ipt_entry
  Ipv4Match ip;
  uint32_t nfcache;
  uint16_t target_offset, next_offset;
  uint32_t comefrom;
  Counters counters;
};
struct Ipv6Address {  // struct in6_addr
  uint32_t words[4];
};
struct Ipv6Match {  // struct ip6t_ip6
  Ipv6Address source, destination, source_mask, destination_mask;
  char in_interface[16], out_interface[16];
  uint8_t in_interface_mask[16], out_interface_mask[16];
  uint16_t protocol;
  uint8_t tos, flags, invert_flags;
};
struct Ipv6Entry {  // struct ip6t_entry
  Ipv6Match ipv6;
  uint32_t nfcache;
  uint16_t target_offset, next_offset;
  uint32_t comefrom;
  Counters counters;
};

// struct ipt_get_entries (== ip6t_get_entries): name, size, then the entries at their alignment.
inline constexpr size_t kGetEntriesSize = 32;
inline constexpr size_t kGetEntriesHeaderSize = (36 + alignof(Ipv4Entry) - 1) / alignof(Ipv4Entry) * alignof(Ipv4Entry);
static_assert(alignof(Ipv4Entry) == alignof(Ipv6Entry));

// struct ipt_entry: struct ipt_ip, nfcache, target_offset, next_offset, comefrom, counters.
inline constexpr size_t kEntry4Size = sizeof(Ipv4Entry);
inline constexpr size_t kEntry4Source = offsetof(Ipv4Entry, ip.source);
inline constexpr size_t kEntry4Destination = offsetof(Ipv4Entry, ip.destination);
inline constexpr size_t kEntry4SourceMask = offsetof(Ipv4Entry, ip.source_mask);
inline constexpr size_t kEntry4DestinationMask = offsetof(Ipv4Entry, ip.destination_mask);
inline constexpr size_t kEntry4InInterface = offsetof(Ipv4Entry, ip.in_interface);
inline constexpr size_t kEntry4OutInterface = offsetof(Ipv4Entry, ip.out_interface);
inline constexpr size_t kEntry4InInterfaceMask = offsetof(Ipv4Entry, ip.in_interface_mask);
inline constexpr size_t kEntry4OutInterfaceMask = offsetof(Ipv4Entry, ip.out_interface_mask);
inline constexpr size_t kEntry4Protocol = offsetof(Ipv4Entry, ip.protocol);  // u16
inline constexpr size_t kEntry4Flags = offsetof(Ipv4Entry, ip.flags);
inline constexpr size_t kEntry4InvertFlags = offsetof(Ipv4Entry, ip.invert_flags);
inline constexpr size_t kEntry4TargetOffset = offsetof(Ipv4Entry, target_offset);  // u16
inline constexpr size_t kEntry4NextOffset = offsetof(Ipv4Entry, next_offset);      // u16

// struct ip6t_entry: struct ip6t_ip6, then as above.
inline constexpr size_t kEntry6Size = sizeof(Ipv6Entry);
inline constexpr size_t kEntry6Source = offsetof(Ipv6Entry, ipv6.source);
inline constexpr size_t kEntry6Destination = offsetof(Ipv6Entry, ipv6.destination);
inline constexpr size_t kEntry6SourceMask = offsetof(Ipv6Entry, ipv6.source_mask);
inline constexpr size_t kEntry6DestinationMask = offsetof(Ipv6Entry, ipv6.destination_mask);
inline constexpr size_t kEntry6InInterface = offsetof(Ipv6Entry, ipv6.in_interface);
inline constexpr size_t kEntry6OutInterface = offsetof(Ipv6Entry, ipv6.out_interface);
inline constexpr size_t kEntry6InInterfaceMask = offsetof(Ipv6Entry, ipv6.in_interface_mask);
inline constexpr size_t kEntry6OutInterfaceMask = offsetof(Ipv6Entry, ipv6.out_interface_mask);
inline constexpr size_t kEntry6Protocol = offsetof(Ipv6Entry, ipv6.protocol);
inline constexpr size_t kEntry6Flags = offsetof(Ipv6Entry, ipv6.flags);
inline constexpr size_t kEntry6InvertFlags = offsetof(Ipv6Entry, ipv6.invert_flags);
inline constexpr size_t kEntry6TargetOffset = offsetof(Ipv6Entry, target_offset);
inline constexpr size_t kEntry6NextOffset = offsetof(Ipv6Entry, next_offset);

inline constexpr size_t kInterfaceSize = 16;  // IFNAMSIZ

// ipt_ip.flags / invflags (IPT_F_*, IPT_INV_*) and the IPv6 differences (IP6T_F_*).
inline constexpr uint8_t kFlag4Fragment = 0x01;
inline constexpr uint8_t kFlag4Goto = 0x02;
inline constexpr uint8_t kFlag6Protocol = 0x01;
inline constexpr uint8_t kFlag6Tos = 0x02;
inline constexpr uint8_t kFlag6Goto = 0x04;
inline constexpr uint8_t kInvertInInterface = 0x01;
inline constexpr uint8_t kInvertOutInterface = 0x02;
inline constexpr uint8_t kInvertSource = 0x08;
inline constexpr uint8_t kInvertDestination = 0x10;
inline constexpr uint8_t kInvertFragment = 0x20;
inline constexpr uint8_t kInvertProtocol = 0x40;

// struct xt_entry_match / xt_entry_target: u16 size, char name[29], u8 revision, then the data.
inline constexpr size_t kExtensionHeaderSize = 32;
inline constexpr size_t kExtensionName = 2;
inline constexpr size_t kExtensionNameSize = 29;  // XT_EXTENSION_MAXNAMELEN
inline constexpr size_t kExtensionRevision = 31;
// The standard target's data is an int verdict; the ERROR target's, a chain name (30 bytes).
inline constexpr size_t kErrorNameSize = 30;  // XT_FUNCTION_MAXNAMELEN

// struct xt_tcp / xt_udp: u16 spts[2], u16 dpts[2] (host order), then flags.
inline constexpr size_t kTcpSize = 12;
inline constexpr size_t kTcpInvertFlags = 11;
inline constexpr size_t kUdpSize = 10;
inline constexpr size_t kUdpInvertFlags = 8;
inline constexpr uint8_t kInvertSourcePorts = 0x01;       // XT_TCP_INV_SRCPT == XT_UDP_INV_SRCPT
inline constexpr uint8_t kInvertDestinationPorts = 0x02;  // XT_TCP_INV_DSTPT == XT_UDP_INV_DSTPT

// struct xt_conntrack_mtinfo1/2/3: the offsets agree up to state_mask, which is a u8 in revision 1
// and a u16 from revision 2.
inline constexpr size_t kConntrackMatchFlags = 146;
inline constexpr size_t kConntrackInvertFlags = 148;
inline constexpr size_t kConntrackStateMask = 150;
inline constexpr uint16_t kConntrackMatchState = 1 << 0;        // XT_CONNTRACK_STATE
inline constexpr uint16_t kConntrackMatchStateAlias = 1 << 13;  // XT_CONNTRACK_STATE_ALIAS
// State bits: invalid, established, related and new are nftables's (1, 2, 4, 8) in both matches;
// "untracked" is 1 << 8 for conntrack (SNAT/DNAT take 1 << 6, 1 << 7) and 1 << 6 for state.
inline constexpr uint32_t kConntrackStateUntracked = 1u << 8;   // XT_CONNTRACK_STATE_UNTRACKED
inline constexpr uint32_t kStateUntracked = 1u << 6;            // XT_STATE_UNTRACKED

// struct nf_nat_ipv4_multi_range_compat: rangesize, then nf_nat_ipv4_range { flags, min_ip,
// max_ip, min, max }. Used by MASQUERADE, REDIRECT, SNAT and DNAT revision 0 for IPv4.
inline constexpr size_t kNatCompatSize = 20;
inline constexpr size_t kNatCompatFlags = 4;
inline constexpr size_t kNatCompatMinIp = 8;
inline constexpr size_t kNatCompatMaxIp = 12;
inline constexpr size_t kNatCompatMinPort = 16;
inline constexpr size_t kNatCompatMaxPort = 18;
// struct nf_nat_range (SNAT/DNAT revision 1, IPv6 MASQUERADE/REDIRECT) and nf_nat_range2
// (revision 2) share this prefix: flags, min_addr, max_addr, min_proto, max_proto.
inline constexpr size_t kNatRangeSize = 40;
inline constexpr size_t kNatRangeMinAddress = 4;
inline constexpr size_t kNatRangeMaxAddress = 20;
inline constexpr size_t kNatRangeMinPort = 36;
inline constexpr size_t kNatRangeMaxPort = 38;
inline constexpr uint32_t kNatMapIps = 1;          // NF_NAT_RANGE_MAP_IPS
inline constexpr uint32_t kNatProtoSpecified = 2;  // NF_NAT_RANGE_PROTO_SPECIFIED

}  // namespace phantun_runtime::netfilter::xt_layout

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_XT_LAYOUT_H_
