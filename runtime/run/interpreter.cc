#include "runtime/run/interpreter.h"

#include <stdint.h>

namespace phantun_runtime {
namespace {

// "#!" then optional blanks, then the interpreter's path up to the next blank or end of line (what
// the kernel's binfmt_script reads).
std::string_view ScriptInterpreter(std::string_view head) {
  head.remove_prefix(2);
  const size_t start = head.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  head.remove_prefix(start);
  return head.substr(0, head.find_first_of(" \t\n"));
}

// An unsigned field of `size` bytes at `offset`, in the file's own byte order; nullopt-like false
// when the head does not reach that far.
bool ReadField(std::string_view head, uint64_t offset, int size, bool big_endian, uint64_t* value) {
  if (offset > head.size() || head.size() - offset < static_cast<uint64_t>(size)) return false;
  *value = 0;
  for (int i = 0; i < size; ++i) {
    const int shift = 8 * (big_endian ? size - 1 - i : i);
    *value |= static_cast<uint64_t>(static_cast<unsigned char>(head[offset + i])) << shift;
  }
  return true;
}

// The PT_INTERP segment's text, for 32- and 64-bit ELF of either byte order (phantun ships for
// both, MIPS being big-endian). Offsets are those of the ELF specification's Ehdr and Phdr.
std::string_view ElfInterpreter(std::string_view head) {
  constexpr unsigned char kClass64 = 2, kBigEndian = 2;
  constexpr uint64_t kPtInterp = 3;
  if (head.size() < 6) return {};
  const bool is64 = static_cast<unsigned char>(head[4]) == kClass64;
  const bool big = static_cast<unsigned char>(head[5]) == kBigEndian;
  const int word = is64 ? 8 : 4;
  uint64_t phoff, phentsize, phnum;
  if (!ReadField(head, is64 ? 32 : 28, word, big, &phoff) ||
      !ReadField(head, is64 ? 54 : 42, 2, big, &phentsize) || !ReadField(head, is64 ? 56 : 44, 2, big, &phnum)) {
    return {};
  }
  for (uint64_t i = 0; i < phnum; ++i) {
    const uint64_t entry = phoff + i * phentsize;
    uint64_t type, offset, size;
    if (!ReadField(head, entry, 4, big, &type)) return {};
    if (type != kPtInterp) continue;
    if (!ReadField(head, entry + (is64 ? 8 : 4), word, big, &offset) ||
        !ReadField(head, entry + (is64 ? 32 : 16), word, big, &size) || offset > head.size() ||
        head.size() - offset < size) {
      return {};
    }
    std::string_view path = head.substr(offset, size);
    return path.substr(0, path.find('\0'));
  }
  return {};
}

}  // namespace

std::string_view InterpreterNamedIn(std::string_view head) {
  if (head.substr(0, 2) == "#!") return ScriptInterpreter(head);
  if (head.substr(0, 4) == "\x7f" "ELF") return ElfInterpreter(head);
  return {};
}

}  // namespace phantun_runtime
