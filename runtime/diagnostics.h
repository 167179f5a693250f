#ifndef PHANTUN_RUNTIME_DIAGNOSTICS_H_
#define PHANTUN_RUNTIME_DIAGNOSTICS_H_

#include <string_view>

namespace phantun_runtime {

// Writes "<prefix>: <message>\n" to stderr with a single write(2), so that lines from the runtime
// and from phantun never interleave mid-line. No stdio: the launch path stays free of buffering
// and locale machinery.
void PrintError(std::string_view prefix, std::string_view message);

// Writes text to the given descriptor as is (used for --help, --list, --version).
void PrintText(int fd, std::string_view text);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_DIAGNOSTICS_H_
