#ifndef PHANTUN_TESTS_SUPPORT_HEX_H_
#define PHANTUN_TESTS_SUPPORT_HEX_H_

#include <string>
#include <string_view>

namespace phantun_test {

// Two lower-case hex digits per byte: how the fake puts arbitrary bytes (newlines, NULs, non-UTF-8)
// on its one-line-per-event channel.
std::string HexEncode(std::string_view bytes);

// The inverse of HexEncode; false for an odd length or a non-hex digit.
bool HexDecode(std::string_view hex, std::string* bytes);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_HEX_H_
