#include "runtime/doctor/netlink/dump_request.h"

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace phantun_runtime::netlink {
namespace {

// Newer than the oldest kernel headers this builds with (Debian 12's are Linux 6.1).
constexpr uint8_t kGetRuleReset = 25;       // NFT_MSG_GETRULE_RESET, Linux 6.4
constexpr uint8_t kDestroyTable = 26;       // NFT_MSG_DESTROYTABLE .. DESTROYFLOWTABLE, Linux 6.3
constexpr uint8_t kDestroyFlowtable = 32;
constexpr uint8_t kGetSetElementReset = 33;  // NFT_MSG_GETSETELEM_RESET, Linux 6.5

DumpRequest Request(int protocol, uint16_t type, uint16_t flags = kDumpFlags) {
  DumpRequest request;
  request.protocol = protocol;
  request.type = type;
  request.flags = flags;
  request.family = 2;
  request.sequence = 9;
  return request;
}

TEST(DumpRequest, BuildsTheAllowListedDumps) {
  struct Case {
    int protocol;
    uint16_t type;
    size_t size;
  } cases[] = {
      {NETLINK_ROUTE, RTM_GETLINK, 16 + 16},      {NETLINK_ROUTE, RTM_GETADDR, 16 + 8},
      {NETLINK_ROUTE, RTM_GETROUTE, 16 + 12},     {NETLINK_NETFILTER, NftablesType(NFT_MSG_GETTABLE), 16 + 4},
      {NETLINK_NETFILTER, NftablesType(NFT_MSG_GETCHAIN), 16 + 4},
      {NETLINK_NETFILTER, NftablesType(NFT_MSG_GETRULE), 16 + 4},
  };
  for (const Case& one : cases) {
    const DumpRequest request = Request(one.protocol, one.type);
    const StatusOr<std::vector<uint8_t>> built = BuildDumpRequest(request);
    ASSERT_TRUE(built.ok()) << one.type << ": " << built.status().message();
    const std::vector<uint8_t>& bytes = *built;
    ASSERT_EQ(bytes.size(), one.size);
    struct nlmsghdr header;
    memcpy(&header, bytes.data(), sizeof(header));
    EXPECT_EQ(header.nlmsg_len, one.size);
    EXPECT_EQ(header.nlmsg_type, one.type);
    EXPECT_EQ(header.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
    EXPECT_EQ(header.nlmsg_seq, 9u);
    EXPECT_EQ(bytes[16], 2);  // the family
    for (size_t i = 17; i < bytes.size(); ++i) EXPECT_EQ(bytes[i], 0) << i;
    EXPECT_TRUE(IsAllowedDumpMessage(one.protocol, Bytes(bytes)));
  }
}

TEST(DumpRequest, RefusesEveryTypeThatChangesState) {
  const uint16_t netfilter_refused[] = {
      NftablesType(NFT_MSG_NEWTABLE),    NftablesType(NFT_MSG_DELTABLE),     NftablesType(NFT_MSG_NEWCHAIN),
      NftablesType(NFT_MSG_DELCHAIN),    NftablesType(NFT_MSG_NEWRULE),      NftablesType(NFT_MSG_DELRULE),
      NftablesType(NFT_MSG_NEWSET),      NftablesType(NFT_MSG_NEWSETELEM),   NftablesType(NFT_MSG_DELSETELEM),
      NftablesType(NFT_MSG_NEWOBJ),      NftablesType(NFT_MSG_GETOBJ_RESET), NftablesType(kGetRuleReset),
      NftablesType(NFT_MSG_NEWFLOWTABLE), NftablesType(NFT_MSG_DELFLOWTABLE), NftablesType(NFT_MSG_NEWGEN),
      NftablesType(kDestroyTable), NftablesType(kDestroyFlowtable), NftablesType(kGetSetElementReset),
      // nfnetlink batches wrap NEW/DEL messages.
      NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END,
      // A GET of another subsystem (ctnetlink's IPCTNL_MSG_CT_GET_CTRZERO zeroes counters).
      static_cast<uint16_t>((NFNL_SUBSYS_CTNETLINK << 8) | 3),
      // The right GETs, asked of the wrong protocol number space.
      RTM_GETLINK,
  };
  for (uint16_t type : netfilter_refused) {
    const StatusOr<std::vector<uint8_t>> built = BuildDumpRequest(Request(NETLINK_NETFILTER, type));
    EXPECT_EQ(built.status().code(), Status::Code::kInvalidArgument) << type;
    EXPECT_EQ(built.status().message(),
              "netlink: refusing to build the request: the message type is not an allow-listed GET for this netlink "
              "protocol")
        << type;
  }
  const uint16_t route_refused[] = {RTM_NEWLINK, RTM_DELLINK,  RTM_SETLINK, RTM_NEWADDR, RTM_DELADDR, RTM_NEWROUTE,
                                    RTM_DELROUTE, RTM_NEWNEIGH, RTM_NEWRULE, RTM_DELRULE, RTM_NEWQDISC,
                                    NftablesType(NFT_MSG_GETRULE)};
  for (uint16_t type : route_refused) {
    EXPECT_FALSE(BuildDumpRequest(Request(NETLINK_ROUTE, type)).ok()) << type;
  }
  EXPECT_FALSE(BuildDumpRequest(Request(NETLINK_GENERIC, RTM_GETLINK)).ok());
  EXPECT_FALSE(BuildDumpRequest(Request(NETLINK_AUDIT, RTM_GETLINK)).ok());
}

TEST(DumpRequest, RefusesAnyOtherFlags) {
  const uint16_t refused[] = {
      0,
      NLM_F_REQUEST,                               // a plain GET, not a dump
      NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK,      // asks for more than a dump
      NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ECHO,
      NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL,   // the flags of a NEW
      NLM_F_REQUEST | NLM_F_ROOT,                  // half of NLM_F_DUMP
      NLM_F_DUMP,                                  // not even a request
  };
  for (uint16_t flags : refused) {
    EXPECT_FALSE(BuildDumpRequest(Request(NETLINK_ROUTE, RTM_GETLINK, flags)).ok()) << flags;
  }
}

TEST(IsAllowedDumpMessage, ChecksTheBytesThemselves) {
  const StatusOr<std::vector<uint8_t>> built =
      BuildDumpRequest(Request(NETLINK_NETFILTER, NftablesType(NFT_MSG_GETRULE)));
  ASSERT_TRUE(built.ok());
  const std::vector<uint8_t>& bytes = *built;
  EXPECT_TRUE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(bytes)));
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_ROUTE, Bytes(bytes)));  // wrong protocol
  std::vector<uint8_t> reset = bytes;
  reset[4] = kGetRuleReset;  // nlmsg_type's low byte
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(reset)));
  std::vector<uint8_t> ack = bytes;
  ack[6] |= NLM_F_ACK;
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(ack)));
  std::vector<uint8_t> two = bytes;
  two.insert(two.end(), bytes.begin(), bytes.end());  // a second message riding along
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(two)));
  std::vector<uint8_t> with_attribute = bytes;
  with_attribute.insert(with_attribute.end(), {8, 0, 1, 0, 'n', 'a', 't', 0});
  with_attribute[0] = static_cast<uint8_t>(with_attribute.size());
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(with_attribute)));
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(bytes).first(10)));
}

// A chain's rules, as the nftables reader asks for them: the family header, then the table's and
// the chain's names, NUL-terminated and padded to 4 bytes.
TEST(DumpRequest, BuildsARuleDumpOfOneChain) {
  DumpRequest request = Request(NETLINK_NETFILTER, NftablesType(NFT_MSG_GETRULE));
  request.table = "nat";
  request.chain = "KUBE-SERVICES";
  const StatusOr<std::vector<uint8_t>> built = BuildDumpRequest(request);
  ASSERT_TRUE(built.ok()) << built.status().message();
  const std::vector<uint8_t> expected_attributes = {
      8,  0, NFTA_RULE_TABLE, 0, 'n', 'a', 't', 0,                                              //
      18, 0, NFTA_RULE_CHAIN, 0, 'K', 'U', 'B', 'E', '-', 'S', 'E', 'R', 'V', 'I', 'C', 'E', 'S', 0, 0, 0,
  };
  ASSERT_EQ(built->size(), 16 + 4 + expected_attributes.size());
  EXPECT_EQ(std::vector<uint8_t>(built->begin() + 20, built->end()), expected_attributes);
  struct nlmsghdr header;
  memcpy(&header, built->data(), sizeof(header));
  EXPECT_EQ(header.nlmsg_len, built->size());
  EXPECT_TRUE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(*built)));
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_ROUTE, Bytes(*built)));
}

TEST(DumpRequest, RefusesNamesAnywhereButARuleDumpAndBadNames) {
  DumpRequest tables = Request(NETLINK_NETFILTER, NftablesType(NFT_MSG_GETTABLE));
  tables.table = "nat";
  tables.chain = "PREROUTING";
  EXPECT_EQ(BuildDumpRequest(tables).status().code(), Status::Code::kInvalidArgument);
  const std::string too_long(NFT_NAME_MAXLEN, 'x');
  const std::pair<std::string, std::string> bad[] = {
      {"nat", ""}, {"", "PREROUTING"}, {std::string("n\0t", 3), "PREROUTING"}, {"nat", too_long}};
  for (const auto& [table, chain] : bad) {
    DumpRequest rules = Request(NETLINK_NETFILTER, NftablesType(NFT_MSG_GETRULE));
    rules.table = table;
    rules.chain = chain;
    EXPECT_EQ(BuildDumpRequest(rules).status().code(), Status::Code::kInvalidArgument) << table.size() << " " << chain;
  }
}

// What Socket checks before sendto: only the two names, in order, as BuildDumpRequest writes them.
TEST(DumpRequest, TheLastCheckAcceptsNoOtherAttributes) {
  DumpRequest request = Request(NETLINK_NETFILTER, NftablesType(NFT_MSG_GETRULE));
  request.table = "filter";
  request.chain = "FORWARD";
  const std::vector<uint8_t> good = *BuildDumpRequest(request);
  ASSERT_TRUE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(good)));
  auto with_length = [](std::vector<uint8_t> bytes) {
    const uint32_t length = static_cast<uint32_t>(bytes.size());
    memcpy(bytes.data(), &length, sizeof length);
    return bytes;
  };
  std::vector<uint8_t> swapped = good;  // the chain's type where the table's is
  swapped[22] = NFTA_RULE_CHAIN;
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(swapped)));
  std::vector<uint8_t> extra = good;  // a third attribute: NFTA_RULE_HANDLE
  extra.insert(extra.end(), {12, 0, NFTA_RULE_HANDLE, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(with_length(extra))));
  std::vector<uint8_t> table_only(good.begin(), good.begin() + 20 + 12);  // "filter\0" padded to 8
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(with_length(table_only))));
  std::vector<uint8_t> unterminated = good;
  unterminated[20 + 4 + 6] = 'x';  // the table name's NUL
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(unterminated)));
  std::vector<uint8_t> nested = good;
  nested[23] = NLA_F_NESTED >> 8;
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(nested)));
  std::vector<uint8_t> reset = good;  // the same names on NFT_MSG_GETRULE_RESET
  reset[4] = kGetRuleReset;
  EXPECT_FALSE(IsAllowedDumpMessage(NETLINK_NETFILTER, Bytes(reset)));
}

}  // namespace
}  // namespace phantun_runtime::netlink
