#include "tests/integration/iface_refusal.h"

#include "tests/support/expectations.h"
#include "tests/support/launcher.h"

namespace phantun_test {

::testing::AssertionResult EndsRefused(RuntimeRun& run, int status, const std::string& prefix,
                                       const std::vector<std::string>& mentions) {
  const std::string ended = run.Finish();
  if (ended != Exited(status)) {
    return ::testing::AssertionFailure() << ended << " instead of " << Exited(status) << "; stderr: \""
                                         << Printable(run.err()) << "\"";
  }
  if (!run.out().empty()) return ::testing::AssertionFailure() << "stdout: \"" << Printable(run.out()) << "\"";
  const ::testing::AssertionResult one_line = IsOneLineStartingWith(run.err(), prefix);
  if (!one_line) return one_line;
  for (const std::string& mention : mentions) {
    if (run.err().find(mention) == std::string::npos) {
      return ::testing::AssertionFailure() << "stderr does not say \"" << Printable(mention) << "\": \""
                                           << Printable(run.err()) << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace phantun_test
