#ifndef PHANTUN_RUNTIME_SELF_EXE_H_
#define PHANTUN_RUNTIME_SELF_EXE_H_

#include <stddef.h>

#include <string>

#include "runtime/status.h"

namespace phantun_runtime {

// The canonical path of the running executable, read from /proc/self/exe (the kernel resolves
// every symbolic link, so an applet link leads to the real phantun-runtime file).
StatusOr<std::string> OwnExecutablePath();

// Writes "<directory of the running executable>/<name>" into `out` (NUL-terminated) without
// touching the heap (only a failure builds a message): this is on phantun-run's launch path.
Status PathBesideOwnExecutable(const char* name, char* out, size_t size);

// Everything before the last '/' of `path` ("/" for a file in the root directory).
std::string DirectoryOf(const std::string& path);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_SELF_EXE_H_
