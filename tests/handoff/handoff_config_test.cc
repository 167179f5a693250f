#include "runtime/handoff/handoff_config.h"

#include "gtest/gtest.h"

namespace phantun_runtime {
namespace {

TEST(ReadHandoffConfig, NeitherSetMeansNoHandoff) {
  for (const HandoffConfig& config : {ReadHandoffConfig(nullptr, nullptr), ReadHandoffConfig("", ""),
                                      ReadHandoffConfig(nullptr, "")}) {
    EXPECT_FALSE(config.enabled);
    EXPECT_EQ(config.error, "");
  }
}

TEST(ReadHandoffConfig, BothSetEnablesIt) {
  const HandoffConfig config = ReadHandoffConfig("ptun0", "/run/phantun/iface");
  EXPECT_TRUE(config.enabled);
  EXPECT_EQ(config.name, "ptun0");
  EXPECT_EQ(config.path, "/run/phantun/iface");
  EXPECT_EQ(config.error, "");
}

TEST(ReadHandoffConfig, OneWithoutTheOtherNamesTheMissingVariable) {
  const HandoffConfig no_file = ReadHandoffConfig("ptun0", nullptr);
  EXPECT_FALSE(no_file.enabled);
  EXPECT_EQ(no_file.error.rfind("IFACE_NAME is set but IFACE_FILE is not", 0), 0u) << no_file.error;
  const HandoffConfig empty_name = ReadHandoffConfig("", "/f");
  EXPECT_FALSE(empty_name.enabled);
  EXPECT_EQ(empty_name.error.rfind("IFACE_FILE is set but IFACE_NAME is not", 0), 0u) << empty_name.error;
}

TEST(ReadHandoffConfig, InvalidNameIsRefusedWithItsBytesEscapedOnOneLine) {
  const HandoffConfig config = ReadHandoffConfig("a\nb", "/f");
  EXPECT_FALSE(config.enabled);
  EXPECT_EQ(config.error, "IFACE_NAME='a\\nb' is not a valid interface name: it must not contain '/', ':', white space or NUL");
}

TEST(ReadClearConfig, NeedsOnlyTheFile) {
  EXPECT_TRUE(ReadClearConfig("/f").enabled);
  EXPECT_EQ(ReadClearConfig("/f").path, "/f");
  EXPECT_FALSE(ReadClearConfig(nullptr).enabled);
  EXPECT_EQ(ReadClearConfig("").error, "IFACE_FILE is not set: it names the file to clear");
}

}  // namespace
}  // namespace phantun_runtime
