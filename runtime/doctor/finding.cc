#include "runtime/doctor/finding.h"

#include <utility>

namespace phantun_runtime::doctor {

std::string_view StatusName(Status status) {
  switch (status) {
    case Status::kPass: return "pass";
    case Status::kWarn: return "warn";
    case Status::kFail: return "fail";
    case Status::kSkip: return "skip";
    case Status::kInfo: return "info";
  }
  return "?";
}

void Report::Add(std::string id, Status status, std::string finding, std::string fix) {
  findings_.push_back(Finding{std::move(id), status, std::move(finding), std::move(fix)});
}

bool Report::HasFailure() const { return Count(Status::kFail) > 0; }

int Report::Count(Status status) const {
  int count = 0;
  for (const Finding& f : findings_) count += f.status == status ? 1 : 0;
  return count;
}

}  // namespace phantun_runtime::doctor
