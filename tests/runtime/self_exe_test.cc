// The runtime's own path: FollowLinks against real files and links, and PathBesideOwnExecutable
// for this test binary, whose answer /proc/self/exe can confirm.
#include "runtime/self_exe.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

namespace phantun_runtime {
namespace {

using phantun_test::MakeSymlink;
using phantun_test::TempDir;
using phantun_test::WriteFile;

std::string Followed(const std::string& path, size_t size = PATH_MAX) {
  char out[PATH_MAX];
  if (!FollowLinks(path.c_str(), out, size)) return "(none)";
  return out;
}

TEST(FollowLinksTest, AFileThatIsNotALinkIsItsOwnAnswer) {
  TempDir dir;
  WriteFile(dir.Join("phantun-runtime"), "", 0755);
  EXPECT_EQ(Followed(dir.Join("phantun-runtime")), dir.Join("phantun-runtime"));
}

TEST(FollowLinksTest, ARelativeTargetIsTakenFromTheLinksOwnDirectory) {
  TempDir dir;
  ASSERT_EQ(mkdir(dir.Join("lib").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(dir.Join("bin").c_str(), 0755), 0);
  WriteFile(dir.Join("lib/phantun-runtime"), "", 0755);
  MakeSymlink("../lib/phantun-runtime", dir.Join("bin/phantun-run"));
  EXPECT_EQ(Followed(dir.Join("bin/phantun-run")), dir.Join("bin/../lib/phantun-runtime"));
}

TEST(FollowLinksTest, AChainOfAbsoluteAndRelativeLinksIsFollowedToTheEnd) {
  TempDir dir;
  TempDir other;
  WriteFile(other.Join("phantun-runtime"), "", 0755);
  MakeSymlink("phantun-runtime", other.Join("phantun-run"));      // relative, same directory
  MakeSymlink(other.Join("phantun-run"), dir.Join("phantun-run"));  // absolute, elsewhere
  EXPECT_EQ(Followed(dir.Join("phantun-run")), other.Join("phantun-runtime"));
}

TEST(FollowLinksTest, ALoopADanglingLinkARelativePathAndTooSmallABufferHaveNoAnswer) {
  TempDir dir;
  MakeSymlink("b", dir.Join("a"));
  MakeSymlink("a", dir.Join("b"));
  EXPECT_EQ(Followed(dir.Join("a")), "(none)");
  MakeSymlink("missing", dir.Join("dangling"));
  EXPECT_EQ(Followed(dir.Join("dangling")), "(none)");
  WriteFile(dir.Join("file"), "", 0644);
  EXPECT_EQ(Followed("file"), "(none)");
  EXPECT_EQ(Followed(dir.Join("file"), dir.Join("file").size()), "(none)");  // no room for the NUL
  EXPECT_EQ(Followed(dir.Join("file"), dir.Join("file").size() + 1), dir.Join("file"));
}

// The directory of `path`, as a (device, inode) pair: paths that differ by links compare equal.
std::pair<dev_t, ino_t> DirectoryIdentity(const std::string& path) {
  struct stat st {};
  if (stat(path.substr(0, path.rfind('/') + 1).c_str(), &st) != 0) return {0, 0};
  return {st.st_dev, st.st_ino};
}

TEST(PathBesideOwnExecutableTest, IsTheNameInTheDirectoryOfThisVeryExecutable) {
  const StatusOr<std::string> own = OwnExecutablePath();
  ASSERT_TRUE(own.ok()) << own.status().message();
  char out[PATH_MAX];
  ASSERT_TRUE(PathBesideOwnExecutable("phantun_client", out, sizeof out).ok());
  const std::string beside = out;
  EXPECT_EQ(beside.substr(beside.rfind('/')), "/phantun_client");
  // Bazel starts this test through a link in its runfiles: the answer is the real file's folder.
  EXPECT_EQ(DirectoryIdentity(beside), DirectoryIdentity(*own)) << beside << " against " << *own;
  EXPECT_NE(DirectoryIdentity(beside).second, 0u);
}

TEST(PathBesideOwnExecutableTest, ANameThatDoesNotFitIsAnError) {
  char out[16];
  EXPECT_FALSE(PathBesideOwnExecutable("phantun_client_with_a_long_name", out, sizeof out).ok());
}

}  // namespace
}  // namespace phantun_runtime
