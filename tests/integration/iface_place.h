#ifndef PHANTUN_TESTS_INTEGRATION_IFACE_PLACE_H_
#define PHANTUN_TESTS_INTEGRATION_IFACE_PLACE_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/launcher.h"
#include "tests/support/mount_namespace.h"
#include "tests/support/temp_dir.h"
#include "tests/support/unique_fd.h"

namespace phantun_test {

// The interface name the handoff tests publish: valid, and longer than the file-size limit some
// cases set, so that a write cut short would leave a visible partial name.
inline constexpr char kIfaceName[] = "tun-handoff0";

// Where IFACE_FILE points in one test, with what the test prepared there: a fresh temporary
// directory, the path, and for some cases a private mount namespace, a FIFO reader, limits or
// dropped capabilities for the process under test.
class IfacePlace {
 public:
  IfacePlace() = default;
  IfacePlace(const IfacePlace&) = delete;
  IfacePlace& operator=(const IfacePlace&) = delete;

  const TempDir& dir() const { return dir_; }

  // False when the mount namespace could not be made.
  ::testing::AssertionResult ready() const;

  // `path` as the test reads it: through the mount namespace when there is one.
  std::string Look(const std::string& path) const;

  // Starts `spec` inside the namespace, with the limits and capabilities of this place.
  void Apply(LaunchSpec* spec) const;

  std::string path;                   // IFACE_FILE, as the process under test sees it
  std::vector<std::string> watched;   // further paths that must stay exactly as they are
  std::unique_ptr<MountNamespace> ns;
  UniqueFd fifo_reader;               // a reader on a FIFO at `path`, to see whether anything was written
  std::optional<rlim_t> file_size_limit;
  std::vector<int> dropped_capabilities;

 private:
  TempDir dir_;  // first member destroyed last: the namespace ends before its directory goes
};

// What is at a path: enough to tell whether anything about it changed.
struct PathSnapshot {
  std::string kind;     // KindAt()
  std::string content;  // a regular file's bytes, a symbolic link's target, a directory's names
  int mode = -1;
  ino_t inode = 0;
};

// Snapshots of place.path and every watched path, read through place.Look().
std::vector<PathSnapshot> SnapshotPlace(const IfacePlace& place);

// Every path exactly as before.
::testing::AssertionResult Unchanged(const std::vector<PathSnapshot>& before, const std::vector<PathSnapshot>& after);

// Every watched path exactly as before; IFACE_FILE as before, or an empty regular file (the
// handoff's rule for a failed write: as it was or empty, never a partial name).
::testing::AssertionResult AsItWasOrEmpty(const std::vector<PathSnapshot>& before,
                                          const std::vector<PathSnapshot>& after);

// Nothing was written into the FIFO at place.path (true when there is no reader).
::testing::AssertionResult NothingWrittenToFifo(const IfacePlace& place);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_INTEGRATION_IFACE_PLACE_H_
