#include "tests/support/runfiles.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/support/fatal.h"

namespace phantun_test {

std::string RunfilePath(const std::string& workspace_relative) {
  const char* root = getenv("TEST_SRCDIR");
  if (root == nullptr) {
    errno = ENOENT;
    FatalSystemError("TEST_SRCDIR is not set (run the test with bazel test)");
  }
  const std::string path = std::string(root) + "/phantun_runtime/" + workspace_relative;
  if (access(path.c_str(), X_OK) != 0) FatalSystemError("runfile " + path);
  return path;
}

std::string RuntimeBinary() { return RunfilePath("cmd/phantun-runtime"); }

std::string FakePhantunBinary() { return RunfilePath("tests/support/fake_phantun"); }

}  // namespace phantun_test
