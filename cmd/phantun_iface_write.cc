#include "cmd/applets.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include "runtime/diagnostics.h"
#include "runtime/exit_codes.h"
#include "runtime/handoff/handoff_config.h"
#include "runtime/handoff/iface_file.h"
#include "runtime/status.h"

namespace phantun_runtime {
namespace {

constexpr char kPrefix[] = "phantun-iface-write";

constexpr char kHelp[] =
    "Usage: phantun-iface-write          write IFACE_NAME into IFACE_FILE\n"
    "       phantun-iface-write --clear  truncate IFACE_FILE to empty\n"
    "\n"
    "The interface-name handoff of phantun-run, on its own: for hosts without a container and for\n"
    "init systems (systemd ExecStartPre=/ExecStopPost=, OpenWrt procd, Kubernetes init containers).\n"
    "\n"
    "Environment:\n"
    "  IFACE_NAME  the TUN interface name to publish: 1-15 bytes, no '/', ':', white space or NUL,\n"
    "              not \".\" or \"..\" (not needed with --clear)\n"
    "  IFACE_FILE  the file to write: a regular file, written in place (it may be a bind mount),\n"
    "              or a path where one is created with mode 0644; never a directory, FIFO, socket,\n"
    "              device or symbolic link\n"
    "\n"
    "The file holds exactly the name's bytes, no newline; empty means phantun is not running. A\n"
    "failed write leaves the file as it was or empty, never a partial name.\n"
    "\n"
    "Exit status:\n"
    "  0   written (or cleared; a missing file counts as clear and is not created)\n"
    "  64  unknown argument\n"
    "  73  IFACE_FILE could not be written\n"
    "  74  IFACE_FILE could not be cleared\n"
    "  78  IFACE_NAME/IFACE_FILE missing, one without the other, or IFACE_NAME invalid\n";

int Fail(int status, const Status& error) {
  PrintError(kPrefix, error.message());
  return status;
}

}  // namespace

int IfaceWriteMain(int argc, char** argv) {
  // A file-size limit must turn into an error message, not a killed process.
  signal(SIGXFSZ, SIG_IGN);
  const std::string_view argument = argc > 1 ? argv[1] : "";
  if (argc > 2 || (argc == 2 && argument != "--clear" && argument != "--help")) {
    return Fail(kExitUsage, Status(Status::Code::kInvalidArgument, "expected no argument, --clear or --help"));
  }
  if (argument == "--help") {
    PrintText(STDOUT_FILENO, kHelp);
    return 0;
  }
  if (argument == "--clear") {
    const StatusOr<std::string> path = ReadClearPath(getenv("IFACE_FILE"));
    if (!path.ok()) return Fail(kExitConfig, path.status());
    const Status cleared = ClearInterfaceFileAt(*path);
    return cleared.ok() ? 0 : Fail(kExitIoError, cleared);
  }
  const StatusOr<HandoffConfig> config = ReadHandoffConfig(getenv("IFACE_NAME"), getenv("IFACE_FILE"));
  if (!config.ok()) return Fail(kExitConfig, config.status());
  if (!config->enabled) {
    return Fail(kExitConfig, Status(Status::Code::kInvalidArgument,
                                    "IFACE_NAME and IFACE_FILE are not set: nothing to write"));
  }
  InterfaceFile file;
  const Status written = file.Write(config->path, config->name);
  return written.ok() ? 0 : Fail(kExitCantCreate, written);
}

}  // namespace phantun_runtime
