#ifndef PHANTUN_TESTS_SUPPORT_LINE_READER_H_
#define PHANTUN_TESTS_SUPPORT_LINE_READER_H_

#include <optional>
#include <string>

#include "tests/support/deadline.h"
#include "tests/support/unique_fd.h"

namespace phantun_test {

// Reads newline-terminated lines from a pipe, waiting with poll(2) up to a deadline.
class LineReader {
 public:
  explicit LineReader(UniqueFd fd) : fd_(std::move(fd)) {}

  // The next line without its '\n'; nullopt at end of file (at_end() is then true) or when the
  // deadline passes first.
  std::optional<std::string> Next(Deadline deadline);
  bool at_end() const { return at_end_; }

 private:
  // Reads once more into buffer_; false at end of file or deadline.
  bool Fill(Deadline deadline);

  UniqueFd fd_;
  std::string buffer_;
  bool at_end_ = false;
};

// Everything readable from `fd` until end of file or the deadline.
std::string ReadUntilEnd(int fd, Deadline deadline);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_LINE_READER_H_
