#include "runtime/standard_descriptors.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace phantun_runtime {

void OpenClosedStandardDescriptors() {
  // One system call on the launch path: poll() marks a closed descriptor POLLNVAL and never waits
  // with a zero timeout.
  pollfd standard[3] = {{STDIN_FILENO, 0, 0}, {STDOUT_FILENO, 0, 0}, {STDERR_FILENO, 0, 0}};
  if (poll(standard, 3, 0) < 0) return;
  for (const pollfd& p : standard) {
    if ((p.revents & POLLNVAL) == 0) continue;
    // open() returns the lowest free descriptor, which is this one: those below it are open by now.
    // Without /dev/null (a bare chroot), an O_PATH descriptor of "/" still holds the place; reads
    // and writes on it fail just as on a closed descriptor.
    if (open("/dev/null", O_RDWR) < 0) open("/", O_PATH);
  }
}

}  // namespace phantun_runtime
