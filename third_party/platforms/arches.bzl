"""The architectures phantun-runtime ships for: one Bazel platform each (BUILD.bazel here) and one
Zig toolchain each (//third_party/zig:repository.bzl), matched by constraints, never by --cpu.

ARCHES: name -> (Zig target triple, Zig target flags, @platforms CPU constraint). The flags go to
every compile and link action: Zig builds musl and libc++ at link time for exactly the CPU it is
told there, so the whole binary agrees on one CPU model and float ABI. `-mcpu` takes Zig's syntax
(a Zig CPU model, then +feature/-feature), not gcc's -march. .bazelrc has a `build:<name>` config
for each (`bazel build --config=armv7 ...`); x86_64 is the default.
"""

ARCHES = {
    # x86-64 baseline (SSE2 only), the default.
    "x86_64": ("x86_64-linux-musl", [], "@platforms//cpu:x86_64"),
    # 32-bit x86: Pentium 4 (i686 + SSE2), the same baseline as Rust's i686-unknown-linux-musl,
    # which upstream phantun's i686 binaries are built with.
    "i686": ("x86-linux-musl", ["-mcpu=pentium4"], "@platforms//cpu:x86_32"),
    # ARMv8-A, generic.
    "aarch64": ("aarch64-linux-musl", [], "@platforms//cpu:aarch64"),
    # ARMv7-A, hard-float (arguments in VFP registers), VFPv3-D16, Thumb-2, no NEON: what Debian
    # armhf and Rust's armv7-unknown-linux-musleabihf assume. Zig's own ARM baseline (v7a) would
    # pull in NEON and 32 D registers, which e.g. Marvell Armada and Tegra 2 cores lack.
    "armv7": ("arm-linux-musleabihf", ["-mcpu=generic+v7a-neon-d32"], "@platforms//cpu:armv7"),
    # MIPS32r2, o32, soft-float, little and big endian: OpenWrt's mipsel_24kc / mips_24kc userland.
    # musleabi already means soft-float in Zig; -msoft-float says it again for the reader.
    "mipsel": ("mipsel-linux-musleabi", ["-mcpu=mips32r2", "-msoft-float"], "@//third_party/platforms:mipsel"),
    "mips": ("mips-linux-musleabi", ["-mcpu=mips32r2", "-msoft-float"], "@//third_party/platforms:mips"),
    # MIPS64r2, n64 ABI, big endian, hard-float: the same as Rust's mips64-unknown-linux-muslabi64.
    # n64 code is always position-independent (abicalls); -Wno-option-ignored silences clang's
    # note that it ignores the -fno-PIC Zig adds for static executables.
    "mips64": ("mips64-linux-muslabi64", ["-mcpu=mips64r2", "-Wno-option-ignored"], "@//third_party/platforms:mips64"),
}

# What every phantun-runtime target platform has besides its CPU.
COMMON_CONSTRAINTS = ["@platforms//os:linux", "@//third_party/platforms:musl"]
