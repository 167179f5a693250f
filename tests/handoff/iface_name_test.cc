#include "runtime/handoff/iface_name.h"

#include <string>

#include "gtest/gtest.h"

namespace phantun_runtime {
namespace {

bool Valid(std::string_view name) { return InterfaceNameProblem(name).empty(); }

TEST(InterfaceName, AcceptsOrdinaryNames) {
  for (const char* name : {"ptun0", "tun0", "p", "a-b_c.d", "123456789012345", "..a", "é", "\x7f"}) {
    EXPECT_TRUE(Valid(name)) << name;
  }
}

TEST(InterfaceName, LengthIsOneToFifteenBytes) {
  EXPECT_FALSE(Valid(""));
  EXPECT_TRUE(Valid(std::string(15, 'x')));
  EXPECT_FALSE(Valid(std::string(16, 'x')));
  EXPECT_FALSE(Valid("ééééééééé"));  // 18 bytes, though 9 characters
}

TEST(InterfaceName, RefusesWhatTheKernelRefuses) {
  for (const char* name : {".", "..", "a/b", "/", "a:b", "a b", "a\tb", "a\nb", "a\vb", "a\fb", "a\rb", " a", "a "}) {
    EXPECT_FALSE(Valid(name)) << name;
  }
  EXPECT_FALSE(Valid(std::string_view("a\0b", 3)));
}

// The kernel's isspace() reads its own Latin-1 table, in which 0xA0 (no-break space) is white
// space; every other byte from 0x80 up is an ordinary name byte.
TEST(InterfaceName, RefusesTheKernelsLatin1WhiteSpace) {
  EXPECT_FALSE(Valid("a\xa0" "b"));
  EXPECT_FALSE(Valid("\xa0"));
  EXPECT_TRUE(Valid("a\x9f" "b"));
  EXPECT_TRUE(Valid("a\xa1" "b"));
  EXPECT_TRUE(Valid("a\x85" "b"));  // NEL: white space in some locales, not to the kernel
}

TEST(InterfaceName, ProblemNamesTheRule) {
  EXPECT_EQ(InterfaceNameProblem(""), "must not be empty");
  EXPECT_EQ(InterfaceNameProblem(std::string(16, 'x')), "must be at most 15 bytes");
  EXPECT_EQ(InterfaceNameProblem(".."), "must not be \".\" or \"..\"");
  EXPECT_EQ(InterfaceNameProblem("a:b"), "must not contain '/', ':', white space or NUL");
}

}  // namespace
}  // namespace phantun_runtime
