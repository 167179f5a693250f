// The interface-name handoff of phantun-run when IFACE_FILE cannot be written: a directory, FIFO,
// socket, device or symbolic link there is refused without blocking and without following the
// link; a missing parent, a read-only or full file system, missing permission or a file-size limit
// fail. Either way: exit 73, one stderr line with the path and the reason, phantun not started,
// and the file as it was or empty, never a partial name.
//
// local (and root): the cases mount in private mount namespaces, make device nodes and drop
// capabilities from the process under test.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/iface_cases.h"
#include "tests/integration/iface_place.h"
#include "tests/integration/iface_refusal.h"
#include "tests/support/files.h"
#include "tests/support/install_dir.h"
#include "tests/support/mount_namespace.h"
#include "tests/support/runtime_run.h"

namespace phantun_test {
namespace {

// phantun-run publishing kIfaceName into place.path, started the way the place needs.
LaunchSpec HandoffSpec(const InstallDir& dir, const IfacePlace& place) {
  LaunchSpec spec =
      PhantunRunSpec(dir, {"MODE=client", std::string("IFACE_NAME=") + kIfaceName, "IFACE_FILE=" + place.path});
  place.Apply(&spec);
  return spec;
}

// Every case: exit 73 and phantun never started. AsItWasOrEmpty accepts an emptied file only where
// a regular file or nothing was; any other kind must be left exactly as it was.
class UnwritableFileTest : public ::testing::TestWithParam<IfaceFileCase> {};

TEST_P(UnwritableFileTest, Exits73WithOneLineAndPhantunNeverStarts) {
  InstallDir dir;
  IfacePlace place;
  GetParam().prepare(&place);
  ASSERT_TRUE(place.ready());
  const std::vector<PathSnapshot> before = SnapshotPlace(place);
  // Both waits below have a deadline: a runtime blocked on a FIFO fails the test, it cannot hang it.
  RuntimeRun run(HandoffSpec(dir, place));
  EXPECT_EQ(run.RemainingEvents(), std::vector<std::string>{}) << "phantun ran (or the runtime hung)";
  EXPECT_TRUE(EndsRefused(run, 73, "phantun-run: ", {place.path, GetParam().reason, "phantun not started"}));
  EXPECT_TRUE(AsItWasOrEmpty(before, SnapshotPlace(place)));
  EXPECT_TRUE(NothingWrittenToFifo(place));
}

INSTANTIATE_TEST_SUITE_P(RefusedKinds, UnwritableFileTest, ::testing::ValuesIn(RefusedKinds()), CaseName);
INSTANTIATE_TEST_SUITE_P(FailedWrites, UnwritableFileTest, ::testing::ValuesIn(FailedWrites()), CaseName);

// The message names the path escaped, so that a newline in it cannot split the one line.
TEST(MessageTest, StaysOneLineForAPathWithANewline) {
  InstallDir dir;
  IfacePlace place;
  place.path = place.dir().Join("missing\ndir/iface");
  RuntimeRun run(HandoffSpec(dir, place));
  EXPECT_TRUE(EndsRefused(run, 73, "phantun-run: ", {"missing\\ndir/iface", "No such file or directory"}));
}

// Why a full file system is no failure case for a file that already holds a name: the runtime
// empties the file first, which frees the very page the new name then goes into. The handoff works.
TEST(FullFileSystemTest, AnOldNameIsStillReplacedBecauseEmptyingFreesItsSpace) {
  InstallDir dir;
  IfacePlace place;
  const std::string full = place.dir().Join("full");
  MakeDirectory(full);
  place.path = full + "/iface";
  const std::string path = place.path;
  place.ns = std::make_unique<MountNamespace>([full, path] {
    std::string error = MountTmpfs(full, "size=4k");
    if (error.empty()) error = PutFile(path, "old-name");
    if (error.empty()) error = FillUp(full + "/filler");
    return error;
  });
  ASSERT_TRUE(place.ready());
  RuntimeRun run(HandoffSpec(dir, place));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  EXPECT_EQ(record.iface, kIfaceName);
  EXPECT_EQ(run.Finish(), Exited(0));
  EXPECT_EQ(ReadFile(place.Look(path)), "");
}

}  // namespace
}  // namespace phantun_test
