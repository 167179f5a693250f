#ifndef PHANTUN_RUNTIME_DOCTOR_NETLINK_MESSAGE_H_
#define PHANTUN_RUNTIME_DOCTOR_NETLINK_MESSAGE_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/doctor/netlink/bytes.h"

namespace phantun_runtime::netlink {

// One netlink message (struct nlmsghdr and what follows it), viewed inside a receive buffer.
struct Message {
  uint16_t type = 0;
  uint16_t flags = 0;
  uint32_t sequence = 0;
  uint32_t port_id = 0;
  Bytes payload;  // after the 16-byte header, exactly nlmsg_len - 16 bytes
};

// Walks the messages packed in one receive buffer (a datagram, or captured datagrams laid end to
// end: each datagram ends on a 4-byte boundary, so their concatenation reads the same way).
// Stops at the end or at the first header that does not fit; malformed() tells the two apart.
class MessageReader {
 public:
  explicit MessageReader(Bytes buffer) : rest_(buffer) {}

  bool Next(Message* message);
  bool malformed() const { return malformed_; }

 private:
  Bytes rest_;
  bool malformed_ = false;
};

// The family-specific header at the start of a payload (struct ifinfomsg, nfgenmsg, ...) is
// followed by attributes at the next 4-byte boundary. Returns those attributes, or an empty view
// when the payload is shorter than the header.
Bytes AttributesAfterHeader(Bytes payload, size_t header_size);

}  // namespace phantun_runtime::netlink

#endif  // PHANTUN_RUNTIME_DOCTOR_NETLINK_MESSAGE_H_
