#ifndef PHANTUN_TESTS_DOCTOR_NETLINK_REPLAY_DUMPER_H_
#define PHANTUN_TESTS_DOCTOR_NETLINK_REPLAY_DUMPER_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "runtime/doctor/netlink/dumper.h"
#include "runtime/status.h"

namespace phantun_runtime::netlink {

// Answers dumps from captured kernel replies (the datagrams capture.sh recorded), through
// the same DumpReplyReader the socket uses. For unit tests and fuzzing of everything above the
// socket.
class ReplayDumper final : public Dumper {
 public:
  // The reply to the dump of `type` in `family`. The sequence number is taken from the capture.
  void Add(uint16_t type, uint8_t family, std::string captured);

  // A dump with no capture fails with kNotFound.
  Status Dump(uint16_t type, uint8_t family, MessageCallback on_message) override;

 private:
  struct Capture {
    uint16_t type;
    uint8_t family;
    std::string bytes;
  };
  std::vector<Capture> captures_;
};

}  // namespace phantun_runtime::netlink

#endif  // PHANTUN_TESTS_DOCTOR_NETLINK_REPLAY_DUMPER_H_
