// Contract point 6: the multicall binary's own command line (--list, --install DIR, --version,
// --help, APPLET ARGS...) and its answers to unknown applets and options.
#include <sys/stat.h>

#include <algorithm>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/expectations.h"
#include "tests/support/files.h"
#include "tests/support/install_dir.h"
#include "tests/support/proc_fs.h"
#include "tests/support/runfiles.h"
#include "tests/support/runtime_run.h"
#include "tests/support/temp_dir.h"

namespace phantun_test {
namespace {

// The multicall binary at `binary`, called with `args`.
LaunchSpec Multicall(const std::string& binary, std::vector<std::string> args, std::vector<std::string> env = {}) {
  LaunchSpec spec;
  spec.path = binary;
  spec.argv = {binary};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = std::move(env);
  return spec;
}

// The applet names --list prints.
std::vector<std::string> ListApplets(const InstallDir& dir) {
  RuntimeRun run(Multicall(dir.runtime(), {"--list"}));
  EXPECT_EQ(run.Finish(), Exited(0));
  return SplitLines(run.out());
}

TEST(ListTest, PrintsAppletNamesOnePerLine) {
  InstallDir dir;
  RuntimeRun run(Multicall(dir.runtime(), {"--list"}));
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(run.err(), "");
  ASSERT_FALSE(run.out().empty());
  EXPECT_EQ(run.out().back(), '\n');
  const std::vector<std::string> names = SplitLines(run.out());
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size()) << "duplicates";
  for (const std::string& name : names) {
    EXPECT_TRUE(std::regex_match(name, std::regex("[a-z][a-z0-9-]*"))) << "not an applet name: " << Printable(name);
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "phantun-run"), names.end());
}

TEST(VersionTest, PrintsNameAndVersion) {
  InstallDir dir;
  RuntimeRun run(Multicall(dir.runtime(), {"--version"}));
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_TRUE(std::regex_match(run.out(), std::regex("phantun-runtime [0-9]+\\.[0-9]+\\.[0-9]+[^\n ]*\n")))
      << Printable(run.out());
  EXPECT_EQ(run.err(), "");
}

TEST(HelpTest, MentionsEveryAppletAndTheExitCodes) {
  InstallDir dir;
  RuntimeRun run(Multicall(dir.runtime(), {"--help"}));
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(run.err(), "");
  for (const std::string& applet : ListApplets(dir)) {
    EXPECT_NE(run.out().find(applet), std::string::npos) << "--help does not mention " << applet;
  }
  for (const char* code : {"64", "126", "127", "128+N"}) {
    EXPECT_NE(run.out().find(code), std::string::npos) << "--help does not mention exit status " << code;
  }
}

TEST(AppletArgumentTest, PhantunRunAsFirstArgumentWorksLikeTheLink) {
  InstallDir dir;
  RuntimeRun run(Multicall(dir.runtime(), {"phantun-run", "--help", "", "x y"}, {"MODE=client"}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.exe, dir.client());
  EXPECT_EQ(record.argv, (std::vector<std::string>{"phantun_client", "--help", "", "x y"}));
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(run.out(), "");
}

// Expects the run to end with `status`, exactly one "phantun-runtime: " line on stderr and
// nothing on stdout.
void ExpectRefused(RuntimeRun& run, int status) {
  EXPECT_EQ(run.Finish(), Exited(status));
  EXPECT_TRUE(IsOneLineStartingWith(run.err(), "phantun-runtime: "));
  EXPECT_EQ(run.out(), "");
}

TEST(UnknownAppletTest, ThroughALinkGives127) {
  InstallDir dir;
  MakeSymlink("phantun-runtime", dir.Join("phantun-bogus"));
  RuntimeRun run(Multicall(dir.Join("phantun-bogus"), {"--help"}, {"MODE=client"}));
  ExpectRefused(run, 127);
  EXPECT_EQ(run.RemainingEvents(), std::vector<std::string>{});
}

TEST(UnknownAppletTest, AsFirstArgumentGives127) {
  InstallDir dir;
  RuntimeRun run(Multicall(dir.runtime(), {"phantun-bogus"}, {"MODE=client"}));
  ExpectRefused(run, 127);
}

// The applet name is echoed in the message: a newline in it must not make the message two lines.
TEST(UnknownAppletTest, NameWithANewlineStillGivesOneLine) {
  InstallDir dir;
  RuntimeRun run(Multicall(dir.runtime(), {"bogus\nname"}));
  ExpectRefused(run, 127);
}

TEST(UsageErrorTest, UnknownOptionGives64) {
  InstallDir dir;
  RuntimeRun run(Multicall(dir.runtime(), {"--bogus"}));
  ExpectRefused(run, 64);
}

TEST(UsageErrorTest, NoArgumentGives64) {
  InstallDir dir;
  RuntimeRun run(Multicall(dir.runtime(), {}));
  ExpectRefused(run, 64);
}

TEST(UsageErrorTest, InstallWithoutExactlyOneDirectoryGives64) {
  InstallDir dir;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--install"}, std::vector<std::string>{"--install", dir.path(), dir.path()}}) {
    RuntimeRun run(Multicall(dir.runtime(), args));
    ExpectRefused(run, 64);
  }
}

// A directory holding nothing but a copy of the runtime.
class InstallTest : public ::testing::Test {
 protected:
  InstallTest() { CopyFile(RuntimeBinary(), Runtime(), 0755); }
  std::string Runtime() const { return bin_.Join("phantun-runtime"); }

  std::string Install(const std::string& target_dir, int expected_status) {
    RuntimeRun run(Multicall(Runtime(), {"--install", target_dir}));
    EXPECT_EQ(run.Finish(), Exited(expected_status));
    EXPECT_EQ(run.out(), "");
    return run.err();
  }

  std::vector<std::string> Applets() {
    RuntimeRun run(Multicall(Runtime(), {"--list"}));
    EXPECT_EQ(run.Finish(), Exited(0));
    return SplitLines(run.out());
  }

  TempDir bin_;
};

TEST_F(InstallTest, IntoTheBinarysOwnDirectoryMakesRelativeLinks) {
  EXPECT_EQ(Install(bin_.path(), 0), "");
  for (const std::string& applet : Applets()) {
    EXPECT_EQ(LinkTarget(bin_.Join(applet)), "phantun-runtime") << applet;
  }
  // The link works: phantun-run answers (here refusing the missing MODE, in its own words).
  RuntimeRun run(Multicall(bin_.Join("phantun-run"), {}));
  EXPECT_EQ(run.Finish(), Exited(64));
  EXPECT_TRUE(IsOneLineStartingWith(run.err(), "phantun-run: "));
}

TEST_F(InstallTest, IntoTheOwnDirectoryNamedThroughASymlinkStillMakesRelativeLinks) {
  TempDir aliases;
  MakeSymlink(bin_.path(), aliases.Join("bin-alias"));
  EXPECT_EQ(Install(aliases.Join("bin-alias") + "/", 0), "");
  EXPECT_EQ(LinkTarget(bin_.Join("phantun-run")), "phantun-runtime");
}

TEST_F(InstallTest, ElsewhereMakesAbsoluteLinksToTheRealBinary) {
  TempDir elsewhere;
  EXPECT_EQ(Install(elsewhere.path(), 0), "");
  for (const std::string& applet : Applets()) {
    EXPECT_EQ(LinkTarget(elsewhere.Join(applet)), Runtime()) << applet;
  }
}

TEST_F(InstallTest, ReplacesAnExistingSymlink) {
  TempDir elsewhere;
  MakeSymlink("/nonexistent/old-runtime", elsewhere.Join("phantun-run"));
  EXPECT_EQ(Install(elsewhere.path(), 0), "");
  EXPECT_EQ(LinkTarget(elsewhere.Join("phantun-run")), Runtime());
}

TEST_F(InstallTest, RefusesARegularFileInTheWayAndLeavesItUntouched) {
  TempDir elsewhere;
  const std::string in_the_way = elsewhere.Join("phantun-run");
  WriteFile(in_the_way, "an operator's own file\n", 0600);
  const std::string err = Install(elsewhere.path(), 73);
  EXPECT_TRUE(IsOneLineStartingWith(err, "phantun-runtime"));
  EXPECT_NE(err.find(in_the_way), std::string::npos) << err;
  EXPECT_EQ(ReadFile(in_the_way), "an operator's own file\n");
  struct stat st;
  ASSERT_EQ(lstat(in_the_way.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // The other applets are still installed, and no temporary link is left behind.
  std::set<std::string> expected;
  for (const std::string& applet : Applets()) {
    expected.insert(applet);
    if (applet != "phantun-run") {
      EXPECT_EQ(LinkTarget(elsewhere.Join(applet)), Runtime()) << applet;
    }
  }
  EXPECT_EQ(DirectoryEntries(elsewhere.path()), expected);
}

TEST_F(InstallTest, IntoAMissingDirectoryGives73) {
  const std::string err = Install(bin_.Join("missing"), 73);
  EXPECT_TRUE(IsOneLineStartingWith(err, "phantun-runtime"));
}

}  // namespace
}  // namespace phantun_test
