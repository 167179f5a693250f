#include "runtime/run/mode.h"

#include <string>

#include "gtest/gtest.h"

namespace phantun_runtime {
namespace {

TEST(ProgramForMode, ClientAndServerSelectTheirPrograms) {
  EXPECT_EQ(std::string(ProgramForMode("client")), "phantun_client");
  EXPECT_EQ(std::string(ProgramForMode("server")), "phantun_server");
}

TEST(ProgramForMode, UnsetOrEmptyIsRefused) {
  EXPECT_EQ(ProgramForMode(nullptr), nullptr);
  EXPECT_EQ(ProgramForMode(""), nullptr);
}

TEST(ProgramForMode, MatchIsExactAndCaseSensitive) {
  for (const char* value : {"Client", "SERVER", "client ", " server", "clien", "servers", "client\n", "phantun_client"}) {
    EXPECT_EQ(ProgramForMode(value), nullptr) << value;
  }
}

}  // namespace
}  // namespace phantun_runtime
