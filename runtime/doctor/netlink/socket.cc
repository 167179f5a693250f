#include "runtime/doctor/netlink/socket.h"

#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "runtime/doctor/netlink/dump_request.h"

namespace phantun_runtime::netlink {
namespace {

// The kernel answers a dump at once; a silent socket means something is badly wrong, and the
// doctor must not hang on it.
constexpr int kReplyTimeoutMs = 5000;

}  // namespace

Socket::~Socket() {
  if (fd_ >= 0) close(fd_);
}

Status Socket::Open(int protocol) {
  if (fd_ >= 0) close(fd_);
  fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd_ < 0) return SystemError("opening a netlink socket", errno);
  protocol_ = protocol;
  return Status();
}

Status Socket::Send(const std::vector<uint8_t>& request) {
  // The last line of defence: whatever happened above, only an allow-listed dump or a route
  // lookup leaves.
  if (!IsAllowedDumpMessage(protocol_, Bytes(request)) && !IsAllowedRouteQuery(protocol_, Bytes(request))) {
    return Status(Status::Code::kInvalidArgument,
                  "netlink: refusing to send a request that is not an allow-listed dump or route lookup");
  }
  struct sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = sendto(fd_, request.data(), request.size(), 0, reinterpret_cast<struct sockaddr*>(&kernel),
                  sizeof(kernel));
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return SystemError("sending a netlink dump request", errno);
  if (static_cast<size_t>(sent) != request.size()) {
    return Status(Status::Code::kIoError, "netlink: the dump request was sent only in part");
  }
  return Status();
}

Status Socket::Receive(Bytes* datagram) {
  if (buffer_ == nullptr) buffer_.reset(new uint8_t[buffer_size_]);
  struct sockaddr_nl sender = {};
  struct iovec vector = {buffer_.get(), buffer_size_};
  struct msghdr header = {};
  header.msg_name = &sender;
  header.msg_namelen = sizeof(sender);
  header.msg_iov = &vector;
  header.msg_iovlen = 1;
  ssize_t received;
  for (;;) {
    // MSG_TRUNC: the datagram's real size is returned even when it did not fit. MSG_DONTWAIT: the
    // next datagram of a dump is usually queued already, so poll only when it is not.
    received = recvmsg(fd_, &header, MSG_DONTWAIT | MSG_TRUNC);
    if (received >= 0) break;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return SystemError("receiving a netlink reply", errno);
    struct pollfd ready = {fd_, POLLIN, 0};
    int polled;
    do {
      polled = poll(&ready, 1, kReplyTimeoutMs);
    } while (polled < 0 && errno == EINTR);
    if (polled < 0) return SystemError("waiting for a netlink reply", errno);
    if (polled == 0) return Status(Status::Code::kUnavailable, "netlink: no reply from the kernel within 5 s", ETIMEDOUT);
  }
  if ((header.msg_flags & MSG_TRUNC) != 0 || static_cast<size_t>(received) > buffer_size_) {
    return Status(Status::Code::kIoError, absl::StrCat("netlink: a reply of ", received,
                                                       " bytes was larger than the receive buffer (",
                                                       buffer_size_, " bytes)"));
  }
  if (sender.nl_pid != 0) {  // not from the kernel: ignore it
    *datagram = Bytes();
    return Status();
  }
  *datagram = Bytes(buffer_.get(), static_cast<size_t>(received));
  ++stats_.datagrams;
  stats_.bytes += static_cast<size_t>(received);
  if (static_cast<size_t>(received) > stats_.largest) stats_.largest = static_cast<size_t>(received);
  return Status();
}

Status Socket::Dump(uint16_t type, uint8_t family, MessageCallback on_message) {
  DumpRequest request;
  request.type = type;
  request.family = family;
  return Dump(std::move(request), on_message);
}

Status Socket::Dump(DumpRequest request, MessageCallback on_message) {
  if (fd_ < 0) return Status(Status::Code::kFailedPrecondition, "netlink: the socket is not open");
  request.protocol = protocol_;
  request.sequence = ++sequence_;
  const StatusOr<std::vector<uint8_t>> bytes = BuildDumpRequest(request);
  if (!bytes.ok()) return bytes.status();
  return Exchange(*bytes, request.sequence, /*single=*/false, on_message);
}

Status Socket::LookUpRoute(RouteQuery query, MessageCallback on_message) {
  if (fd_ < 0) return Status(Status::Code::kFailedPrecondition, "netlink: the socket is not open");
  query.sequence = ++sequence_;
  const StatusOr<std::vector<uint8_t>> bytes = BuildRouteQuery(query);
  if (!bytes.ok()) return bytes.status();
  return Exchange(*bytes, query.sequence, /*single=*/true, on_message);
}

Status Socket::Exchange(const std::vector<uint8_t>& request, uint32_t sequence, bool single,
                        MessageCallback on_message) {
  Status status = Send(request);
  if (!status.ok()) return status;
  DumpReplyReader reader(sequence, single);
  Bytes datagram;
  while (!reader.done()) {
    status = Receive(&datagram);
    if (!status.ok()) return status;
    reader.Consume(datagram, on_message);
  }
  return reader.status();
}

}  // namespace phantun_runtime::netlink
