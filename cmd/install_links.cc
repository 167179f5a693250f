#include "cmd/install_links.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "runtime/diagnostics.h"
#include "runtime/exit_codes.h"
#include "runtime/self_exe.h"

namespace phantun_runtime {
namespace {

constexpr char kPrefix[] = "phantun-runtime --install";

bool LinkAlreadyPoints(const std::string& link, const std::string& target) {
  char buffer[PATH_MAX];
  const ssize_t n = readlink(link.c_str(), buffer, sizeof buffer);
  return n >= 0 && std::string(buffer, static_cast<size_t>(n)) == target;
}

// Creates or replaces `link` -> `target`; false after printing why not.
bool PlaceLink(const std::string& link, const std::string& target) {
  struct stat st;
  if (lstat(link.c_str(), &st) == 0) {
    if (!S_ISLNK(st.st_mode)) {
      PrintError(kPrefix, absl::StrCat(absl::CHexEscape(link), ": exists and is not a symbolic link; left as it is"));
      return false;
    }
    if (LinkAlreadyPoints(link, target)) return true;
  }
  // Build the new link beside the old one and rename it over, so the applet never disappears.
  const std::string temporary = absl::StrCat(link, ".tmp-", getpid());
  if (symlink(target.c_str(), temporary.c_str()) != 0) {
    PrintError(kPrefix, absl::StrCat(absl::CHexEscape(link), ": cannot create link: ", strerror(errno)));
    return false;
  }
  if (rename(temporary.c_str(), link.c_str()) != 0) {
    const int err = errno;
    unlink(temporary.c_str());
    PrintError(kPrefix, absl::StrCat(absl::CHexEscape(link), ": cannot create link: ", strerror(err)));
    return false;
  }
  return true;
}

}  // namespace

int InstallAppletLinks(absl::Span<const Applet> applets, const char* dir) {
  const StatusOr<std::string> own = OwnExecutablePath();
  if (!own.ok()) {
    PrintError(kPrefix, own.status().message());
    return kExitCantCreate;
  }
  const std::string& executable = *own;
  char resolved_dir[PATH_MAX];
  if (realpath(dir, resolved_dir) == nullptr) {
    PrintError(kPrefix, absl::StrCat(absl::CHexEscape(dir), ": ", strerror(errno)));
    return kExitCantCreate;
  }
  const std::string executable_dir = DirectoryOf(executable);
  const std::string target = executable_dir == resolved_dir
                                 ? executable.substr(executable_dir.size() + (executable_dir == "/" ? 0 : 1))
                                 : executable;
  bool ok = true;
  for (const Applet& applet : applets) {
    ok = PlaceLink(absl::StrCat(resolved_dir, "/", applet.name), target) && ok;
  }
  return ok ? 0 : kExitCantCreate;
}

}  // namespace phantun_runtime
