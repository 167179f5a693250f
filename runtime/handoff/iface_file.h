#ifndef PHANTUN_RUNTIME_HANDOFF_IFACE_FILE_H_
#define PHANTUN_RUNTIME_HANDOFF_IFACE_FILE_H_

#include <string>
#include <string_view>

#include "runtime/status.h"

namespace phantun_runtime {

// The IFACE_FILE of one run. It is usually a single file bind-mounted from the host, so it is
// written in place (a rename over a mount point fails, and would not reach the host anyway). Only
// a regular file, or a path where nothing exists yet (then created with mode 0644), is accepted;
// directories, FIFOs, sockets, devices and symbolic links are refused without being opened for I/O,
// followed or blocked on.
class InterfaceFile {
 public:
  InterfaceFile() = default;
  InterfaceFile(const InterfaceFile&) = delete;
  InterfaceFile& operator=(const InterfaceFile&) = delete;
  ~InterfaceFile();

  // Replaces the content of `path` with exactly `name` (no newline). On failure the status names
  // the path and the reason; the file is then as it was, or empty, never partial.
  Status Write(const std::string& path, std::string_view name);

  // Truncates the file Write() wrote, through the descriptor kept since, so a file that replaced it
  // at the same path in the meantime is not touched. OK when there is nothing to clear.
  Status Clear();

 private:
  int fd_ = -1;
  std::string path_;
};

// phantun-iface-write --clear: truncates the regular file at `path`. A path where nothing exists is
// already clear and stays absent.
Status ClearInterfaceFileAt(const std::string& path);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_HANDOFF_IFACE_FILE_H_
