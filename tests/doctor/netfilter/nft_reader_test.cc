// The nftables reader's dumps: tables, chains, then each chain's rules with a dump of their own,
// all of one ruleset generation.
#include "runtime/doctor/netfilter/nft_reader.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/doctor/netlink/dump_reply.h"
#include "tests/doctor/fake_host.h"
#include "tests/doctor/netlink/build_bytes.h"

namespace phantun_runtime::netfilter {
namespace {

using phantun_test::Attr;
using phantun_test::Message;
using phantun_test::Raw;

constexpr uint32_t kSequence = 1;

std::string Name(const std::string& name) { return name + '\0'; }

uint16_t NftType(uint8_t message) { return static_cast<uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | message); }

// One nf_tables reply message: nfgenmsg (family, version, the generation in res_id) and attributes.
std::string NftMessage(uint8_t type, uint16_t generation, const std::string& attributes) {
  const std::string nfgenmsg = {static_cast<char>(NFPROTO_IPV4), NFNETLINK_V0, static_cast<char>(generation >> 8),
                                static_cast<char>(generation & 0xff)};
  return Message(NftType(type), NLM_F_MULTI, kSequence, nfgenmsg + attributes);
}

std::string Done() { return Message(NLMSG_DONE, NLM_F_MULTI, kSequence, Raw<int32_t>(0)); }

std::string Be64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (56 - 8 * i));
  return bytes;
}

// A host holding table ip "t" with chains "a" and "b", and a rule of handle N in chain a (N = 1,
// 2) and b (N = 3). `rule_generation` is the generation the rule dumps report, per attempt.
class ChangingHost : public doctor::FakeHost {
 public:
  std::vector<uint16_t> rule_generation = {7};
  std::vector<int> chain_errno = {0};  // what a chain's rule dump fails with, per attempt (0: nothing)
  mutable int attempt = -1;            // counted by the table dumps
  mutable std::vector<std::string> rule_dumps;

  Status Dump(int protocol, uint16_t type, uint8_t family, netlink::MessageCallback on_message) const override {
    std::string reply;
    if (protocol != NETLINK_NETFILTER || family != NFPROTO_UNSPEC) return Status(Status::Code::kNotFound, "?");
    if (type == NftType(NFT_MSG_GETTABLE)) {
      ++attempt;
      reply = NftMessage(NFT_MSG_NEWTABLE, 7, Attr(NFTA_TABLE_NAME, Name("t")));
    } else if (type == NftType(NFT_MSG_GETCHAIN)) {
      for (const char* chain : {"a", "b"}) {
        reply += NftMessage(NFT_MSG_NEWCHAIN, 7, Attr(NFTA_CHAIN_TABLE, Name("t")) + Attr(NFTA_CHAIN_NAME, Name(chain)));
      }
    } else {
      return Status(Status::Code::kNotFound, "the reader dumps rules chain by chain");
    }
    return Replay(reply + Done(), on_message);
  }

  Status DumpChainRules(uint8_t family, const std::string& table, const std::string& chain,
                        netlink::MessageCallback on_message) const override {
    rule_dumps.push_back(table + "/" + chain);
    EXPECT_EQ(family, NFPROTO_IPV4);
    const size_t at = static_cast<size_t>(attempt);
    if (chain == "b" && at < chain_errno.size() && chain_errno[at] != 0) {
      return SystemError("netlink dump", chain_errno[at]);
    }
    const uint16_t generation = rule_generation[std::min(at, rule_generation.size() - 1)];
    std::string reply;
    const std::map<std::string, std::vector<uint64_t>> handles = {{"a", {1, 2}}, {"b", {3}}};
    for (uint64_t handle : handles.at(chain)) {
      reply += NftMessage(NFT_MSG_NEWRULE, generation,
                          Attr(NFTA_RULE_TABLE, Name(table)) + Attr(NFTA_RULE_CHAIN, Name(chain)) +
                              Attr(NFTA_RULE_HANDLE, Be64(handle)));
    }
    return Replay(reply + Done(), on_message);
  }

 private:
  static Status Replay(const std::string& datagram, netlink::MessageCallback on_message) {
    netlink::DumpReplyReader reader(kSequence);
    reader.Consume(netlink::AsBytes(datagram), on_message);
    return reader.done() ? reader.status() : Status(Status::Code::kIoError, "no NLMSG_DONE");
  }
};

std::vector<uint64_t> Handles(const Ruleset& ruleset, const std::string& chain_name) {
  std::vector<uint64_t> handles;
  for (const Table& table : ruleset.tables) {
    for (const Chain& chain : table.chains) {
      if (chain.name != chain_name) continue;
      for (const Rule& rule : chain.rules) handles.push_back(rule.handle);
    }
  }
  return handles;
}

TEST(NftReader, ReadsEachChainsRulesWithADumpOfItsOwn) {
  ChangingHost host;
  Ruleset ruleset;
  const Status status = ReadNftables(host, &ruleset);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(host.rule_dumps, (std::vector<std::string>{"t/a", "t/b"}));
  ASSERT_EQ(ruleset.tables.size(), 1u);
  EXPECT_EQ(Handles(ruleset, "a"), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Handles(ruleset, "b"), (std::vector<uint64_t>{3}));
}

// The doctor reads tables and chains first, and a chain's rules when a trace enters it.
TEST(NftReader, ChainsOnlyLeavesEachChainsRulesForLater) {
  ChangingHost host;
  Ruleset ruleset;
  const Status status = ReadNftables(host, &ruleset, NftRead::kChainsOnly);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(host.rule_dumps.empty());
  ASSERT_EQ(ruleset.tables.size(), 1u);
  ASSERT_EQ(ruleset.tables[0].chains.size(), 2u);
  Chain& b = ruleset.tables[0].chains[1];
  EXPECT_FALSE(b.rules_read);
  EXPECT_TRUE(b.rules.empty());
  ASSERT_TRUE(ReadNftChainRules(host, ruleset.tables[0], &b).ok());
  EXPECT_EQ(host.rule_dumps, (std::vector<std::string>{"t/b"}));
  EXPECT_TRUE(b.rules_read);
  EXPECT_EQ(Handles(ruleset, "b"), (std::vector<uint64_t>{3}));
  EXPECT_EQ(b.rules.size(), 1u);
}

TEST(NftReader, ARulesetThatChangedBetweenTheDumpsIsReadAgain) {
  ChangingHost host;
  host.rule_generation = {8, 7};  // the first time, the rules are of a later ruleset than the chains
  Ruleset ruleset;
  const Status status = ReadNftables(host, &ruleset);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(host.attempt, 1);
  EXPECT_EQ(Handles(ruleset, "a"), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Handles(ruleset, "b"), (std::vector<uint64_t>{3}));
}

TEST(NftReader, AChainGoneBeforeItsRulesAreReadMeansReadingAgain) {
  ChangingHost host;
  host.chain_errno = {ENOENT, 0};
  Ruleset ruleset;
  const Status status = ReadNftables(host, &ruleset);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(host.attempt, 1);
  EXPECT_EQ(Handles(ruleset, "b"), (std::vector<uint64_t>{3}));
}

TEST(NftReader, ARulesetThatNeverHoldsStillIsReportedAsChanging) {
  ChangingHost host;
  host.rule_generation = {8};
  Ruleset ruleset;
  const Status status = ReadNftables(host, &ruleset);
  EXPECT_EQ(status.code(), Status::Code::kAborted);
  EXPECT_EQ(status.message(), "nftables: the ruleset changed while it was read");
  EXPECT_EQ(host.attempt, 2);  // three reads in all
  EXPECT_TRUE(ruleset.tables.empty());
}

}  // namespace
}  // namespace phantun_runtime::netfilter
