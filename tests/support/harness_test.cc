// The harness's own logic, checked without the runtime, so that a failure in the integration tests
// points at the runtime and not at the way its output is read.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/fake_record.h"
#include "tests/support/hex.h"
#include "tests/support/line_reader.h"
#include "tests/support/runtime_run.h"
#include "tests/support/unique_fd.h"

namespace phantun_test {
namespace {

TEST(HexTest, RoundTripsEveryByte) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all.push_back(static_cast<char>(byte));
  const std::string hex = HexEncode(all);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  std::string back;
  ASSERT_TRUE(HexDecode(hex, &back));
  EXPECT_EQ(back, all);
}

TEST(HexTest, RejectsMalformedInput) {
  std::string out;
  EXPECT_FALSE(HexDecode("abc", &out));
  EXPECT_FALSE(HexDecode("zz", &out));
  EXPECT_TRUE(HexDecode("", &out));
  EXPECT_EQ(out, "");
}

TEST(SplitLinesTest, KeepsEmptyLinesAndAnUnterminatedLast) {
  EXPECT_EQ(SplitLines(""), std::vector<std::string>{});
  EXPECT_EQ(SplitLines("a\n\nb"), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(SplitLines("one\n"), std::vector<std::string>{"one"});
}

// Writes `text` into a pipe and closes it, so the reader sees end of file after it.
LineReader ReaderOf(const std::string& text) {
  Pipe pipe = MakePipe();
  EXPECT_EQ(write(pipe.write.get(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
  return LineReader(std::move(pipe.read));
}

TEST(FakeRecordTest, DecodesEveryLine) {
  LineReader events = ReaderOf(
      "arg " + HexEncode("phantun_client") + "\narg " + HexEncode("") + "\narg " + HexEncode("a\nb") +
      "\nenv " + HexEncode("MODE=client") + "\nfd 0 " + HexEncode("pipe:[1]") +
      "\nmask 0000000000000201\nignored 1 13\npid 7\nppid 1\npgid 7\ncwd " + HexEncode("/x") +
      "\nexe " + HexEncode("/d/phantun_client") + "\niface " + HexEncode("tun\n0") +
      "\norphan 9\norphans-ready\nready\nsignal 15\n");
  FakeRecord record;
  std::string error;
  ASSERT_TRUE(ReadFakeRecord(events, Deadline::Guard(), &record, &error)) << error;
  EXPECT_EQ(record.argv, (std::vector<std::string>{"phantun_client", "", "a\nb"}));
  EXPECT_EQ(record.env, std::vector<std::string>{"MODE=client"});
  EXPECT_EQ(record.fds, (std::map<int, std::string>{{0, "pipe:[1]"}}));
  EXPECT_EQ(record.mask, 0x201u);
  EXPECT_EQ(record.ignored, (std::set<int>{1, 13}));
  EXPECT_EQ(record.pid, 7);
  EXPECT_EQ(record.ppid, 1);
  EXPECT_EQ(record.pgid, 7);
  EXPECT_EQ(record.cwd, "/x");
  EXPECT_EQ(record.exe, "/d/phantun_client");
  EXPECT_EQ(record.iface, "tun\n0");
  EXPECT_EQ(record.iface_error, 0);
  EXPECT_EQ(record.orphans, std::vector<pid_t>{9});
  EXPECT_EQ(events.Next(Deadline::Guard()), "signal 15");  // events after "ready" stay unread
}

TEST(FakeRecordTest, DecodesAnInterfaceFileThatCouldNotBeRead) {
  LineReader events = ReaderOf("iface-error 2\nready\n");
  FakeRecord record;
  std::string error;
  ASSERT_TRUE(ReadFakeRecord(events, Deadline::Guard(), &record, &error)) << error;
  EXPECT_EQ(record.iface, std::nullopt);
  EXPECT_EQ(record.iface_error, 2);
}

TEST(FakeRecordTest, ReportsEventsThatEndBeforeReady) {
  LineReader events = ReaderOf("pid 7\n");
  FakeRecord record;
  std::string error;
  EXPECT_FALSE(ReadFakeRecord(events, Deadline::Guard(), &record, &error));
  EXPECT_NE(error.find("ended before"), std::string::npos) << error;
}

TEST(LineReaderTest, GivesUpAtTheDeadlineWithoutEndOfFile) {
  Pipe pipe = MakePipe();
  LineReader events(std::move(pipe.read));
  EXPECT_EQ(events.Next(Deadline::After(std::chrono::milliseconds(20))), std::nullopt);
  EXPECT_FALSE(events.at_end());
}

}  // namespace
}  // namespace phantun_test
