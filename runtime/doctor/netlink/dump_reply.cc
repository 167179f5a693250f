#include "runtime/doctor/netlink/dump_reply.h"

#include <errno.h>
#include <linux/netlink.h>

#include <utility>

namespace phantun_runtime::netlink {

void DumpReplyReader::Finish(Status status) {
  done_ = true;
  status_ = std::move(status);
}

// NLMSG_ERROR carries the (negative) errno first; NLMSG_DONE of a dump carries the dump's final
// result the same way (0, or e.g. -EPERM when the dump callback itself failed).
// Some protocols end a dump with a bare NLMSG_DONE, hence `empty_is_ok`.
void DumpReplyReader::FinishWithKernelCode(Bytes payload, bool empty_is_ok) {
  if (payload.size() < sizeof(int32_t)) {
    if (payload.empty() && empty_is_ok) return Finish(Status());
    return Finish(Status(Status::Code::kIoError, "netlink reply: truncated error code"));
  }
  const int32_t code = LoadHost<int32_t>(payload, 0);
  if (code >= 0) return Finish(Status());
  // Kernel error codes are -1 to -4095; anything below is not one (and -INT32_MIN overflows).
  if (code < -4095) return Finish(Status(Status::Code::kIoError, "netlink reply: implausible error code"));
  Finish(SystemError("netlink dump", -code));
}

bool DumpReplyReader::Consume(Bytes datagram, MessageCallback on_message) {
  if (done_) return false;
  MessageReader reader(datagram);
  Message message;
  while (reader.Next(&message)) {
    if (message.sequence != sequence_) continue;
    if ((message.flags & NLM_F_DUMP_INTR) != 0) interrupted_ = true;
    switch (message.type) {
      case NLMSG_NOOP:
        continue;
      case NLMSG_OVERRUN:
        Finish(Status(Status::Code::kIoError, "netlink dump: the kernel reported an overrun", ENOBUFS));
        return false;
      case NLMSG_ERROR:
        FinishWithKernelCode(message.payload, /*empty_is_ok=*/false);
        return false;
      case NLMSG_DONE:
        FinishWithKernelCode(message.payload, /*empty_is_ok=*/true);
        if (status_.ok() && interrupted_) {
          status_ = Status(Status::Code::kAborted, "netlink dump: the state changed while it was read");
        }
        return false;
      default:
        on_message(message);
        // The answer to a single GET (a route lookup) is one message, and nothing follows it.
        if (single_) {
          Finish(Status());
          return false;
        }
    }
  }
  if (reader.malformed()) {
    Finish(Status(Status::Code::kIoError, "netlink reply: a message header does not fit the datagram"));
    return false;
  }
  return true;
}

}  // namespace phantun_runtime::netlink
