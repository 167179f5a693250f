# The architectures phantun-runtime is released for. Sourced by the scripts in tests/release/ and
# tests/emulated/. Each name is a `--config` in .bazelrc; third_party/zig/repository.bzl says which
# Zig target, CPU and float ABI it builds.
#
# release_arches       the names, in release order
# release_triple ARCH  the suffix of the release tarball: the Rust target triple that upstream
#                      phantun's release assets for the same machine use, so the two pair up
release_arches=(x86_64 i686 aarch64 armv7 mipsel mips mips64)

release_triple() {
  case $1 in
    x86_64) echo x86_64-unknown-linux-musl ;;
    i686) echo i686-unknown-linux-musl ;;
    aarch64) echo aarch64-unknown-linux-musl ;;
    armv7) echo armv7-unknown-linux-musleabihf ;;
    mipsel) echo mipsel-unknown-linux-musl ;;
    mips) echo mips-unknown-linux-musl ;;
    mips64) echo mips64-unknown-linux-muslabi64 ;;
    *) return 1 ;;
  esac
}

# parse_arches LIST: "all" or a comma/space separated subset; prints the names, one a line, or fails.
parse_arches() {
  local list=${1//,/ } a
  if [ "$list" = all ]; then
    printf '%s\n' "${release_arches[@]}"
    return 0
  fi
  for a in $list; do
    release_triple "$a" >/dev/null || { echo "unknown architecture '$a' (known: ${release_arches[*]})" >&2; return 1; }
    echo "$a"
  done
}
