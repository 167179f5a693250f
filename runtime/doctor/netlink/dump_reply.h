#ifndef PHANTUN_RUNTIME_DOCTOR_NETLINK_DUMP_REPLY_H_
#define PHANTUN_RUNTIME_DOCTOR_NETLINK_DUMP_REPLY_H_

#include <stdint.h>

#include "absl/functional/function_ref.h"
#include "runtime/doctor/netlink/bytes.h"
#include "runtime/doctor/netlink/message.h"
#include "runtime/status.h"

namespace phantun_runtime::netlink {

// Called once per data message of a dump, in the kernel's order. The message (and the bytes it
// points into) is only valid during the call: copy what you keep.
using MessageCallback = absl::FunctionRef<void(const Message&)>;

// Follows the replies to one dump request, datagram by datagram: hands each data message to the
// callback and recognises the end of the dump (NLMSG_DONE), a kernel error (NLMSG_ERROR, or a
// negative code in NLMSG_DONE) and a dump that the kernel flagged as inconsistent
// (NLM_F_DUMP_INTR). For a single GET (`single`: a route lookup) the first data message is the
// whole answer and ends it as NLMSG_DONE would. Messages with another sequence number are leftovers of an earlier request and
// are skipped. Pure: the socket feeds it what recvmsg returned, tests feed it captured bytes.
class DumpReplyReader {
 public:
  explicit DumpReplyReader(uint32_t sequence, bool single = false) : sequence_(sequence), single_(single) {}

  // Consumes one datagram (or captured datagrams laid end to end), handing its data messages to
  // `on_message`. Returns true while the dump needs more.
  bool Consume(Bytes datagram, MessageCallback on_message);

  bool done() const { return done_; }
  // Meaningful once done(). When it is not ok, the messages already handed on are incomplete.
  const Status& status() const { return status_; }

 private:
  void Finish(Status status);
  void FinishWithKernelCode(Bytes payload, bool empty_is_ok);

  uint32_t sequence_;
  bool single_;
  bool done_ = false;
  bool interrupted_ = false;
  Status status_;
};

}  // namespace phantun_runtime::netlink

#endif  // PHANTUN_RUNTIME_DOCTOR_NETLINK_DUMP_REPLY_H_
