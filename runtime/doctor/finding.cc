#include "runtime/doctor/finding.h"

#include <utility>

namespace phantun_runtime::doctor {

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass: return "pass";
    case Verdict::kWarn: return "warn";
    case Verdict::kFail: return "fail";
    case Verdict::kSkip: return "skip";
    case Verdict::kInfo: return "info";
  }
  return "?";
}

void Report::Add(std::string id, Verdict verdict, std::string finding, std::string fix) {
  findings_.push_back(Finding{std::move(id), verdict, std::move(finding), std::move(fix)});
}

bool Report::HasFailure() const { return Count(Verdict::kFail) > 0; }

int Report::Count(Verdict verdict) const {
  int count = 0;
  for (const Finding& f : findings_) count += f.verdict == verdict ? 1 : 0;
  return count;
}

}  // namespace phantun_runtime::doctor
