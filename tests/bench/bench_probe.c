/* bench_probe: precise measurements of a launcher (a "supervisor") whose child is wait_child.
 *
 *   bench_probe mem [--runs N] [--smaps FILE] [--final-read] -- SUPERVISOR_ARGV...
 *   bench_probe stop [--pidns] [--rounds N] [--timeout-ms T] -- SUPERVISOR_ARGV...
 *
 * Both start SUPERVISOR_ARGV with a pipe on its stdin and another on its stdout; the argv must end in
 * wait_child (directly or through the supervisor), which writes "ready" to stdout once it runs and
 * exits 0 at the end of stdin. After "ready" the probe waits until the supervisor process sleeps
 * (state S in /proc/PID/stat: it is in its final wait; this is a state check with a deadline, not a
 * timed pause) and then:
 *
 *   With --final-read (phantun-run), the supervisor's final wait is a read() of its signalfd,
 *   which it reaches only after some time (phantun-run first waits 100 ms in poll(), then gives
 *   back its start-up memory): the probe waits, with the same deadline, until /proc/PID/syscall
 *   shows it asleep in read.
 *
 *   mem   reads VmRSS and VmHWM (/proc/PID/status) and Rss, Pss, Anonymous and the private bytes
 *         (/proc/PID/smaps_rollup) of the supervisor process, optionally keeps /proc/PID/smaps, then
 *         closes stdin and checks that everything exits 0.
 *   stop  takes CLOCK_MONOTONIC, sends SIGTERM to the supervisor and polls its pidfd, which becomes
 *         readable when it has exited, then takes the clock again. If it has not exited after T ms
 *         (default 1000), it gets SIGKILL and the round is recorded as "did not stop". With
 *         --pidns the supervisor is started as PID 1 of a new PID namespace (clone CLONE_NEWPID),
 *         as in a container, and the signal comes from the parent namespace, as from `docker stop`.
 *
 * The result is one JSON object on stdout. Exit status 0, or 1 with a message on stderr when a
 * round could not be run at all (a start failure, no "ready", a wrong exit status in mem). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

enum { kReadyTimeoutMs = 5000, kAsleepTimeoutMs = 2000, kExitTimeoutMs = 5000, kMaxRounds = 100000 };

static void die(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("bench_probe: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(1);
}

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

struct started {
  pid_t pid;
  int pidfd;    /* readable once the supervisor has exited */
  int stdin_w;  /* closing it ends wait_child */
  int stdout_r; /* "ready" arrives here */
};

/* Runs in the new process: a clean signal state, the two pipes on 0 and 1, then the supervisor. */
static void exec_supervisor(char **argv, int in_r, int out_w) {
  sigset_t none;
  sigemptyset(&none);
  for (int signo = 1; signo < NSIG; ++signo) {
    if (signo != SIGKILL && signo != SIGSTOP) signal(signo, SIG_DFL);
  }
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (dup2(in_r, STDIN_FILENO) < 0 || dup2(out_w, STDOUT_FILENO) < 0) _exit(125);
  execv(argv[0], argv);
  fprintf(stderr, "bench_probe: cannot execute %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

static struct started start(char **argv, int new_pid_namespace) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) die("pipe2: %s", strerror(errno));
  fflush(NULL);
  pid_t pid;
  if (new_pid_namespace) {
    /* A fork-like clone: the child runs on a copy of this stack and is PID 1 of a new namespace. */
    pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  } else {
    pid = fork();
  }
  if (pid < 0) die("cannot start %s: %s", argv[0], strerror(errno));
  if (pid == 0) exec_supervisor(argv, in[0], out[1]);
  close(in[0]);
  close(out[1]);
  struct started s = {pid, (int)syscall(SYS_pidfd_open, pid, 0), in[1], out[0]};
  if (s.pidfd < 0) die("pidfd_open: %s", strerror(errno));
  return s;
}

/* Waits for "ready\n" from wait_child; false on end of file (something exited) or timeout. */
static int wait_ready(const struct started *s) {
  char buffer[16];
  size_t have = 0;
  const long long deadline = now_ns() + kReadyTimeoutMs * 1000000LL;
  while (have < 6) {
    const long long left_ms = (deadline - now_ns()) / 1000000LL;
    if (left_ms <= 0) return 0;
    struct pollfd p = {s->stdout_r, POLLIN, 0};
    if (poll(&p, 1, (int)left_ms) <= 0) continue;
    const ssize_t n = read(s->stdout_r, buffer + have, sizeof buffer - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    have += (size_t)n;
  }
  return memcmp(buffer, "ready\n", 6) == 0;
}

/* The state letter of /proc/PID/stat, or 0. */
static char process_state(pid_t pid) {
  char path[64], text[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return 0;
  text[n] = '\0';
  const char *paren = strrchr(text, ')');
  return paren != NULL && paren[1] == ' ' ? paren[2] : 0;
}

/* After "ready", the supervisor is at most a few system calls away from its final wait: polls its
 * state (every 50 us, for at most kAsleepTimeoutMs) until it sleeps. */
static int wait_asleep(pid_t pid) {
  const long long deadline = now_ns() + kAsleepTimeoutMs * 1000000LL;
  for (;;) {
    const char state = process_state(pid);
    if (state == 'S') return 1;
    if (state == 0 || state == 'Z' || now_ns() > deadline) return 0;
    const struct timespec pause = {0, 50000};
    nanosleep(&pause, NULL);
  }
}

/* The number of the system call the process is blocked in (/proc/PID/syscall), -1 when running
 * or unknown. */
static long blocked_syscall(pid_t pid) {
  char path[64], text[256];
  snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return -1;
  text[n] = '\0';
  char *end;
  const long number = strtol(text, &end, 10);
  return end == text ? -1 : number;
}

/* Like wait_asleep, until the process is asleep in read(). */
static int wait_final_read(pid_t pid) {
  const long long deadline = now_ns() + kAsleepTimeoutMs * 1000000LL;
  for (;;) {
    if (process_state(pid) == 'S' && blocked_syscall(pid) == SYS_read) return 1;
    const char state = process_state(pid);
    if (state == 0 || state == 'Z' || now_ns() > deadline) return 0;
    const struct timespec pause = {0, 50000};
    nanosleep(&pause, NULL);
  }
}

/* Waits up to timeout_ms for the pidfd to report an exit. */
static int wait_exit(const struct started *s, int timeout_ms) {
  const long long deadline = now_ns() + (long long)timeout_ms * 1000000LL;
  for (;;) {
    const long long left_ms = (deadline - now_ns() + 999999LL) / 1000000LL;
    if (left_ms <= 0) return 0;
    struct pollfd p = {s->pidfd, POLLIN, 0};
    const int r = poll(&p, 1, (int)left_ms);
    if (r > 0) return 1;
    if (r < 0 && errno != EINTR) die("poll: %s", strerror(errno));
  }
}

/* Reaps the supervisor and describes its status: "exit N" or "signal N". */
static void reap(struct started *s, char *status_text, size_t size) {
  int status;
  while (waitpid(s->pid, &status, 0) < 0) {
    if (errno != EINTR) die("waitpid: %s", strerror(errno));
  }
  if (WIFEXITED(status)) {
    snprintf(status_text, size, "exit %d", WEXITSTATUS(status));
  } else {
    snprintf(status_text, size, "signal %d", WTERMSIG(status));
  }
  close(s->pidfd);
  if (s->stdin_w >= 0) close(s->stdin_w);
  close(s->stdout_r);
}

/* Ends a round that went wrong: SIGKILL, reap, report. */
static void abandon(struct started *s, const char *why) {
  kill(s->pid, SIGKILL);
  char status[32];
  reap(s, status, sizeof status);
  die("%s (supervisor %s)", why, status);
}

/* The value of "Key:   123 kB" in a /proc file, in KiB, or -1. */
static long proc_kib(pid_t pid, const char *file, const char *key) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  FILE *f = fopen(path, "re");
  if (f == NULL) return -1;
  long value = -1;
  const size_t key_len = strlen(key);
  while (fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, key, key_len) == 0 && line[key_len] == ':') {
      value = strtol(line + key_len + 1, NULL, 10);
      break;
    }
  }
  fclose(f);
  return value;
}

static void copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "re");
  FILE *out = fopen(to, "we");
  if (in == NULL || out == NULL) die("cannot copy %s to %s: %s", from, to, strerror(errno));
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, in)) > 0) fwrite(buffer, 1, n, out);
  fclose(in);
  if (fclose(out) != 0) die("cannot write %s: %s", to, strerror(errno));
}

static void print_list(const char *name, const long *values, int n, int last) {
  printf("\"%s\":[", name);
  for (int i = 0; i < n; ++i) printf("%s%ld", i ? "," : "", values[i]);
  printf("]%s", last ? "" : ",");
}

static int run_mem(int runs, const char *smaps_file, int final_read, char **argv) {
  long vmrss[runs], vmhwm[runs], rss[runs], pss[runs], anon[runs], private_kib[runs];
  char statuses[runs][32];
  for (int i = 0; i < runs; ++i) {
    struct started s = start(argv, 0);
    if (!wait_ready(&s)) abandon(&s, "no \"ready\" from wait_child");
    if (!wait_asleep(s.pid)) abandon(&s, "the supervisor did not go to sleep");
    if (final_read && !wait_final_read(s.pid)) abandon(&s, "the supervisor did not reach its final read");
    vmrss[i] = proc_kib(s.pid, "status", "VmRSS");
    vmhwm[i] = proc_kib(s.pid, "status", "VmHWM");
    rss[i] = proc_kib(s.pid, "smaps_rollup", "Rss");
    pss[i] = proc_kib(s.pid, "smaps_rollup", "Pss");
    anon[i] = proc_kib(s.pid, "smaps_rollup", "Anonymous");
    private_kib[i] = proc_kib(s.pid, "smaps_rollup", "Private_Clean") +
                     proc_kib(s.pid, "smaps_rollup", "Private_Dirty");
    if (smaps_file != NULL && i == runs - 1) {
      char path[64];
      snprintf(path, sizeof path, "/proc/%d/smaps", (int)s.pid);
      copy_file(path, smaps_file);
    }
    close(s.stdin_w);
    s.stdin_w = -1;
    if (!wait_exit(&s, kExitTimeoutMs)) abandon(&s, "did not exit at the end of wait_child's stdin");
    reap(&s, statuses[i], sizeof statuses[i]);
    if (strcmp(statuses[i], "exit 0") != 0) die("the supervisor ended with %s, want exit 0", statuses[i]);
  }
  printf("{\"runs\":%d,", runs);
  print_list("vmrss_kib", vmrss, runs, 0);
  print_list("vmhwm_kib", vmhwm, runs, 0);
  print_list("rss_kib", rss, runs, 0);
  print_list("pss_kib", pss, runs, 0);
  print_list("anonymous_kib", anon, runs, 0);
  print_list("private_kib", private_kib, runs, 1);
  printf("}\n");
  return 0;
}

static int run_stop(int rounds, int timeout_ms, int pidns, char **argv) {
  long latency_ns[rounds], after_kill_ns[rounds];
  char statuses[rounds][32];
  int stopped = 0;
  for (int i = 0; i < rounds; ++i) {
    struct started s = start(argv, pidns);
    if (!wait_ready(&s)) abandon(&s, "no \"ready\" from wait_child");
    if (!wait_asleep(s.pid)) abandon(&s, "the supervisor did not go to sleep");
    const long long t0 = now_ns();
    if (kill(s.pid, SIGTERM) != 0) die("kill: %s", strerror(errno));
    if (wait_exit(&s, timeout_ms)) {
      latency_ns[i] = (long)(now_ns() - t0);
      after_kill_ns[i] = -1;
      ++stopped;
    } else {
      latency_ns[i] = -1;
      const long long t1 = now_ns();
      kill(s.pid, SIGKILL);
      if (!wait_exit(&s, kExitTimeoutMs)) die("still running %d ms after SIGKILL", kExitTimeoutMs);
      after_kill_ns[i] = (long)(now_ns() - t1);
    }
    reap(&s, statuses[i], sizeof statuses[i]);
  }
  printf("{\"rounds\":%d,\"timeout_ms\":%d,\"pidns\":%s,\"stopped\":%d,", rounds, timeout_ms,
         pidns ? "true" : "false", stopped);
  print_list("latency_ns", latency_ns, rounds, 0);
  print_list("sigkill_latency_ns", after_kill_ns, rounds, 0);
  printf("\"status\":[");
  for (int i = 0; i < rounds; ++i) printf("%s\"%s\"", i ? "," : "", statuses[i]);
  printf("]}\n");
  return 0;
}

static int usage(void) {
  fputs("usage: bench_probe mem [--runs N] [--smaps FILE] [--final-read] -- SUPERVISOR_ARGV...\n"
        "       bench_probe stop [--pidns] [--rounds N] [--timeout-ms T] -- SUPERVISOR_ARGV...\n",
        stderr);
  return 64;
}

static int count(const char *text) {
  char *end;
  const long v = strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < 1 || v > kMaxRounds) die("not a count: '%s'", text);
  return (int)v;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  const char *command = argv[1];
  int runs = 1, timeout_ms = 1000, pidns = 0, final_read = 0;
  const char *smaps_file = NULL;
  int i = 2;
  for (; i < argc && strcmp(argv[i], "--") != 0; ++i) {
    if ((!strcmp(argv[i], "--runs") || !strcmp(argv[i], "--rounds")) && i + 1 < argc) {
      runs = count(argv[++i]);
    } else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc) {
      timeout_ms = count(argv[++i]);
    } else if (!strcmp(argv[i], "--smaps") && i + 1 < argc) {
      smaps_file = argv[++i];
    } else if (!strcmp(argv[i], "--pidns")) {
      pidns = 1;
    } else if (!strcmp(argv[i], "--final-read")) {
      final_read = 1;
    } else {
      return usage();
    }
  }
  if (i + 1 >= argc) return usage();
  char **supervisor = argv + i + 1;
  if (!strcmp(command, "mem")) return run_mem(runs, smaps_file, final_read, supervisor);
  if (!strcmp(command, "stop")) return run_stop(runs, timeout_ms, pidns, supervisor);
  return usage();
}
