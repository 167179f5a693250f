#include "cmd/applets.h"

#include <limits.h>
#include <unistd.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "runtime/diagnostics.h"
#include "runtime/exit_codes.h"
#include "runtime/handoff/handoff_config.h"
#include "runtime/handoff/iface_file.h"
#include "runtime/run/exit_status.h"
#include "runtime/run/launch_environment.h"
#include "runtime/run/mode.h"
#include "runtime/run/resident_memory.h"
#include "runtime/run/signal_mask.h"
#include "runtime/run/spawn.h"
#include "runtime/run/supervisor.h"
#include "runtime/run/terminal.h"
#include "runtime/self_exe.h"
#include "runtime/status.h"

extern char** environ;

namespace phantun_runtime {
namespace {

constexpr char kPrefix[] = "phantun-run";

// Messages are built only on the way out: the successful launch path touches no heap.
int Fail(int status, std::string_view message) {
  PrintError(kPrefix, message);
  return status;
}

// The exit status for a failed start of phantun: the shell's 127 and 126 for a program that is not
// there or cannot run, EX_OSERR when the system was short of something.
int ExitStatusForStart(const Status& failure) {
  switch (failure.code()) {
    case Status::Code::kNotFound:
      return kExitNotFound;
    case Status::Code::kFailedPrecondition:
      return kExitCannotExecute;
    default:
      return kExitOsError;
  }
}

std::string ModeProblem(const char* mode) {
  return absl::StrCat(mode == nullptr ? "MODE is not set" : absl::StrCat("MODE='", absl::CHexEscape(mode), "' is not valid"),
                      ": expected MODE=client or MODE=server (case-sensitive); phantun not started");
}

}  // namespace

int RunMain(int argc, char** argv) {
  // First of all, so that no signal sent during start-up is lost: from here on every signal waits
  // in the signalfd until phantun runs, then goes to it.
  SpawnRequest request{};
  if (const Status blocked = BlockAllSignals(&request.mask); !blocked.ok()) {
    return Fail(kExitOsError, blocked.message());
  }

  // Every check comes before anything is written or started.
  const LaunchEnvironment env = ReadLaunchEnvironment(environ);
  const char* program = ProgramForMode(env.mode);
  if (program == nullptr) return Fail(kExitUsage, ModeProblem(env.mode));
  const StatusOr<HandoffConfig> handoff = ReadHandoffConfig(env.iface_name, env.iface_file);
  if (!handoff.ok()) return Fail(kExitConfig, absl::StrCat(handoff.status().message(), "; phantun not started"));

  char path[PATH_MAX];
  if (const Status located = PathBesideOwnExecutable(program, path, sizeof path); !located.ok()) {
    return Fail(kExitNotFound, absl::StrCat("cannot locate phantun: ", located.message()));
  }

  // A PID 1 reaps orphans by nature; anywhere else the runtime asks the kernel for them. Without it
  // (a seccomp profile may refuse the prctl) phantun still runs, and its orphans go to the host's
  // init instead of the runtime: worth one line, not a refusal to start.
  const bool is_pid1 = getpid() == 1;
  if (!is_pid1) {
    if (const Status reaper = BecomeChildSubreaper(); !reaper.ok()) {
      PrintError(kPrefix, absl::StrCat("warning: ", reaper.message(),
                                       "; phantun's orphaned processes will be reaped by the host's init"));
    }
  }
  request.sigchld_was_ignored = TakeBackSigchld();
  request.take_terminal = InTerminalForeground();

  const StatusOr<int> signal_fd = OpenSignalFdForAllSignals();
  if (!signal_fd.ok()) return Fail(kExitOsError, signal_fd.status().message());

  InterfaceFile iface_file;
  if (handoff->enabled) {
    if (const Status written = iface_file.Write(handoff->path, handoff->name); !written.ok()) {
      return Fail(kExitCantCreate, absl::StrCat(written.message(), "; phantun not started"));
    }
  }

  // phantun's argv is the runtime's own, argv[0] aside: every argument reaches it exactly as the
  // runtime received it, in order, without a copy (argv[argc] is already the terminating null).
  argv[0] = const_cast<char*>(program);
  request.path = path;
  request.argv = argv;
  request.envp = environ;
  const StatusOr<pid_t> phantun = Spawn(request);
  int status;
  if (!phantun.ok()) {
    status = Fail(ExitStatusForStart(phantun.status()), phantun.status().message());
  } else {
    // Job control is the shell's when the runtime runs in its foreground; a PID 1 cannot stop.
    const bool job_control = request.take_terminal && !is_pid1;
    // Once phantun has run for a while, what start-up needed resident is given back for the rest
    // of phantun's life; a phantun that ends at once is not slowed down by it.
    status = ExitCodeFromWaitStatus(SuperviseUntilExit(*signal_fd, *phantun, job_control, ShedStartupMemory));
    // phantun's group had the terminal: the runtime's group, which the caller gave it, gets it back.
    if (request.take_terminal) PassForeground(*phantun, getpgrp());
  }

  // However phantun ended, the name it published is withdrawn before the runtime exits.
  if (const Status cleared = iface_file.Clear(); !cleared.ok()) {
    PrintError(kPrefix, cleared.message());
    if (status == 0) status = kExitIoError;
  }
  return status;
}

}  // namespace phantun_runtime
