#include "runtime/run/resident_memory.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>

namespace phantun_runtime {
namespace {

// The stack below the caller's frame that is dropped: more than start-up ever used, less than any
// stack limit; the part of it that is not mapped is skipped by the kernel.
constexpr uintptr_t kStackToDrop = 256 * 1024;

void ShedSegment(uintptr_t begin, uintptr_t end, uintptr_t page) {
  begin &= ~(page - 1);
  end = (end + page - 1) & ~(page - 1);
  for (uintptr_t at = begin + page; at < end; at += 2 * page) {
    madvise(reinterpret_cast<void*>(at), page, MADV_RANDOM);
  }
  madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace

void ShedStartupMemory() {
  const uintptr_t page = getauxval(AT_PAGESZ);
  const auto* headers = reinterpret_cast<const ElfW(Phdr)*>(getauxval(AT_PHDR));
  const size_t count = getauxval(AT_PHNUM);
  if (page == 0 || headers == nullptr) return;
  // A static position-independent executable is loaded at an offset from its link addresses: the
  // program headers' own entry says by how much.
  uintptr_t load_bias = 0;
  for (size_t i = 0; i < count; ++i) {
    if (headers[i].p_type == PT_PHDR) load_bias = reinterpret_cast<uintptr_t>(headers) - headers[i].p_vaddr;
  }
  // The ranges first: the program headers are in the first read-only segment, and reading them
  // after it is dropped would bring its first page back.
  constexpr size_t kMaxSegments = 8;
  uintptr_t ranges[kMaxSegments][2];
  size_t segments = 0;
  for (size_t i = 0; i < count && segments < kMaxSegments; ++i) {
    const ElfW(Phdr)& header = headers[i];
    // Only what the file backs and nobody writes: dropping a written page would lose the write.
    if (header.p_type != PT_LOAD || (header.p_flags & PF_W) != 0) continue;
    ranges[segments][0] = load_bias + header.p_vaddr;
    ranges[segments][1] = load_bias + header.p_vaddr + header.p_memsz;
    ++segments;
  }
  for (size_t i = 0; i < segments; ++i) ShedSegment(ranges[i][0], ranges[i][1], page);
  // Below this frame, with a page to spare for the calls still to come from here.
  const uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) & ~(page - 1);
  if (here > kStackToDrop + 2 * page) {
    madvise(reinterpret_cast<void*>(here - kStackToDrop), kStackToDrop - 2 * page, MADV_DONTNEED);
  }
}

}  // namespace phantun_runtime
