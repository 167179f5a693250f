#include "runtime/doctor/netlink/socket.h"

#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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
  // The last line of defence: whatever happened above, only an allow-listed dump leaves.
  if (!IsAllowedDumpMessage(protocol_, Bytes(request))) {
    return Status(Status::Code::kInvalidArgument, "netlink: refusing to send a request that is not an allow-listed dump");
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

Status Socket::Receive(std::vector<uint8_t>* datagram) {
  struct pollfd ready = {fd_, POLLIN, 0};
  int polled;
  do {
    polled = poll(&ready, 1, kReplyTimeoutMs);
  } while (polled < 0 && errno == EINTR);
  if (polled < 0) return SystemError("waiting for a netlink reply", errno);
  if (polled == 0) return Status(Status::Code::kUnavailable, "netlink: no reply from the kernel within 5 s", ETIMEDOUT);
  // MSG_PEEK | MSG_TRUNC returns the datagram's real size, so the buffer fits whatever the kernel
  // chose to batch (dump datagrams grow up to about 32 KiB).
  ssize_t size;
  do {
    size = recv(fd_, nullptr, 0, MSG_PEEK | MSG_TRUNC);
  } while (size < 0 && errno == EINTR);
  if (size < 0) return SystemError("receiving a netlink reply", errno);
  datagram->resize(static_cast<size_t>(size));
  struct sockaddr_nl sender = {};
  struct iovec vector = {datagram->data(), datagram->size()};
  struct msghdr header = {};
  header.msg_name = &sender;
  header.msg_namelen = sizeof(sender);
  header.msg_iov = &vector;
  header.msg_iovlen = 1;
  ssize_t received;
  do {
    received = recvmsg(fd_, &header, 0);
  } while (received < 0 && errno == EINTR);
  if (received < 0) return SystemError("receiving a netlink reply", errno);
  if ((header.msg_flags & MSG_TRUNC) != 0) return Status(Status::Code::kIoError, "netlink: a reply was truncated");
  datagram->resize(static_cast<size_t>(received));
  if (sender.nl_pid != 0) datagram->clear();  // not from the kernel: ignore it
  return Status();
}

Status Socket::Dump(uint16_t type, uint8_t family, MessageCallback on_message) {
  if (fd_ < 0) return Status(Status::Code::kFailedPrecondition, "netlink: the socket is not open");
  DumpRequest request;
  request.protocol = protocol_;
  request.type = type;
  request.family = family;
  request.sequence = ++sequence_;
  const StatusOr<std::vector<uint8_t>> bytes = BuildDumpRequest(request);
  if (!bytes.ok()) return bytes.status();
  Status status = Send(*bytes);
  if (!status.ok()) return status;
  DumpReplyReader reader(request.sequence);
  std::vector<uint8_t> datagram;
  while (!reader.done()) {
    status = Receive(&datagram);
    if (!status.ok()) return status;
    reader.Consume(Bytes(datagram), on_message);
  }
  return reader.status();
}

}  // namespace phantun_runtime::netlink
