#ifndef PHANTUN_RUNTIME_RUN_MODE_H_
#define PHANTUN_RUNTIME_RUN_MODE_H_

#include <optional>
#include <string_view>

namespace phantun_runtime {

// The single control variable of phantun-run: MODE=client runs phantun_client, MODE=server runs
// phantun_server. Exact, case-sensitive match; unset (nullptr), empty or anything else is nullopt.
std::optional<std::string_view> ProgramForMode(const char* mode);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_MODE_H_
