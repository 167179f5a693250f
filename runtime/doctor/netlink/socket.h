#ifndef PHANTUN_RUNTIME_DOCTOR_NETLINK_SOCKET_H_
#define PHANTUN_RUNTIME_DOCTOR_NETLINK_SOCKET_H_

#include <stdint.h>

#include <vector>

#include "runtime/doctor/netlink/dump_reply.h"
#include "runtime/status.h"

namespace phantun_runtime::netlink {

// A netlink socket that can only dump: every request goes through BuildDumpRequest's allow-list
// and is checked again just before sendto. No socket option is ever set.
//
//   Socket socket;
//   Status status = socket.Open(NETLINK_ROUTE);
//   if (status.ok()) status = socket.Dump(RTM_GETLINK, AF_UNSPEC, [&](const Message& m) { ... });
//   if (status.system_error() == EPERM) ... report `skip`
class Socket final {
 public:
  Socket() = default;
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol). Creating the socket can make a kernel
  // with modules load the protocol's module; callers that must not cause that check first.
  Status Open(int protocol);

  // Dumps every object of `type` (an allow-listed GET, see dump_request.h) in `family` (AF_* or
  // NFPROTO_*, 0 = all) and hands each reply message to `on_message`. When the result is not ok,
  // the messages handed on so far are incomplete and must be discarded.
  Status Dump(uint16_t type, uint8_t family, MessageCallback on_message);

 private:
  Status Send(const std::vector<uint8_t>& request);
  Status Receive(std::vector<uint8_t>* datagram);

  int fd_ = -1;
  int protocol_ = 0;
  uint32_t sequence_ = 0;
};

}  // namespace phantun_runtime::netlink

#endif  // PHANTUN_RUNTIME_DOCTOR_NETLINK_SOCKET_H_
