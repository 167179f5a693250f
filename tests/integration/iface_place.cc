#include "tests/integration/iface_place.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/expectations.h"
#include "tests/support/files.h"
#include "tests/support/proc_fs.h"
#include "tests/support/special_files.h"

namespace phantun_test {
namespace {

PathSnapshot Snapshot(const std::string& path) {
  PathSnapshot snapshot;
  snapshot.kind = KindAt(path);
  snapshot.mode = ModeOf(path);
  snapshot.inode = InodeOf(path);
  if (snapshot.kind == "regular") snapshot.content = ReadFile(path).value_or("<unreadable>");
  if (snapshot.kind == "symlink") snapshot.content = LinkTarget(path);
  if (snapshot.kind == "directory") {
    for (const std::string& name : DirectoryEntries(path)) snapshot.content += name + "\n";
  }
  return snapshot;
}

bool Same(const PathSnapshot& a, const PathSnapshot& b) {
  return a.kind == b.kind && a.content == b.content && a.mode == b.mode && a.inode == b.inode;
}

std::string Describe(const PathSnapshot& s) {
  return s.kind + " \"" + Printable(s.content) + "\" mode " + std::to_string(s.mode) + " inode " +
         std::to_string(s.inode);
}

::testing::AssertionResult Differs(size_t i, const PathSnapshot& before, const PathSnapshot& after) {
  return ::testing::AssertionFailure() << (i == 0 ? "IFACE_FILE" : "watched path #" + std::to_string(i))
                                       << " changed from " << Describe(before) << " to " << Describe(after);
}

}  // namespace

::testing::AssertionResult IfacePlace::ready() const {
  return ns ? ns->ready() : ::testing::AssertionSuccess();
}

std::string IfacePlace::Look(const std::string& p) const { return ns ? ns->View(p) : p; }

void IfacePlace::Apply(LaunchSpec* spec) const {
  if (ns) spec->mount_namespace = ns->ns_path();
  spec->file_size_limit = file_size_limit;
  spec->dropped_capabilities = dropped_capabilities;
}

std::vector<PathSnapshot> SnapshotPlace(const IfacePlace& place) {
  std::vector<PathSnapshot> snapshots = {Snapshot(place.Look(place.path))};
  for (const std::string& p : place.watched) snapshots.push_back(Snapshot(place.Look(p)));
  return snapshots;
}

::testing::AssertionResult Unchanged(const std::vector<PathSnapshot>& before, const std::vector<PathSnapshot>& after) {
  for (size_t i = 0; i < before.size(); ++i) {
    if (!Same(before[i], after[i])) return Differs(i, before[i], after[i]);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult AsItWasOrEmpty(const std::vector<PathSnapshot>& before,
                                          const std::vector<PathSnapshot>& after) {
  const PathSnapshot& was = before[0];
  const PathSnapshot& is = after[0];
  // Emptied in place (an existing file keeps its inode), or created and left empty.
  const bool emptied = is.kind == "regular" && is.content.empty() &&
                       (was.kind == "absent" || (was.kind == "regular" && was.inode == is.inode));
  if (!Same(was, is) && !emptied) return Differs(0, was, is);
  for (size_t i = 1; i < before.size(); ++i) {
    if (!Same(before[i], after[i])) return Differs(i, before[i], after[i]);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult NothingWrittenToFifo(const IfacePlace& place) {
  if (!place.fifo_reader) return ::testing::AssertionSuccess();
  char buffer[64];
  const ssize_t n = read(place.fifo_reader.get(), buffer, sizeof buffer);
  // 0: no writer and no data; EAGAIN: a writer still holds it open but wrote nothing.
  if (n == 0 || (n < 0 && errno == EAGAIN)) return ::testing::AssertionSuccess();
  if (n < 0) return ::testing::AssertionFailure() << "read from the FIFO: " << strerror(errno);
  return ::testing::AssertionFailure() << "the FIFO received \"" << Printable(std::string(buffer, n)) << "\"";
}

}  // namespace phantun_test
