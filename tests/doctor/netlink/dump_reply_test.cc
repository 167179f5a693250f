#include "runtime/doctor/netlink/dump_reply.h"

#include <errno.h>
#include <linux/netlink.h>

#include <vector>

#include "gtest/gtest.h"
#include "tests/doctor/fake_host.h"
#include "tests/doctor/netlink/build_bytes.h"

namespace phantun_runtime::netlink {
namespace {

using phantun_test::Message;
using phantun_test::Raw;

std::string ReadCapture(const std::string& name) { return doctor::ReadTestFile(name); }

struct Collected {
  std::vector<uint16_t> types;
  std::vector<std::string> payloads;
};

TEST(DumpReplyReader, HandsOnDataMessagesUntilDone) {
  Collected seen;
  auto collect = [&](const netlink::Message& message) {
    seen.types.push_back(message.type);
    seen.payloads.emplace_back(AsText(message.payload));
  };
  DumpReplyReader reader(5);
  EXPECT_TRUE(
      reader.Consume(AsBytes(Message(100, NLM_F_MULTI, 5, "one") + Message(100, NLM_F_MULTI, 5, "two")), collect));
  EXPECT_FALSE(reader.done());
  EXPECT_FALSE(reader.Consume(AsBytes(Message(NLMSG_DONE, NLM_F_MULTI, 5, Raw<int32_t>(0))), collect));
  EXPECT_TRUE(reader.done());
  EXPECT_TRUE(reader.status().ok());
  EXPECT_EQ(seen.payloads, (std::vector<std::string>{"one", "two"}));
}

TEST(DumpReplyReader, SkipsLeftoversOfAnotherRequest) {
  int seen = 0;
  DumpReplyReader reader(5);
  reader.Consume(AsBytes(Message(100, 0, 4, "old") + Message(NLMSG_DONE, 0, 4, Raw<int32_t>(0)) +
                         Message(100, 0, 5, "new") + Message(NLMSG_DONE, 0, 5, Raw<int32_t>(0))),
                 [&](const netlink::Message&) { ++seen; });
  EXPECT_TRUE(reader.done());
  EXPECT_EQ(seen, 1);
}

TEST(DumpReplyReader, KernelErrorsBecomeStatuses) {
  using Code = Status::Code;
  struct Case {
    std::string reply;
    Code code;
    int system_error;  // the kernel's errno, kept for the doctor to tell EPERM from the rest
  } cases[] = {
      {Message(NLMSG_ERROR, 0, 1, Raw<int32_t>(-EPERM) + std::string(16, '\0')), Code::kFailedPrecondition, EPERM},
      {Message(NLMSG_ERROR, 0, 1, Raw<int32_t>(-EACCES)), Code::kFailedPrecondition, EACCES},
      {Message(NLMSG_ERROR, 0, 1, Raw<int32_t>(-EOPNOTSUPP)), Code::kUnimplemented, EOPNOTSUPP},
      {Message(NLMSG_ERROR, 0, 1, Raw<int32_t>(-EINVAL)), Code::kFailedPrecondition, EINVAL},
      {Message(NLMSG_DONE, 0, 1, Raw<int32_t>(-ENOBUFS)), Code::kFailedPrecondition, ENOBUFS},
      // Malformed replies: a failed read, with no errno behind it.
      {Message(NLMSG_ERROR, 0, 1, ""), Code::kIoError, 0},
      // Found by the fuzzer: negating INT32_MIN is undefined.
      {Message(NLMSG_DONE, 0, 1, Raw<int32_t>(INT32_MIN)), Code::kIoError, 0},
      {Message(NLMSG_ERROR, 0, 1, Raw<int32_t>(-4096)), Code::kIoError, 0},
      {Message(NLMSG_OVERRUN, 0, 1, ""), Code::kIoError, ENOBUFS},
      {Message(NLMSG_DONE, 0, 1, ""), Code::kOk, 0},  // some protocols end with a bare DONE
      {Message(100, NLM_F_MULTI | NLM_F_DUMP_INTR, 1, "x") + Message(NLMSG_DONE, 0, 1, Raw<int32_t>(0)),
       Code::kAborted, 0},
      {Message(100, 0, 1, "x") + std::string("\x30\0\0\0", 4), Code::kIoError, 0},
  };
  for (const Case& one : cases) {
    DumpReplyReader reader(1);
    reader.Consume(AsBytes(one.reply), [](const netlink::Message&) {});
    EXPECT_TRUE(reader.done());
    EXPECT_EQ(reader.status().code(), one.code) << reader.status().message();
    EXPECT_EQ(reader.status().system_error(), one.system_error) << reader.status().message();
  }
}

TEST(DumpReplyReader, TheKernelsAnswerWithoutCapNetAdminIsPermissionDenied) {
  // Captured from a dump of nf_tables tables run under capsh --drop=cap_net_admin.
  const std::string reply = ReadCapture("nft_phantun_no_cap_net_admin/nft_tables.bin");
  ASSERT_FALSE(reply.empty());
  DumpReplyReader reader(1);
  reader.Consume(AsBytes(reply), [](const netlink::Message&) { ADD_FAILURE() << "no data expected"; });
  ASSERT_TRUE(reader.done());
  EXPECT_EQ(reader.status().system_error(), EPERM);
  EXPECT_EQ(reader.status().message(), "netlink dump: Operation not permitted");
}

TEST(DumpReplyReader, ReadsACapturedRuleDump) {
  const std::string reply = ReadCapture("nft_phantun/nft_rules.bin");
  ASSERT_FALSE(reply.empty());
  MessageReader peek(AsBytes(reply));
  netlink::Message first;
  ASSERT_TRUE(peek.Next(&first));
  int rules = 0;
  DumpReplyReader reader(first.sequence);
  reader.Consume(AsBytes(reply), [&](const netlink::Message&) { ++rules; });
  EXPECT_TRUE(reader.done());
  EXPECT_TRUE(reader.status().ok());
  EXPECT_EQ(rules, 3);
}

TEST(DumpReplyReader, IgnoresEverythingAfterTheEnd) {
  int seen = 0;
  auto count = [&](const netlink::Message&) { ++seen; };
  DumpReplyReader reader(1);
  reader.Consume(AsBytes(Message(NLMSG_DONE, 0, 1, Raw<int32_t>(0)) + Message(100, 0, 1, "late")), count);
  EXPECT_FALSE(reader.Consume(AsBytes(Message(100, 0, 1, "later")), count));
  EXPECT_EQ(seen, 0);
}

}  // namespace
}  // namespace phantun_runtime::netlink
