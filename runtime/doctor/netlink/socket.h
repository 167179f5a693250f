#ifndef PHANTUN_RUNTIME_DOCTOR_NETLINK_SOCKET_H_
#define PHANTUN_RUNTIME_DOCTOR_NETLINK_SOCKET_H_

#include <stddef.h>
#include <stdint.h>

#include <memory>
#include <vector>

#include "runtime/doctor/netlink/dump_reply.h"
#include "runtime/doctor/netlink/dump_request.h"
#include "runtime/status.h"

namespace phantun_runtime::netlink {

// A netlink socket that can only dump and look up routes: every request goes through
// BuildDumpRequest's allow-list or BuildRouteQuery, and is checked again just before sendto. No socket option is ever set.
//
//   Socket socket;
//   Status status = socket.Open(NETLINK_ROUTE);
//   if (status.ok()) status = socket.Dump(RTM_GETLINK, AF_UNSPEC, [&](const Message& m) { ... });
//   if (status.system_error() == EPERM) ... report `skip`
//
// Replies are read into one large buffer (kReceiveBufferSize), one recvmsg per datagram. The size
// of that recvmsg is what makes a large dump fast: the kernel sizes each datagram of a dump after
// the largest read the socket has seen (up to 32 KiB), so reads sized to the datagram just
// received would keep every later one at a page, and a dump of 100k rules would take tens of
// thousands of datagrams (for each of which nf_tables walks again past the rules already sent).
// SO_RCVBUF is left alone: the kernel adds the next datagram of a dump only once the earlier ones
// have been read, so the queue holds a few at most and nothing is dropped.
class Socket final {
 public:
  // Larger than any datagram the kernel sends (dumps: 32 KiB; a link with many SR-IOV VFs: tens
  // of KiB). Only the pages a reply is written to become resident.
  static constexpr size_t kReceiveBufferSize = size_t{1} << 20;

  // What the replies looked like, for tests and measurements.
  struct ReceiveStats {
    size_t datagrams = 0;  // from the kernel
    size_t bytes = 0;
    size_t largest = 0;  // bytes of the largest datagram
  };

  // `receive_buffer_size` is for tests: a reply larger than the buffer fails the dump.
  explicit Socket(size_t receive_buffer_size = kReceiveBufferSize) : buffer_size_(receive_buffer_size) {}
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
  // The same for a request with more in it (a chain's rules: DumpRequest's table and chain); its
  // protocol and sequence are set here.
  Status Dump(DumpRequest request, MessageCallback on_message);

  // One routing lookup (see RouteQuery in dump_request.h; its sequence is set here): the kernel's
  // RTM_NEWROUTE answer goes to `on_message`; a refusal (ENETUNREACH, ...) is the error returned.
  Status LookUpRoute(RouteQuery query, MessageCallback on_message);

  const ReceiveStats& stats() const { return stats_; }

 private:
  Status Exchange(const std::vector<uint8_t>& request, uint32_t sequence, bool single, MessageCallback on_message);
  Status Send(const std::vector<uint8_t>& request);
  // The next datagram, a view into buffer_ valid until the next call; empty when it was not from
  // the kernel.
  Status Receive(Bytes* datagram);

  size_t buffer_size_;
  std::unique_ptr<uint8_t[]> buffer_;  // allocated by the first Receive, left uninitialised
  ReceiveStats stats_;

  int fd_ = -1;
  int protocol_ = 0;
  uint32_t sequence_ = 0;
};

}  // namespace phantun_runtime::netlink

#endif  // PHANTUN_RUNTIME_DOCTOR_NETLINK_SOCKET_H_
