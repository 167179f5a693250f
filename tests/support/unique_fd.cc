#include "tests/support/unique_fd.h"

#include <fcntl.h>

#include "tests/support/fatal.h"

namespace phantun_test {

Pipe MakePipe() {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) FatalSystemError("pipe2");
  return Pipe{UniqueFd(ends[0]), UniqueFd(ends[1])};
}

UniqueFd OpenDevNull(int flags) {
  const int fd = open("/dev/null", flags | O_CLOEXEC);
  if (fd < 0) FatalSystemError("open /dev/null");
  return UniqueFd(fd);
}

}  // namespace phantun_test
