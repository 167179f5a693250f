#ifndef PHANTUN_TESTS_SUPPORT_RUNFILES_H_
#define PHANTUN_TESTS_SUPPORT_RUNFILES_H_

#include <string>

namespace phantun_test {

// The data files of a test, found through Bazel 4.2.3's runfiles tree:
// $TEST_SRCDIR/phantun_runtime/<package>/<name> (phantun_runtime is the WORKSPACE name).
std::string RunfilePath(const std::string& workspace_relative);

// The real static binary under test, //cmd:phantun-runtime.
std::string RuntimeBinary();

// //tests/support:fake_phantun.
std::string FakePhantunBinary();

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_RUNFILES_H_
