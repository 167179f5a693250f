#ifndef PHANTUN_TESTS_SUPPORT_SIGNAL_NAMES_H_
#define PHANTUN_TESTS_SUPPORT_SIGNAL_NAMES_H_

#include <string>

namespace phantun_test {

// "SIGTERM" for 15, ..., "SIG32" to "SIG64" for the real-time signals (whose SIGRTMIN-relative
// names differ between C libraries): test names and failure messages.
std::string SignalName(int signo);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_SIGNAL_NAMES_H_
