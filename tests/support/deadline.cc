#include "tests/support/deadline.h"

#include <poll.h>

namespace phantun_test {

int Deadline::RemainingMs() const {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(at_ - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

bool PollUntil(const std::function<bool()>& done, Deadline deadline) {
  for (;;) {
    if (done()) return true;
    if (deadline.Passed()) return false;
    poll(nullptr, 0, 1);
  }
}

}  // namespace phantun_test
