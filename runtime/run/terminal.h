#ifndef PHANTUN_RUNTIME_RUN_TERMINAL_H_
#define PHANTUN_RUNTIME_RUN_TERMINAL_H_

#include <sys/types.h>

namespace phantun_runtime {

// Job control on the terminal of descriptor 0, for a runtime started in the foreground of a shell:
// phantun's process group takes the foreground while it runs (so Ctrl-C and Ctrl-Z reach it), and
// the runtime's own group takes it back when phantun stops or ends, so the shell gets it again.

// Whether the runtime was started in the foreground of a terminal (descriptor 0), as from a shell.
bool InTerminalForeground();

// Makes `to` the foreground process group if `from` is it now; otherwise leaves the terminal alone
// (a shell that has already moved on keeps it). SIGTTOU must be blocked.
void PassForeground(pid_t from, pid_t to);

// phantun (process group `child`) was stopped, by Ctrl-Z or a stop signal: stops the runtime too,
// which is the job the shell waits for, so the shell gets control back. Returns once the shell (or
// anyone) continues the runtime; phantun is continued then, with the foreground if the runtime got
// it (`fg`) and without (`bg`).
void StopWithChild(pid_t child);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_TERMINAL_H_
