#include "runtime/run/terminal.h"

#include <signal.h>
#include <unistd.h>

namespace phantun_runtime {

bool InTerminalForeground() { return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp(); }

void PassForeground(pid_t from, pid_t to) {
  if (tcgetpgrp(STDIN_FILENO) == from) tcsetpgrp(STDIN_FILENO, to);
}

void StopWithChild(pid_t child) {
  const pid_t own_group = getpgrp();
  PassForeground(child, own_group);
  // SIGSTOP, because every other stop signal is blocked and would only queue in the signalfd. The
  // kernel stops the runtime before kill() returns, and kill() returns once it is continued.
  kill(getpid(), SIGSTOP);
  PassForeground(own_group, child);
  kill(-child, SIGCONT);
}

}  // namespace phantun_runtime
