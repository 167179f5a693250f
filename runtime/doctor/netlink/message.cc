#include "runtime/doctor/netlink/message.h"

#include <linux/netlink.h>

namespace phantun_runtime::netlink {
namespace {

constexpr size_t kHeaderSize = 16;  // sizeof(struct nlmsghdr)
static_assert(sizeof(struct nlmsghdr) == kHeaderSize);

constexpr size_t Align4(size_t length) { return (length + 3) & ~size_t{3}; }

}  // namespace

bool MessageReader::Next(Message* message) {
  if (rest_.empty() || malformed_) return false;
  if (rest_.size() < kHeaderSize) {
    malformed_ = true;
    return false;
  }
  const uint32_t length = LoadHost<uint32_t>(rest_, 0);
  if (length < kHeaderSize || length > rest_.size()) {
    malformed_ = true;
    return false;
  }
  message->type = LoadHost<uint16_t>(rest_, 4);
  message->flags = LoadHost<uint16_t>(rest_, 6);
  message->sequence = LoadHost<uint32_t>(rest_, 8);
  message->port_id = LoadHost<uint32_t>(rest_, 12);
  message->payload = rest_.subspan(kHeaderSize, length - kHeaderSize);
  // The last message of a buffer may omit its alignment padding.
  const size_t advance = Align4(length) < rest_.size() ? Align4(length) : rest_.size();
  rest_ = rest_.subspan(advance);
  return true;
}

Bytes AttributesAfterHeader(Bytes payload, size_t header_size) {
  const size_t start = Align4(header_size);
  if (payload.size() < header_size) return Bytes();
  if (payload.size() <= start) return Bytes();
  return payload.subspan(start);
}

}  // namespace phantun_runtime::netlink
