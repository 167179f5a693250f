#include "tests/support/expectations.h"

#include <stdio.h>

namespace phantun_test {

std::string Printable(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      char escaped[8];
      snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

::testing::AssertionResult IsOneLineStartingWith(const std::string& text, const std::string& prefix) {
  const size_t newline = text.find('\n');
  if (newline == std::string::npos || newline + 1 != text.size()) {
    return ::testing::AssertionFailure() << "expected exactly one line, got \"" << Printable(text) << "\"";
  }
  if (text.compare(0, prefix.size(), prefix) != 0) {
    return ::testing::AssertionFailure() << "expected a line starting with \"" << prefix << "\", got \""
                                         << Printable(text) << "\"";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace phantun_test
