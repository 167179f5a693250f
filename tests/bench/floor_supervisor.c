/* floor_supervisor: the least a correct launcher does, as the floor of the benchmarks.
 *
 *   floor_supervisor PROGRAM [ARGS...]
 *
 * Blocks every signal, starts PROGRAM with posix_spawn (no PATH search) under the signal mask it
 * was given, forwards every signal it receives to it (so it also works as PID 1 of a PID
 * namespace), waits for it with waitpid and exits with its status, 128+N when signal N killed it.
 * Nothing else: no subreaper, no reaping of orphans, no process group, no terminal hand-over, no
 * parent-death signal, no messages beyond a failed start. Whatever phantun-run costs beyond this
 * program is the price of those features (and of its C++ runtime). */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int fail(const char *what, const char *why) {
  const char *parts[] = {"floor_supervisor: ", what, ": ", why, "\n"};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; ++i) {
    if (write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0) break;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fail("usage", "floor_supervisor PROGRAM [ARGS...]");
    return 64;
  }
  sigset_t all, original;
  sigfillset(&all);
  if (sigprocmask(SIG_SETMASK, &all, &original) != 0) {
    fail("sigprocmask", strerror(errno));
    return 71;
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigmask(&attr, &original);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t child;
  const int error = posix_spawn(&child, argv[1], NULL, &attr, argv + 1, environ);
  if (error != 0) {
    fail(argv[1], strerror(error));
    return error == ENOENT ? 127 : 126;
  }
  for (;;) {
    siginfo_t info;
    const int signo = sigwaitinfo(&all, &info);
    if (signo < 0) continue; /* EINTR */
    if (signo != SIGCHLD) {
      kill(child, signo);
      continue;
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid == child) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
  }
}
