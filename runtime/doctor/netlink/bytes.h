#ifndef PHANTUN_RUNTIME_DOCTOR_NETLINK_BYTES_H_
#define PHANTUN_RUNTIME_DOCTOR_NETLINK_BYTES_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <string_view>

#include "absl/types/span.h"

namespace phantun_runtime::netlink {

// A read-only view of bytes the kernel (or a capture of it) produced. Every load below is a memcpy,
// so no input is ever read through a misaligned or type-punned pointer.
using Bytes = absl::Span<const uint8_t>;

inline Bytes AsBytes(std::string_view text) {
  return Bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

inline std::string_view AsText(Bytes bytes) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// `bytes[offset, offset + length)`, or an empty view when that range is not inside `bytes`.
inline Bytes Slice(Bytes bytes, size_t offset, size_t length) {
  if (offset > bytes.size() || length > bytes.size() - offset) return Bytes();
  return bytes.subspan(offset, length);
}

// Host-order loads; the caller has checked that `offset + sizeof(T)` is inside `bytes`.
template <typename T>
T LoadHost(Bytes bytes, size_t offset) {
  T value;
  memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

// Big-endian (network order) loads, same precondition.
inline uint16_t LoadBe16(Bytes bytes, size_t offset) {
  return static_cast<uint16_t>((bytes[offset] << 8) | bytes[offset + 1]);
}

inline uint32_t LoadBe32(Bytes bytes, size_t offset) {
  return (uint32_t{bytes[offset]} << 24) | (uint32_t{bytes[offset + 1]} << 16) |
         (uint32_t{bytes[offset + 2]} << 8) | uint32_t{bytes[offset + 3]};
}

inline uint64_t LoadBe64(Bytes bytes, size_t offset) {
  return (uint64_t{LoadBe32(bytes, offset)} << 32) | LoadBe32(bytes, offset + 4);
}

}  // namespace phantun_runtime::netlink

#endif  // PHANTUN_RUNTIME_DOCTOR_NETLINK_BYTES_H_
