#ifndef PHANTUN_TESTS_SUPPORT_EXPECTATIONS_H_
#define PHANTUN_TESTS_SUPPORT_EXPECTATIONS_H_

#include <string>

#include "gtest/gtest.h"

namespace phantun_test {

// Passes when `text` is exactly one line, ended by '\n', that starts with `prefix`: the shape of
// every message of the runtime ("phantun-run: ...", "phantun-runtime: ..."). The failure message
// shows the text with its newlines escaped.
::testing::AssertionResult IsOneLineStartingWith(const std::string& text, const std::string& prefix);

// `text` with newlines and other control bytes escaped, for failure messages.
std::string Printable(const std::string& text);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_EXPECTATIONS_H_
