#ifndef PHANTUN_RUNTIME_DOCTOR_RENDER_H_
#define PHANTUN_RUNTIME_DOCTOR_RENDER_H_

#include <string>

#include "runtime/doctor/context.h"
#include "runtime/doctor/finding.h"

namespace phantun_runtime::doctor {

// The JSON report's schema identifier; bump the number on any incompatible change.
inline constexpr char kJsonSchema[] = "phantun-doctor/1";

// The human report: a header naming what was checked, one line a check (plus its fix), a summary.
// `quiet` keeps only failures; `colour` adds ANSI colours to the status words.
std::string RenderText(const Context& context, const Report& report, bool quiet, bool colour);

// The machine report (documented in docs/doctor-json.md). `quiet` keeps only failures.
std::string RenderJson(const Context& context, const Report& report, bool quiet);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_RENDER_H_
