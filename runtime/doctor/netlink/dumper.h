#ifndef PHANTUN_RUNTIME_DOCTOR_NETLINK_DUMPER_H_
#define PHANTUN_RUNTIME_DOCTOR_NETLINK_DUMPER_H_

#include <stdint.h>

#include "runtime/doctor/netlink/dump_reply.h"
#include "runtime/status.h"

namespace phantun_runtime::netlink {

// The seam between readers of kernel state and the kernel: Socket asks the kernel, and the tests'
// ReplayDumper (tests/doctor/netlink) answers from captured bytes. Readers take a Dumper&, so they
// run unchanged in unit tests.
class Dumper {
 public:
  virtual ~Dumper() = default;

  // Dumps every object of `type` (an allow-listed GET, see dump_request.h) in `family` (AF_* or
  // NFPROTO_*, 0 = all) and hands each reply message to `on_message`. When the result is not ok,
  // the messages handed on so far are incomplete and must be discarded.
  virtual Status Dump(uint16_t type, uint8_t family, MessageCallback on_message) = 0;
};

}  // namespace phantun_runtime::netlink

#endif  // PHANTUN_RUNTIME_DOCTOR_NETLINK_DUMPER_H_
