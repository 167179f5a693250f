#ifndef PHANTUN_TESTS_INTEGRATION_IFACE_CASES_H_
#define PHANTUN_TESTS_INTEGRATION_IFACE_CASES_H_

#include <string>
#include <vector>

#include "tests/integration/iface_place.h"

namespace phantun_test {

// One IFACE_FILE that cannot be written, shared by the phantun-run and phantun-iface-write tests
// (same rules, same exit status 73).
struct IfaceFileCase {
  std::string name;                    // the test's name
  void (*prepare)(IfacePlace* place);  // sets place->path and puts what the case needs there
  std::string reason;                  // what the one stderr line says besides the path
  bool clear_fails;                    // phantun-iface-write --clear is refused here too (74);
                                       // otherwise it succeeds (nothing there, or a regular file)
};

// Not a regular file: a directory, FIFO, socket, device or symbolic link. Refused without being
// opened for I/O, followed or blocked on; left exactly as it was.
std::vector<IfaceFileCase> RefusedKinds();

// A regular file (or none yet) that the system will not let the process write: missing parent,
// read-only file system, full file system, no permission, file-size limit. Left as it was or empty.
std::vector<IfaceFileCase> FailedWrites();

// gtest parameter names.
std::string CaseName(const ::testing::TestParamInfo<IfaceFileCase>& info);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_INTEGRATION_IFACE_CASES_H_
