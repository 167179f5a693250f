#ifndef PHANTUN_RUNTIME_RUN_RESIDENT_MEMORY_H_
#define PHANTUN_RUNTIME_RUN_RESIDENT_MEMORY_H_

namespace phantun_runtime {

// Gives back what the runtime no longer needs resident once phantun runs, and keeps it small
// afterwards. phantun-run spends phantun's whole life in one loop that touches a few pages of
// code, but starting it touched pages all over the executable, and Linux maps file pages by whole
// 64 KiB fault-around windows: left alone, the runtime keeps most of its executable mapped (VmRSS
// ~320 KiB) for as long as phantun runs.
//
// So, for each read-only segment of the executable (code, constants): every other page gets
// different advice (MADV_RANDOM), which splits the mapping into one-page pieces (a fault maps no
// more than its own piece, however large the kernel's fault-around), then the whole segment is
// dropped from the page tables (MADV_DONTNEED; the pages stay in the page cache, shared and clean,
// and come back on the next touch, a minor fault). The stack below the caller's frame, which start-
// up used and the loop never reaches, is dropped too. Nothing here can fail in a way that matters:
// each call is advice, and a refusal leaves the memory as it was.
void ShedStartupMemory();

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_RESIDENT_MEMORY_H_
