/* wait_child: the child of the memory and stop benchmarks.
 *
 * Writes "ready\n" to stdout once it runs, then reads stdin until end of file and exits 0. It has
 * no signal handler at all, so SIGTERM kills it at once - except when it is PID 1 of a PID
 * namespace, where the kernel drops signals that have no handler (as it does for phantun). */
#include <errno.h>
#include <unistd.h>

int main(void) {
  static const char ready[] = "ready\n";
  if (write(STDOUT_FILENO, ready, sizeof ready - 1) != (ssize_t)(sizeof ready - 1)) return 2;
  char buffer[64];
  for (;;) {
    const ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
    if (n == 0) return 0;
    if (n < 0 && errno != EINTR) return 3;
  }
}
