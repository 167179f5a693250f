#include "runtime/run/launch_environment.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace phantun_runtime {
namespace {

LaunchEnvironment Read(std::vector<std::string> entries) {
  static std::vector<std::string> storage;
  static std::vector<char*> envp;
  storage = std::move(entries);
  envp.clear();
  for (std::string& entry : storage) envp.push_back(entry.data());
  envp.push_back(nullptr);
  return ReadLaunchEnvironment(envp.data());
}

TEST(ReadLaunchEnvironment, FindsTheThreeVariables) {
  const LaunchEnvironment env = Read({"PATH=/bin", "MODE=client", "IFACE_NAME=ptun0", "IFACE_FILE=/run/iface"});
  EXPECT_STREQ(env.mode, "client");
  EXPECT_STREQ(env.iface_name, "ptun0");
  EXPECT_STREQ(env.iface_file, "/run/iface");
}

TEST(ReadLaunchEnvironment, AbsentIsNullAndEmptyIsEmpty) {
  const LaunchEnvironment env = Read({"MODE=", "HOME=/root"});
  EXPECT_STREQ(env.mode, "");
  EXPECT_EQ(env.iface_name, nullptr);
  EXPECT_EQ(env.iface_file, nullptr);
}

TEST(ReadLaunchEnvironment, NamesMustMatchExactly) {
  const LaunchEnvironment env = Read({"MODES=x", "MOD=y", "mode=client", "IFACE_NAMES=a", "IFACE_NAME", "MODE"});
  EXPECT_EQ(env.mode, nullptr);
  EXPECT_EQ(env.iface_name, nullptr);
}

TEST(ReadLaunchEnvironment, FirstDefinitionWinsLikeGetenv) {
  EXPECT_STREQ(Read({"MODE=server", "MODE=client"}).mode, "server");
}

TEST(ReadLaunchEnvironment, ValuesMayHoldEqualsSignsAndNewlines) {
  EXPECT_STREQ(Read({"IFACE_FILE=/a=b\nc"}).iface_file, "/a=b\nc");
}

TEST(ReadLaunchEnvironment, NullEnvironmentIsEmpty) {
  const LaunchEnvironment env = ReadLaunchEnvironment(nullptr);
  EXPECT_EQ(env.mode, nullptr);
}

}  // namespace
}  // namespace phantun_runtime
