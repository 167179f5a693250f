#ifndef PHANTUN_RUNTIME_DOCTOR_FINDING_H_
#define PHANTUN_RUNTIME_DOCTOR_FINDING_H_

#include <string>
#include <string_view>
#include <vector>

namespace phantun_runtime::doctor {

// pass: as phantun needs it; warn: works, but risky or not least-privilege; fail: phantun will not
// work (or traffic will not pass) until the admin fixes it; skip: could not be checked here (the
// finding says why); info: a fact worth knowing, never a problem. (Not "Status": that is the
// project's error type, runtime/status.h.)
enum class Verdict { kPass, kWarn, kFail, kSkip, kInfo };

std::string_view VerdictName(Verdict verdict);  // "pass", "warn", ... (the report's "status")

// One check's result. `finding` is one line and names the value that was seen; `fix` is the exact
// command(s) the admin runs, for anything that is not a pass or info.
struct Finding {
  std::string id;
  Verdict verdict;
  std::string finding;
  std::string fix;
};

// The findings of one run, in the order the checks ran.
class Report {
 public:
  void Add(std::string id, Verdict verdict, std::string finding, std::string fix = "");
  const std::vector<Finding>& findings() const { return findings_; }
  bool HasFailure() const;
  int Count(Verdict verdict) const;

 private:
  std::vector<Finding> findings_;
};

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_FINDING_H_
