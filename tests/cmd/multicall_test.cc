#include "cmd/multicall.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace phantun_runtime {
namespace {

// Records how the fake applets were called.
std::vector<std::string> g_calls;

int FirstApplet(int argc, char** argv) {
  std::string call = "first";
  for (int i = 0; i < argc; ++i) call += std::string("|") + argv[i];
  g_calls.push_back(call);
  return 11;
}

int SecondApplet(int argc, char** argv) {
  g_calls.push_back("second");
  return 22;
}

constexpr Applet kApplets[] = {
    {"first", "the first", FirstApplet},
    {"second", "the second", SecondApplet},
};

int Call(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return MulticallMain(kApplets, static_cast<int>(args.size()), argv.data());
}

class MulticallTest : public ::testing::Test {
 protected:
  void SetUp() override { g_calls.clear(); }
};

TEST(InvokedName, IsTheLastPathComponent) {
  EXPECT_EQ(InvokedName("/usr/local/bin/phantun-run"), "phantun-run");
  EXPECT_EQ(InvokedName("phantun-run"), "phantun-run");
  EXPECT_EQ(InvokedName("./a/b"), "b");
  EXPECT_EQ(InvokedName("dir/"), "");
  EXPECT_EQ(InvokedName(nullptr), "");
}

TEST(FindApplet, FindsOnlyExactNames) {
  EXPECT_EQ(FindApplet(kApplets, "second"), &kApplets[1]);
  EXPECT_EQ(FindApplet(kApplets, "secon"), nullptr);
  EXPECT_EQ(FindApplet(kApplets, "Second"), nullptr);
  EXPECT_EQ(FindApplet(kApplets, ""), nullptr);
}

TEST_F(MulticallTest, LinkNameSelectsTheAppletWithArgumentsUntouched) {
  EXPECT_EQ(Call({"/bin/first", "a", "", "--list"}), 11);
  EXPECT_EQ(g_calls, std::vector<std::string>{"first|/bin/first|a||--list"});
}

TEST_F(MulticallTest, FirstArgumentSelectsTheAppletWhenCalledByItsOwnName) {
  EXPECT_EQ(Call({"/opt/phantun-runtime", "second", "x"}), 22);
  EXPECT_EQ(Call({"phantun-runtime", "first", "--help"}), 11);
  EXPECT_EQ(g_calls, (std::vector<std::string>{"second", "first|first|--help"}));
}

TEST_F(MulticallTest, UnknownAppletIs127AndRunsNothing) {
  EXPECT_EQ(Call({"/bin/third", "a"}), 127);
  EXPECT_EQ(Call({"phantun-runtime", "third"}), 127);
  EXPECT_TRUE(g_calls.empty());
}

TEST_F(MulticallTest, UsageErrorsAre64) {
  EXPECT_EQ(Call({"phantun-runtime"}), 64);
  EXPECT_EQ(Call({"phantun-runtime", "--frobnicate"}), 64);
  EXPECT_EQ(Call({"phantun-runtime", "--install"}), 64);
  EXPECT_EQ(Call({"phantun-runtime", "--install", "a", "b"}), 64);
  EXPECT_TRUE(g_calls.empty());
}

}  // namespace
}  // namespace phantun_runtime
