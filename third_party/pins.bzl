"""Every pinned input of the build and the tests, with its sha256: the one source of truth.

WORKSPACE loads these constants and Bazel checks each hash when it unpacks the file (see
third_party/cached_archive.bzl); third_party/pins.sh turns the same lines into shell variables for
setup.sh and the scripts that need a version. Keep each pin on one line of the form NAME = "value".
"""

# Zig: the musl C/C++ toolchain (clang + libc++ + musl), taken as a wheel from PyPI and unpacked by
# Bazel, never installed into any Python.
ZIG_VERSION = "0.14.1"
ZIG_WHEEL_x86_64 = "ziglang-0.14.1-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl"
ZIG_WHEEL_SHA256_x86_64 = "6eb9d4d759b292c83810dbee2e9e8e3fbfbf01d864e6e9811bae711fd74e1c2f"

# Abseil and GoogleTest: source tarballs from Debian's bookworm source packages (apt verifies the
# signed .dsc when setup.sh downloads them; Bazel checks the sha256 below when it unpacks them).
ABSEIL_DEBIAN_SOURCE = "abseil"
ABSEIL_TARBALL = "abseil_20220623.1.orig.tar.gz"
ABSEIL_SHA256 = "abfe2897f3a30edaa74bc34365afe3c2a3cd012091a97dc7e008f7016adcd5fe"
ABSEIL_DIR = "abseil-20220623.1"

GOOGLETEST_DEBIAN_SOURCE = "googletest"
GOOGLETEST_TARBALL = "googletest_1.12.1.orig.tar.gz"
GOOGLETEST_SHA256 = "81964fe578e9bd7c94dfdb09c8e4d6e6759e19967e397dbea48d1c10e45d0df2"
GOOGLETEST_DIR = "googletest-release-1.12.1"

# Upstream phantun, built unmodified from crates.io (with its own lock file) for the tests.
PHANTUN_CRATE_VERSION = "0.8.1"
