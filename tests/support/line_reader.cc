#include "tests/support/line_reader.h"

#include <errno.h>
#include <poll.h>

namespace phantun_test {
namespace {

// One read(2) once `fd` is readable: bytes appended, 0 at end of file, -1 on deadline or error.
ssize_t ReadOnce(int fd, Deadline deadline, std::string* out) {
  for (;;) {
    pollfd entry{fd, POLLIN, 0};
    const int ready = poll(&entry, 1, deadline.RemainingMs());
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return -1;
    char chunk[65536];
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) out->append(chunk, static_cast<size_t>(n));
    return n;
  }
}

}  // namespace

bool LineReader::Fill(Deadline deadline) {
  if (at_end_) return false;
  const ssize_t n = ReadOnce(fd_.get(), deadline, &buffer_);
  if (n == 0) at_end_ = true;
  return n > 0;
}

std::optional<std::string> LineReader::Next(Deadline deadline) {
  for (;;) {
    const size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    if (!Fill(deadline)) return std::nullopt;
  }
}

std::string ReadUntilEnd(int fd, Deadline deadline) {
  std::string out;
  while (ReadOnce(fd, deadline, &out) > 0) {
  }
  return out;
}

}  // namespace phantun_test
