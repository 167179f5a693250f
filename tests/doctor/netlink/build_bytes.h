#ifndef PHANTUN_TESTS_DOCTOR_NETLINK_BUILD_BYTES_H_
#define PHANTUN_TESTS_DOCTOR_NETLINK_BUILD_BYTES_H_

#include <stdint.h>
#include <string.h>

#include <string>
#include <string_view>

namespace phantun_test {

// Hand-built netlink bytes for the edge cases a kernel never sends. Host byte order for the
// headers, like the kernel's.

inline std::string Pad4(std::string bytes) {
  bytes.resize((bytes.size() + 3) & ~size_t{3}, '\0');
  return bytes;
}

template <typename T>
std::string Raw(T value) {
  std::string bytes(sizeof(T), '\0');
  memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

inline std::string BigEndian32(uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16), static_cast<char>(value >> 8),
          static_cast<char>(value)};
}

// One struct nlattr with its payload, padded to 4 bytes.
inline std::string Attr(uint16_t type, std::string_view payload) {
  std::string bytes = Raw<uint16_t>(static_cast<uint16_t>(4 + payload.size())) + Raw<uint16_t>(type);
  bytes.append(payload);
  return Pad4(bytes);
}

// One struct nlmsghdr with its payload, padded to 4 bytes.
inline std::string Message(uint16_t type, uint16_t flags, uint32_t sequence, std::string_view payload) {
  std::string bytes = Raw<uint32_t>(static_cast<uint32_t>(16 + payload.size())) + Raw<uint16_t>(type) +
                      Raw<uint16_t>(flags) + Raw<uint32_t>(sequence) + Raw<uint32_t>(0);
  bytes.append(payload);
  return Pad4(bytes);
}

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_DOCTOR_NETLINK_BUILD_BYTES_H_
