/* udp_bench: UDP throughput through the phantun tunnel of the data-path benchmark.
 *
 *   udp_bench --recv-netns NS --recv ADDR:PORT --send-netns NS --send ADDR:PORT --rate-pps R
 *             [--size BYTES] [--warmup-ms W] [--window-ms D] [--cpu-pid PID]...
 *
 * One process, two sockets: the receiving socket is made inside the network namespace --recv-netns
 * (/run/netns/NS) and bound to --recv, the sending socket inside --send-netns and connected to
 * --send. A socket stays in the namespace it was made in, so no readiness hand-shake between two
 * programs is needed. A forked sender then sends R BYTES-byte datagrams (default 1200) a second,
 * paced in batches of 32: a fixed offered load, not a saturating one (see run.sh). The receiver
 * waits for the first datagram (at most 10 s), lets W ms pass (default 300: the fake-TCP connection
 * settles), counts what arrives in the next D ms (default 2000) and stops the sender. IPv4 only,
 * as the lab is.
 *
 * Prints one JSON object: datagrams and bytes received in the window, the rate in Mbit/s (UDP
 * payload), how many datagrams the sender offered in that window and, with --cpu-pid (up to 16),
 * the CPU time all threads of those processes used in it (ns, from /proc/PID/task/TID/schedstat).
 * Exit 0, or 1 with a message. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kBatch = 32, kMaxSize = 1472, kFirstTimeoutMs = 10000 };

static void die(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("udp_bench: ", stderr);
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

static struct sockaddr_in parse_endpoint(const char *text) {
  char host[64];
  const char *colon = strrchr(text, ':');
  if (colon == NULL || (size_t)(colon - text) >= sizeof host) die("not ADDR:PORT: '%s'", text);
  memcpy(host, text, (size_t)(colon - text));
  host[colon - text] = '\0';
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  char *end;
  const long port = strtol(colon + 1, &end, 10);
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1 || *end != '\0' || port < 1 || port > 65535) {
    die("not an IPv4 ADDR:PORT: '%s'", text);
  }
  a.sin_port = htons((unsigned short)port);
  return a;
}

static void enter_netns(const char *name) {
  char path[256];
  snprintf(path, sizeof path, "/run/netns/%s", name);
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("%s: %s", path, strerror(errno));
  if (setns(fd, CLONE_NEWNET) != 0) die("setns %s: %s", path, strerror(errno));
  close(fd);
}

/* CPU time used so far by every thread of the given processes (/proc/PID/task/TID/schedstat: the
 * first field is the time on a CPU, in ns). */
static long long cpu_ns(const long *pids, int n) {
  long long total = 0;
  for (int i = 0; i < n; ++i) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/task", pids[i]);
    DIR *tasks = opendir(path);
    if (tasks == NULL) die("%s: %s", path, strerror(errno));
    struct dirent *e;
    while ((e = readdir(tasks)) != NULL) {
      if (e->d_name[0] == '.') continue;
      /* Thread ids are short, but sized for any d_name (255 bytes) so the compiler can see that
       * nothing is ever cut off. */
      char stat_path[sizeof "/proc//task//schedstat" + 20 + sizeof e->d_name];
      snprintf(stat_path, sizeof stat_path, "/proc/%ld/task/%s/schedstat", pids[i], e->d_name);
      FILE *f = fopen(stat_path, "re");
      if (f == NULL) continue; /* the thread just ended */
      long long ns = 0;
      if (fscanf(f, "%lld", &ns) == 1) total += ns;
      fclose(f);
    }
    closedir(tasks);
  }
  return total;
}

static long number(const char *text, long min, long max) {
  char *end;
  const long v = strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < min || v > max) die("out of range: '%s'", text);
  return v;
}

/* The sender: the same datagram (with a sequence number in front) until it is killed, rate_pps
 * datagrams a second (paced by batches, on CLOCK_MONOTONIC). */
static void send_forever(int fd, size_t size, long rate_pps, volatile long *sent) {
  static unsigned char payload[kBatch][kMaxSize];
  struct iovec iov[kBatch];
  struct mmsghdr msgs[kBatch];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < kBatch; ++i) {
    memset(payload[i], 'p', size);
    iov[i].iov_base = payload[i];
    iov[i].iov_len = size;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  unsigned long sequence = 0;
  long batches = 0;
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    /* The batch after `batches` full batches is due at start + batches * kBatch / rate. */
    const long long due_ns = (long long)batches * kBatch * 1000000000LL / rate_pps;
    struct timespec due = {start.tv_sec + (time_t)(due_ns / 1000000000LL), start.tv_nsec + (long)(due_ns % 1000000000LL)};
    if (due.tv_nsec >= 1000000000L) {
      due.tv_sec += 1;
      due.tv_nsec -= 1000000000L;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR) {
    }
    ++batches;
    for (int i = 0; i < kBatch; ++i) {
      ++sequence;
      memcpy(payload[i], &sequence, sizeof sequence);
    }
    const int n = sendmmsg(fd, msgs, kBatch, 0);
    if (n > 0) {
      *sent += n;
    } else if (errno != EINTR && errno != ECONNREFUSED && errno != ENOBUFS && errno != EAGAIN) {
      die("send: %s", strerror(errno));
    }
  }
}

int main(int argc, char **argv) {
  const char *recv_ns = NULL, *send_ns = NULL, *recv_at = NULL, *send_to = NULL;
  long size = 1200, warmup_ms = 300, window_ms = 2000, rate_pps = 0;
  enum { kMaxPids = 16 };
  long cpu_pids[kMaxPids];
  int n_cpu_pids = 0;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) die("%s needs a value", argv[i]);
    const char *v = argv[i + 1];
    if (!strcmp(argv[i], "--recv-netns")) recv_ns = v;
    else if (!strcmp(argv[i], "--send-netns")) send_ns = v;
    else if (!strcmp(argv[i], "--recv")) recv_at = v;
    else if (!strcmp(argv[i], "--send")) send_to = v;
    else if (!strcmp(argv[i], "--size")) size = number(v, 16, kMaxSize);
    else if (!strcmp(argv[i], "--warmup-ms")) warmup_ms = number(v, 0, 60000);
    else if (!strcmp(argv[i], "--window-ms")) window_ms = number(v, 1, 60000);
    else if (!strcmp(argv[i], "--rate-pps")) rate_pps = number(v, 1, 100000000);
    else if (!strcmp(argv[i], "--cpu-pid") && n_cpu_pids < kMaxPids) cpu_pids[n_cpu_pids++] = number(v, 1, 1L << 30);
    else die("unknown option %s", argv[i]);
  }
  if (!recv_ns || !send_ns || !recv_at || !send_to || rate_pps == 0) {
    die("usage: udp_bench --recv-netns NS --recv ADDR:PORT --send-netns NS --send ADDR:PORT --rate-pps R "
        "[--size BYTES] [--warmup-ms W] [--window-ms D] [--cpu-pid PID]...");
  }
  const struct sockaddr_in recv_addr = parse_endpoint(recv_at), send_addr = parse_endpoint(send_to);

  enter_netns(recv_ns);
  const int rfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const int buffer = 8 << 20;
  if (rfd < 0) die("socket: %s", strerror(errno));
  if (setsockopt(rfd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0) {
    setsockopt(rfd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  }
  if (bind(rfd, (const struct sockaddr *)&recv_addr, sizeof recv_addr) != 0) die("bind %s: %s", recv_at, strerror(errno));

  enter_netns(send_ns);
  const int sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sfd < 0) die("socket: %s", strerror(errno));
  if (connect(sfd, (const struct sockaddr *)&send_addr, sizeof send_addr) != 0) die("connect %s: %s", send_to, strerror(errno));

  volatile long *sent = mmap(NULL, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sent == MAP_FAILED) die("mmap: %s", strerror(errno));
  fflush(NULL);
  const pid_t sender = fork();
  if (sender < 0) die("fork: %s", strerror(errno));
  if (sender == 0) {
    close(rfd);
    send_forever(sfd, (size_t)size, rate_pps, sent);
  }
  close(sfd);

  static unsigned char buffers[kBatch][2048];
  struct iovec iov[kBatch];
  struct mmsghdr msgs[kBatch];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < kBatch; ++i) {
    iov[i].iov_base = buffers[i];
    iov[i].iov_len = sizeof buffers[i];
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  /* Phases: 0 waiting for the first datagram, 1 warm-up, 2 counting. */
  int phase = 0;
  long long phase_end = now_ns() + kFirstTimeoutMs * 1000000LL;
  long datagrams = 0, offered_at_start = 0, offered = 0;
  long long cpu_at_start = 0, cpu_used = 0;
  long long bytes = 0;
  for (;;) {
    const long long t = now_ns();
    if (t >= phase_end) {
      if (phase == 0) {
        kill(sender, SIGKILL);
        waitpid(sender, NULL, 0);
        die("no datagram came through within %d ms", kFirstTimeoutMs);
      }
      if (phase == 2) {
        offered = *sent - offered_at_start;
        cpu_used = cpu_ns(cpu_pids, n_cpu_pids) - cpu_at_start;
        break;
      }
      phase = 2;
      cpu_at_start = cpu_ns(cpu_pids, n_cpu_pids);
      phase_end = now_ns() + window_ms * 1000000LL;
      offered_at_start = *sent;
      continue;
    }
    struct pollfd p = {rfd, POLLIN, 0};
    const int r = poll(&p, 1, (int)((phase_end - t + 999999LL) / 1000000LL));
    if (r < 0 && errno != EINTR) die("poll: %s", strerror(errno));
    if (r <= 0) continue;
    const int n = recvmmsg(rfd, msgs, kBatch, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      die("recv: %s", strerror(errno));
    }
    if (phase == 0) {
      phase = 1;
      phase_end = now_ns() + warmup_ms * 1000000LL;
    } else if (phase == 2) {
      datagrams += n;
      for (int i = 0; i < n; ++i) bytes += msgs[i].msg_len;
    }
  }
  kill(sender, SIGKILL);
  waitpid(sender, NULL, 0);
  printf("{\"size\":%ld,\"window_ms\":%ld,\"rate_pps\":%ld,\"datagrams\":%ld,\"bytes\":%lld,"
         "\"mbit_per_s\":%.3f,\"offered\":%ld,\"cpu_ns\":%lld}\n",
         size, window_ms, rate_pps, datagrams, bytes, (double)bytes * 8.0 / ((double)window_ms * 1000.0), offered,
         n_cpu_pids ? cpu_used : -1);
  return 0;
}
