#ifndef PHANTUN_TESTS_SUPPORT_FATAL_H_
#define PHANTUN_TESTS_SUPPORT_FATAL_H_

#include <string>

namespace phantun_test {

// For failures of the test machinery itself (a pipe, a temp dir, a copy): no test result would
// mean anything after them. Prints "test support: <what>: <strerror(errno)>" and aborts.
[[noreturn]] void FatalSystemError(const std::string& what);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_FATAL_H_
