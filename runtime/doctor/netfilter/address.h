#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_ADDRESS_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_ADDRESS_H_

#include <optional>
#include <string>
#include <string_view>

namespace phantun_runtime::netfilter {

// "192.168.201.2" -> its 4 raw bytes, "fcc9::2" -> 16; std::nullopt for anything else.
std::optional<std::string> ParseIpAddress(std::string_view text);

// The reverse; 4 or 16 bytes, anything else gives "?".
std::string FormatIpAddress(std::string_view raw);

// "198.18.0.0/15" for an address and a contiguous mask of the same size, else "addr & mask".
std::string FormatPrefix(std::string_view address, std::string_view mask);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_ADDRESS_H_
