#ifndef PHANTUN_TESTS_INTEGRATION_IFACE_REFUSAL_H_
#define PHANTUN_TESTS_INTEGRATION_IFACE_REFUSAL_H_

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/runtime_run.h"

namespace phantun_test {

// Waits for `run` to end and checks the shape of every handoff refusal: exit `status`, nothing on
// stdout, and exactly one stderr line that starts with `prefix` ("phantun-run: ") and contains each
// of `mentions` (the variable or path, and the rule or reason).
::testing::AssertionResult EndsRefused(RuntimeRun& run, int status, const std::string& prefix,
                                       const std::vector<std::string>& mentions);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_INTEGRATION_IFACE_REFUSAL_H_
