#!/usr/bin/env bash
# Builds phantun-runtime for the image exactly as CI does: third_party/setup.sh --build puts the
# pinned inputs in place, then Bazel builds //cmd:phantun-runtime with the Zig musl toolchain. The
# runtime-build stage of image/Dockerfile runs it in a Debian bookworm builder, from /src (a copy of
# the files the binary is built from), on the build machine's platform.
#
# Usage: build-runtime.sh setup        (as root, in /src) install the toolchain and inputs
#        build-runtime.sh build OUT    build for TARGETARCH (amd64 or arm64, default: this machine's)
# `build` writes OUT/bin/phantun-runtime, one OUT/bin/<applet> -> phantun-runtime link for every name
# `phantun-runtime --list` prints, and OUT/SHA256SUMS (of the binary, path relative to OUT).
set -euo pipefail

say() { echo "build-runtime: $*" >&2; }
die() { echo "build-runtime: error: $*" >&2; exit 1; }

[ -f WORKSPACE ] && [ -f third_party/setup.sh ] || die "run from the copy of the repository (/src)"

case ${1:-} in
  setup)
    # Only the build's inputs (Bazel, Zig, Abseil and GoogleTest sources, and the Debian packages
    # those need, pip included): the image's phantun comes from the phantun-build stage, and the
    # lab's tools (podman, qemu, valgrind, the peer launchers...) have no place in a builder.
    bash third_party/setup.sh --build
    ;;
  build)
    out=${2:?usage: build-runtime.sh build OUT}
    host_arch=$(dpkg --print-architecture)
    target_arch=${TARGETARCH:-$host_arch}
    [ "$host_arch" = amd64 ] || die "the build machine must be amd64 (third_party/pins.bzl pins Zig for x86_64 only), not $host_arch"
    case $target_arch in
      amd64) config=() machine='Advanced Micro Devices X86-64' ;;
      arm64) config=(--config=aarch64) machine='AArch64' ;;
      *) die "TARGETARCH='$target_arch' is not supported (amd64 or arm64)" ;;
    esac
    # Zig builds libc++ and musl with many files open at once: 1024 descriptors (the default of a
    # podman or containerd RUN step) is not enough.
    ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
    if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt 4096 ]; then
      die "only $(ulimit -Sn) open files allowed; build with --ulimit nofile=65536:65536 (podman build, docker buildx build)"
    fi
    # The host build always: its `--list` names the applet links (a cross-built binary cannot run here).
    bazel build //cmd:phantun-runtime
    host_bin=$(bazel info bazel-bin)/cmd/phantun-runtime
    bin=$host_bin
    if [ ${#config[@]} -gt 0 ]; then
      bazel build "${config[@]}" //cmd:phantun-runtime
      bin=$(bazel info "${config[@]}" bazel-bin)/cmd/phantun-runtime
    fi
    readelf -hW "$bin" | grep -c "Machine: *$machine\$" >/dev/null || die "$bin: not a $target_arch binary"
    ! readelf -lW "$bin" | grep -c 'program interpreter' >/dev/null || die "$bin: not statically linked"
    mkdir -p "$out/bin"
    install -m 0755 "$bin" "$out/bin/phantun-runtime"
    applets=$("$host_bin" --list)
    for name in $applets; do
      case $name in
        */* | . | .. | phantun-runtime | phantun_client | phantun_server) die "unexpected applet name '$name'" ;;
      esac
      ln -s phantun-runtime "$out/bin/$name"
    done
    (cd "$out" && sha256sum bin/phantun-runtime >SHA256SUMS)
    bazel shutdown
    say "done: $("$host_bin" --version) for $target_arch, applets: ${applets//$'\n'/ }"
    ;;
  *) die "usage: build-runtime.sh setup | build OUT" ;;
esac
