#ifndef PHANTUN_TESTS_SUPPORT_FAKE_RECORD_H_
#define PHANTUN_TESTS_SUPPORT_FAKE_RECORD_H_

#include <stdint.h>
#include <sys/types.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/support/deadline.h"
#include "tests/support/line_reader.h"

namespace phantun_test {

// What fake_phantun reported about the state it was started in (see fake_phantun.cc for the
// event lines), decoded.
struct FakeRecord {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::map<int, std::string> fds;  // descriptor -> its /proc/self/fd link target
  uint64_t mask = 0;               // bit N-1 = signal N blocked
  std::set<int> ignored;           // signals whose disposition was SIG_IGN
  pid_t pid = 0;                   // as seen from the fake's own PID namespace
  pid_t ppid = 0;
  pid_t pgid = 0;
  std::string cwd;
  std::string exe;
  std::string parent_cwd;          // the runtime's working directory at the fake's first instruction
  std::vector<pid_t> orphans;      // the grandchildren started with FAKE_ORPHANS
  std::optional<std::string> iface;  // with IFACE_FILE set: its content when the fake started
  int iface_error = 0;               // or the errno of reading it
};

// Reads event lines up to and including "ready". False with *error saying why (end of events,
// deadline, an unknown line) when the record is not complete.
bool ReadFakeRecord(LineReader& events, Deadline deadline, FakeRecord* record, std::string* error);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_FAKE_RECORD_H_
