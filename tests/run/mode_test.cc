#include "runtime/run/mode.h"

#include "gtest/gtest.h"

namespace phantun_runtime {
namespace {

TEST(ProgramForMode, ClientAndServerSelectTheirPrograms) {
  EXPECT_EQ(ProgramForMode("client"), "phantun_client");
  EXPECT_EQ(ProgramForMode("server"), "phantun_server");
}

TEST(ProgramForMode, UnsetOrEmptyIsRefused) {
  EXPECT_EQ(ProgramForMode(nullptr), std::nullopt);
  EXPECT_EQ(ProgramForMode(""), std::nullopt);
}

TEST(ProgramForMode, MatchIsExactAndCaseSensitive) {
  for (const char* value : {"Client", "SERVER", "client ", " server", "clien", "servers", "client\n", "phantun_client"}) {
    EXPECT_EQ(ProgramForMode(value), std::nullopt) << value;
  }
}

}  // namespace
}  // namespace phantun_runtime
