#include "tests/doctor/netlink/replay_dumper.h"

#include <utility>

namespace phantun_runtime::netlink {

void ReplayDumper::Add(uint16_t type, uint8_t family, std::string captured) {
  captures_.push_back(Capture{type, family, std::move(captured)});
}

Status ReplayDumper::Dump(uint16_t type, uint8_t family, MessageCallback on_message) {
  for (const Capture& capture : captures_) {
    if (capture.type != type || capture.family != family) continue;
    const Bytes bytes = AsBytes(capture.bytes);
    Message first;
    MessageReader peek(bytes);
    const uint32_t sequence = peek.Next(&first) ? first.sequence : 0;
    DumpReplyReader reader(sequence);
    reader.Consume(bytes, on_message);
    if (!reader.done()) return Status(Status::Code::kIoError, "replayed netlink dump: no NLMSG_DONE");
    return reader.status();
  }
  return Status(Status::Code::kNotFound, "replayed netlink dump: nothing captured for this request");
}

}  // namespace phantun_runtime::netlink
