#include "runtime/run/interpreter.h"

#include <stdint.h>

#include <string>

#include "gtest/gtest.h"

namespace phantun_runtime {
namespace {

// Appends `value` as `size` bytes in the given byte order.
void Put(std::string* out, uint64_t value, int size, bool big_endian) {
  for (int i = 0; i < size; ++i) {
    const int shift = 8 * (big_endian ? size - 1 - i : i);
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

// A minimal ELF executable's head: the ELF header, then `types` as program headers, with the
// PT_INTERP one (type 3) pointing at `interp` placed right after them.
std::string ElfHead(bool is64, bool big, const std::string& interp, std::initializer_list<uint32_t> types) {
  const int word = is64 ? 8 : 4;
  const uint64_t ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32;
  const uint64_t interp_at = ehsize + phentsize * types.size();
  std::string h = "\x7f" "ELF";
  h.push_back(is64 ? 2 : 1);
  h.push_back(big ? 2 : 1);
  h.push_back(1);
  h.resize(16, '\0');
  Put(&h, 2, 2, big);                  // e_type: ET_EXEC
  Put(&h, is64 ? 62 : 8, 2, big);      // e_machine: x86-64 or MIPS
  Put(&h, 1, 4, big);                  // e_version
  Put(&h, 0, word, big);               // e_entry
  Put(&h, ehsize, word, big);          // e_phoff
  Put(&h, 0, word, big);               // e_shoff
  Put(&h, 0, 4, big);                  // e_flags
  Put(&h, ehsize, 2, big);             // e_ehsize
  Put(&h, phentsize, 2, big);          // e_phentsize
  Put(&h, types.size(), 2, big);       // e_phnum
  h.resize(ehsize, '\0');
  for (uint32_t type : types) {
    const size_t start = h.size();
    Put(&h, type, 4, big);             // p_type
    if (is64) Put(&h, 0, 4, big);      // p_flags (64-bit: second)
    Put(&h, type == 3 ? interp_at : 0, word, big);                  // p_offset
    Put(&h, 0, word, big);                                          // p_vaddr
    Put(&h, 0, word, big);                                          // p_paddr
    Put(&h, type == 3 ? interp.size() + 1 : 0, word, big);          // p_filesz
    h.resize(start + phentsize, '\0');
  }
  h += interp;
  h.push_back('\0');
  return h;
}

TEST(InterpreterNamedIn, ScriptLine) {
  EXPECT_EQ(InterpreterNamedIn("#!/bin/sh\necho\n"), "/bin/sh");
  EXPECT_EQ(InterpreterNamedIn("#! /usr/bin/env python3\n"), "/usr/bin/env");
  EXPECT_EQ(InterpreterNamedIn("#!\t/opt/x -e\n"), "/opt/x");
  EXPECT_EQ(InterpreterNamedIn("#!/no/newline"), "/no/newline");
  EXPECT_EQ(InterpreterNamedIn("#!   \n"), "");
}

TEST(InterpreterNamedIn, DynamicLoaderOf64BitLittleEndianElf) {
  EXPECT_EQ(InterpreterNamedIn(ElfHead(true, false, "/lib64/ld-linux-x86-64.so.2", {6, 3, 1})),
            "/lib64/ld-linux-x86-64.so.2");
}

TEST(InterpreterNamedIn, DynamicLoaderOf32BitBigEndianElf) {
  EXPECT_EQ(InterpreterNamedIn(ElfHead(false, true, "/lib/ld-musl-mips-sf.so.1", {3, 1})), "/lib/ld-musl-mips-sf.so.1");
}

TEST(InterpreterNamedIn, StaticElfNamesNone) {
  EXPECT_EQ(InterpreterNamedIn(ElfHead(true, false, "", {1, 1})), "");
}

TEST(InterpreterNamedIn, TruncatedOrForeignHeadsNameNone) {
  const std::string elf = ElfHead(true, false, "/lib/ld.so", {3});
  for (size_t size = 0; size < elf.size() - 1; ++size) {
    EXPECT_EQ(InterpreterNamedIn(elf.substr(0, size)), "") << size;
  }
  EXPECT_EQ(InterpreterNamedIn("MZ\x90\x00"), "");
  EXPECT_EQ(InterpreterNamedIn(""), "");
}

}  // namespace
}  // namespace phantun_runtime
