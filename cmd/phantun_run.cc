#include "cmd/applets.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "runtime/diagnostics.h"
#include "runtime/exit_codes.h"
#include "runtime/handoff/handoff_config.h"
#include "runtime/handoff/iface_file.h"
#include "runtime/run/exec_failure.h"
#include "runtime/run/exit_status.h"
#include "runtime/run/launch_environment.h"
#include "runtime/run/mode.h"
#include "runtime/run/signal_mask.h"
#include "runtime/run/spawn.h"
#include "runtime/run/supervisor.h"
#include "runtime/run/terminal.h"
#include "runtime/self_exe.h"

extern char** environ;

namespace phantun_runtime {
namespace {

constexpr char kPrefix[] = "phantun-run";

// Messages are built only on the way out: the successful launch path touches no heap.
int Fail(int status, std::string_view message) {
  PrintError(kPrefix, message);
  return status;
}

std::string ModeProblem(const char* mode) {
  return absl::StrCat(mode == nullptr ? "MODE is not set" : absl::StrCat("MODE='", absl::CHexEscape(mode), "' is not valid"),
                      ": expected MODE=client or MODE=server (case-sensitive); phantun not started");
}

// With SIGCHLD ignored the kernel would reap phantun itself and its status would be lost, so the
// runtime takes the default back for itself and hands SIG_IGN on to phantun. Returns whether it was
// ignored.
bool TakeBackSigchld() {
  struct sigaction previous;
  if (sigaction(SIGCHLD, nullptr, &previous) != 0 || previous.sa_handler != SIG_IGN) return false;
  signal(SIGCHLD, SIG_DFL);
  return true;
}

bool OwnsTerminalForeground() {
  return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
}

}  // namespace

int RunMain(int argc, char** argv) {
  // First of all, so that no signal sent during start-up is lost: from here on every signal waits
  // in the signalfd until phantun runs, then goes to it.
  SpawnRequest request{};
  if (!BlockAllSignals(&request.mask)) {
    return Fail(kExitOsError, absl::StrCat("cannot block signals: ", strerror(errno)));
  }

  // Every check comes before anything is written or started.
  const LaunchEnvironment env = ReadLaunchEnvironment(environ);
  const char* program = ProgramForMode(env.mode);
  if (program == nullptr) return Fail(kExitUsage, ModeProblem(env.mode));
  const HandoffConfig handoff = ReadHandoffConfig(env.iface_name, env.iface_file);
  if (!handoff.error.empty()) return Fail(kExitConfig, absl::StrCat(handoff.error, "; phantun not started"));

  char path[PATH_MAX];
  if (!PathBesideOwnExecutable(program, path, sizeof path)) {
    return Fail(kExitNotFound, absl::StrCat("cannot locate phantun: reading /proc/self/exe failed: ", strerror(errno)));
  }

  // A PID 1 reaps orphans by nature; anywhere else the runtime asks the kernel for them. Without it
  // (a seccomp profile may refuse the prctl) phantun still runs, and its orphans go to the host's
  // init instead of the runtime: worth one line, not a refusal to start.
  const bool is_pid1 = getpid() == 1;
  if (!is_pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    PrintError(kPrefix, absl::StrCat("warning: cannot become a child subreaper (", strerror(errno),
                                     "); phantun's orphaned processes will be reaped by the host's init"));
  }
  request.sigchld_was_ignored = TakeBackSigchld();
  request.take_terminal = OwnsTerminalForeground();

  const int signal_fd = OpenSignalFdForAllSignals();
  if (signal_fd < 0) return Fail(kExitOsError, absl::StrCat("cannot create a signalfd: ", strerror(errno)));

  InterfaceFile iface_file;
  std::string error;
  if (handoff.enabled && !iface_file.Write(handoff.path, handoff.name, &error)) {
    return Fail(kExitCantCreate, absl::StrCat(error, "; phantun not started"));
  }

  // phantun's argv is the runtime's own, argv[0] aside: every argument reaches it exactly as the
  // runtime received it, in order, without a copy (argv[argc] is already the terminating null).
  argv[0] = const_cast<char*>(program);
  request.path = path;
  request.argv = argv;
  request.envp = environ;
  const SpawnResult spawned = Spawn(request);
  int status;
  if (spawned.fork_error != 0) {
    status = Fail(kExitOsError, absl::StrCat("cannot start ", absl::CHexEscape(path), ": ", strerror(spawned.fork_error)));
  } else if (spawned.directory_error != 0) {
    status = Fail(kExitOsError, absl::StrCat("cannot start ", absl::CHexEscape(path),
                                             " in the start directory: ", strerror(spawned.directory_error)));
  } else if (spawned.exec_error != 0) {
    const ExecFailure failure = ExplainExecFailure(path, spawned.exec_error);
    status = Fail(failure.exit_code, failure.message);
  } else {
    // Job control is the shell's when the runtime runs in its foreground; a PID 1 cannot stop.
    const bool job_control = request.take_terminal && !is_pid1;
    status = ExitCodeFromWaitStatus(SuperviseUntilExit(signal_fd, spawned.pid, job_control));
    // phantun's group had the terminal: the runtime's group, which the caller gave it, gets it back.
    if (request.take_terminal) PassForeground(spawned.pid, getpgrp());
  }

  // However phantun ended, the name it published is withdrawn before the runtime exits.
  if (!iface_file.Clear(&error)) {
    PrintError(kPrefix, error);
    if (status == 0) status = kExitIoError;
  }
  return status;
}

}  // namespace phantun_runtime
