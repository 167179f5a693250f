# Pinned inputs of the build and the tests. Sourced by third_party/setup.sh (and later by the image build),
# so that one file says exactly what goes into a phantun-runtime binary.

# Zig: the musl C/C++ toolchain (clang + libc++ + musl), taken as a wheel from PyPI and unpacked,
# never installed into any Python.
ZIG_VERSION=0.14.1
ZIG_WHEEL_x86_64=ziglang-0.14.1-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl
ZIG_WHEEL_SHA256_x86_64=6eb9d4d759b292c83810dbee2e9e8e3fbfbf01d864e6e9811bae711fd74e1c2f

# Abseil and GoogleTest: source tarballs from Debian's bookworm source packages (apt verifies the signed
# .dsc; the sha256 below is checked again here).
ABSEIL_DEBIAN_SOURCE=abseil
ABSEIL_TARBALL=abseil_20220623.1.orig.tar.gz
ABSEIL_SHA256=abfe2897f3a30edaa74bc34365afe3c2a3cd012091a97dc7e008f7016adcd5fe
ABSEIL_DIR=abseil-20220623.1

GOOGLETEST_DEBIAN_SOURCE=googletest
GOOGLETEST_TARBALL=googletest_1.12.1.orig.tar.gz
GOOGLETEST_SHA256=81964fe578e9bd7c94dfdb09c8e4d6e6759e19967e397dbea48d1c10e45d0df2
GOOGLETEST_DIR=googletest-release-1.12.1

# Upstream phantun, built unmodified from crates.io for the tests.
PHANTUN_CRATE_VERSION=0.8.1
