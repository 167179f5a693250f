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
// touching the heap (only a failure builds a message): this is on phantun-run's launch path. The
// directory is the one that holds the executable file, after every symbolic link: the path the
// process was started from followed through its links when that path is certainly its own, else
// /proc/self/exe.
Status PathBesideOwnExecutable(const char* name, char* out, size_t size);

// Follows the absolute `path` through symbolic links, a relative target taken from the link's own
// directory, until it names something that is not a link, and writes that path into `out`. False
// for a relative `path`, a missing file, a loop (more links than the kernel follows) or a path
// longer than `size`.
bool FollowLinks(const char* path, char* out, size_t size);

// Everything before the last '/' of `path` ("/" for a file in the root directory).
std::string DirectoryOf(const std::string& path);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_SELF_EXE_H_
