#include "runtime/handoff/handoff_config.h"

#include "gtest/gtest.h"

namespace phantun_runtime {
namespace {

TEST(ReadHandoffConfig, NeitherSetMeansNoHandoff) {
  for (const StatusOr<HandoffConfig>& config : {ReadHandoffConfig(nullptr, nullptr), ReadHandoffConfig("", ""),
                                                ReadHandoffConfig(nullptr, "")}) {
    ASSERT_TRUE(config.ok()) << config.status().message();
    EXPECT_FALSE(config->enabled);
  }
}

TEST(ReadHandoffConfig, BothSetEnablesIt) {
  const StatusOr<HandoffConfig> config = ReadHandoffConfig("ptun0", "/run/phantun/iface");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_TRUE(config->enabled);
  EXPECT_EQ(config->name, "ptun0");
  EXPECT_EQ(config->path, "/run/phantun/iface");
}

TEST(ReadHandoffConfig, OneWithoutTheOtherNamesTheMissingVariable) {
  const StatusOr<HandoffConfig> no_file = ReadHandoffConfig("ptun0", nullptr);
  ASSERT_FALSE(no_file.ok());
  EXPECT_EQ(no_file.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(no_file.status().message().rfind("IFACE_NAME is set but IFACE_FILE is not", 0), 0u)
      << no_file.status().message();
  const StatusOr<HandoffConfig> empty_name = ReadHandoffConfig("", "/f");
  ASSERT_FALSE(empty_name.ok());
  EXPECT_EQ(empty_name.status().message().rfind("IFACE_FILE is set but IFACE_NAME is not", 0), 0u)
      << empty_name.status().message();
}

TEST(ReadHandoffConfig, InvalidNameIsRefusedWithItsBytesEscapedOnOneLine) {
  const StatusOr<HandoffConfig> config = ReadHandoffConfig("a\nb", "/f");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "IFACE_NAME='a\\nb' is not a valid interface name: it must not contain '/', ':', white space or NUL");
}

TEST(ReadClearPath, NeedsOnlyTheFile) {
  const StatusOr<std::string> path = ReadClearPath("/f");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, "/f");
  EXPECT_FALSE(ReadClearPath(nullptr).ok());
  EXPECT_EQ(ReadClearPath("").status().message(), "IFACE_FILE is not set: it names the file to clear");
}

}  // namespace
}  // namespace phantun_runtime
