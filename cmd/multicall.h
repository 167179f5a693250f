#ifndef PHANTUN_CMD_MULTICALL_H_
#define PHANTUN_CMD_MULTICALL_H_

#include <string_view>

#include "absl/types/span.h"
#include "cmd/applet.h"

namespace phantun_runtime {

// The name the binary answers to when it is not called through an applet link.
inline constexpr std::string_view kMulticallName = "phantun-runtime";

// The last path component of argv[0] ("" for a null argv[0]).
std::string_view InvokedName(const char* argv0);

// The applet called `name`, or nullptr.
const Applet* FindApplet(absl::Span<const Applet> applets, std::string_view name);

// Runs the applet named by argv[0]'s basename, or, when called as phantun-runtime, handles
// --help, --version, --list, --install DIR or `APPLET ARGS...`. Returns the exit status.
int MulticallMain(absl::Span<const Applet> applets, int argc, char** argv);

}  // namespace phantun_runtime

#endif  // PHANTUN_CMD_MULTICALL_H_
