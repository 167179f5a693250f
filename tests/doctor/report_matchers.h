#ifndef PHANTUN_RUNTIME_TESTS_DOCTOR_REPORT_MATCHERS_H_
#define PHANTUN_RUNTIME_TESTS_DOCTOR_REPORT_MATCHERS_H_

#include <string>

#include "gtest/gtest.h"
#include "runtime/doctor/finding.h"

namespace phantun_runtime::doctor {

// The one finding with `id`; fails the test when there is not exactly one.
inline Finding Only(const Report& report, const std::string& id) {
  const Finding* found = nullptr;
  int count = 0;
  for (const Finding& finding : report.findings()) {
    if (finding.id == id) {
      found = &finding;
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << "findings with id " << id;
  return found != nullptr ? *found : Finding{id, Verdict::kInfo, "<missing>", ""};
}

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_TESTS_DOCTOR_REPORT_MATCHERS_H_
