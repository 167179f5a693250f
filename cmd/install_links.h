#ifndef PHANTUN_CMD_INSTALL_LINKS_H_
#define PHANTUN_CMD_INSTALL_LINKS_H_

#include "absl/types/span.h"
#include "cmd/applet.h"

namespace phantun_runtime {

// `phantun-runtime --install DIR`: makes DIR/<applet> a symbolic link to this executable for every
// applet (a relative link when the executable is in DIR itself, so the folder can be moved).
// An existing link is replaced atomically; an existing file that is not a link is never touched.
// Returns 0, or kExitCantCreate after one stderr line per failure.
int InstallAppletLinks(absl::Span<const Applet> applets, const char* dir);

}  // namespace phantun_runtime

#endif  // PHANTUN_CMD_INSTALL_LINKS_H_
