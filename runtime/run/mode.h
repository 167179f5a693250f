#ifndef PHANTUN_RUNTIME_RUN_MODE_H_
#define PHANTUN_RUNTIME_RUN_MODE_H_

namespace phantun_runtime {

// The single control variable of phantun-run: MODE=client runs phantun_client, MODE=server runs
// phantun_server. Exact, case-sensitive match; unset (nullptr), empty or anything else is nullptr.
// The result is a string literal, so it can serve directly as phantun's argv[0].
const char* ProgramForMode(const char* mode);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_MODE_H_
