#ifndef PHANTUN_TESTS_SUPPORT_MOUNT_NAMESPACE_H_
#define PHANTUN_TESTS_SUPPORT_MOUNT_NAMESPACE_H_

#include <sys/types.h>

#include <functional>
#include <string>

#include "gtest/gtest.h"
#include "tests/support/unique_fd.h"

namespace phantun_test {

// A mount namespace of its own, for tests that need a read-only or a full file system: mounts made
// in it never reach the host's (it is made private from its root down before anything is mounted).
// A child process that does nothing else holds it open, so that
//   - the runtime can be started inside it (LaunchSpec::mount_namespace = ns_path()), and
//   - the test reads what is there afterwards through View(), even once the runtime has exited.
// Needs root (CAP_SYS_ADMIN).
class MountNamespace {
 public:
  // Runs in the holder, inside the new namespace, before it reports ready: mounts and the files on
  // them. Returns "" on success, else what failed (it becomes the test's failure message).
  using SetUp = std::function<std::string()>;

  explicit MountNamespace(const SetUp& set_up);
  // Ends the holder; the namespace and its mounts go with it once no process is left inside.
  ~MountNamespace();
  MountNamespace(const MountNamespace&) = delete;
  MountNamespace& operator=(const MountNamespace&) = delete;

  // Whether the namespace was made and set up; the failure says what went wrong.
  ::testing::AssertionResult ready() const;

  // For LaunchSpec::mount_namespace.
  std::string ns_path() const;

  // `path` as seen from inside the namespace, for the test's own file calls: through
  // /proc/<holder>/root, where path lookups follow the namespace's mounts.
  std::string View(const std::string& path) const;

 private:
  pid_t holder_ = -1;
  UniqueFd hold_;  // the holder exits at end of file on this pipe
  std::string error_;
};

// Set-up steps for MountNamespace. Each returns "" or what failed, with strerror.

// A tmpfs on `dir` with mount `options` ("size=4k").
std::string MountTmpfs(const std::string& dir, const std::string& options);

// `dir` bound onto itself, read-only: everything below it is then on a read-only mount.
std::string BindReadOnly(const std::string& dir);

// Creates or replaces `path` with `content`.
std::string PutFile(const std::string& path, const std::string& content);

// Appends to `path` (created if needed) until the file system reports ENOSPC: nothing more fits.
std::string FillUp(const std::string& path);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_MOUNT_NAMESPACE_H_
