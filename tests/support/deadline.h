#ifndef PHANTUN_TESTS_SUPPORT_DEADLINE_H_
#define PHANTUN_TESTS_SUPPORT_DEADLINE_H_

#include <chrono>
#include <functional>

namespace phantun_test {

// Tests wait on events (pipe lines, process exit), never for a fixed time. A deadline only bounds
// how long a broken runtime can keep a test waiting before it fails.
inline constexpr std::chrono::milliseconds kGuardTimeout{10000};

class Deadline {
 public:
  static Deadline After(std::chrono::milliseconds timeout) { return Deadline(Clock::now() + timeout); }
  static Deadline Guard() { return After(kGuardTimeout); }

  bool Passed() const { return Clock::now() >= at_; }
  // Milliseconds left, rounded up, for poll(2); 0 once passed.
  int RemainingMs() const;

 private:
  using Clock = std::chrono::steady_clock;
  explicit Deadline(Clock::time_point at) : at_(at) {}
  Clock::time_point at_;
};

// Re-evaluates `done` every millisecond until it returns true (then true) or the deadline passes
// (then false). Only for state no descriptor reports, such as a process leaving /proc.
bool PollUntil(const std::function<bool()>& done, Deadline deadline);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_DEADLINE_H_
