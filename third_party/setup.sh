#!/usr/bin/env bash
# Installs and fetches every input that the build and the tests need, on a fresh Debian 12 machine as
# root. Idempotent: each step first checks whether its result is already in place, so a second run
# installs, downloads and builds nothing.
#
# Results (all git-ignored, under third_party/.cache/):
#   zig-<version>/zig                      the musl C/C++ toolchain
#   src/<abseil dir>, src/<googletest dir>  verified library sources, used as local Bazel repositories
#   phantun-<version>/bin/phantun_{client,server}  upstream phantun built from crates.io
# and .bazelrc.local at the repository root, which tells Bazel where those absolute paths are.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
# shellcheck source=pins.sh
. "$here/pins.sh"
cache="$here/.cache"
mkdir -p "$cache/downloads" "$cache/src"

say() { echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (apt-get, network namespaces and TUN devices need it)"

# ---------------------------------------------------------------------------------------------
# Debian packages. Only the missing ones are installed, so a second run never touches apt.
apt_packages=(
  bazel-bootstrap bazel-skylib bazel-platforms bazel-rules-java   # Bazel 4.2.3 and its rule sets
  g++                                                               # host compiler for the sanitizer config
  ca-certificates unzip file binutils                               # fetching and inspecting artifacts
  iproute2 nftables iptables util-linux libcap2-bin strace          # tests: namespaces, NAT, capabilities
  clang-14 libclang-rt-14-dev                                       # tests/doctor/fuzz.sh: libFuzzer, ASan, UBSan
  qemu-user-static                                                  # tests/emulated: every architecture's binary under qemu-user
  tini dumb-init catatonit hyperfine valgrind python3               # tests/bench: the peers, timing, instruction counts, report
  podman runc python3-yaml                                          # tests/image: the image (podman, runc), deploy examples
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

sha256_ok() { # file expected
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

# ---------------------------------------------------------------------------------------------
# Abseil and GoogleTest sources from Debian's source archive. apt checks the signed .dsc and the
# Release file; the sha256 pinned in pins.sh is checked again so a changed archive cannot slip in.
fetch_debian_source() { # source-package tarball sha256 dir
  local pkg=$1 tarball=$2 sum=$3 dir=$4
  [ -d "$cache/src/$dir" ] && return 0
  if ! sha256_ok "$cache/downloads/$tarball" "$sum"; then
    enable_deb_src
    say "downloading the Debian source package $pkg"
    (cd "$cache/downloads" && apt-get "${apt_private[@]}" source --download-only -qq "$pkg" >/dev/null)
    sha256_ok "$cache/downloads/$tarball" "$sum" ||
      die "$tarball: sha256 is not the pinned $sum"
  fi
  local tmp
  tmp=$(mktemp -d "$cache/src/.extract.XXXXXX")
  tar -xzf "$cache/downloads/$tarball" -C "$tmp"
  [ -d "$tmp/$dir" ] || die "$tarball: expected the top folder $dir"
  mv "$tmp/$dir" "$cache/src/$dir"
  rmdir "$tmp"
}

# deb-src entries mirroring the machine's own deb entries (same archive, same signing key), kept in a
# private apt configuration under the cache: the host's /etc/apt is read, never written, and the
# host's own package lists are left as they were. No archive address is written by this project.
apt_private=()
enable_deb_src() {
  [ ${#apt_private[@]} -eq 0 ] || return 0
  local dir="$cache/apt" f found=no
  rm -rf "$dir/sources.list.d.tmp"
  mkdir -p "$dir/sources.list.d.tmp" "$dir/lists/partial" "$dir/archives/partial"
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    grep -q '^Types:.*\bdeb\b' "$f" || continue
    grep -q '^Suites:.*bookworm' "$f" || continue
    sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$dir/sources.list.d.tmp/$(basename "$f")"
    found=yes
  done
  if [ -f /etc/apt/sources.list ]; then
    sed -n -E 's/^deb (.*bookworm.*)/deb-src \1/p' /etc/apt/sources.list >"$dir/sources.list.d.tmp/from-sources-list.list"
    [ -s "$dir/sources.list.d.tmp/from-sources-list.list" ] && found=yes
  fi
  [ "$found" = yes ] || die "no Debian bookworm apt source found to mirror as deb-src"
  rm -rf "$dir/sources.list.d"
  mv "$dir/sources.list.d.tmp" "$dir/sources.list.d"
  apt_private=(
    -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$dir/sources.list.d"
    -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache::Archives=$dir/archives"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  )
  apt-get "${apt_private[@]}" update -qq
}

fetch_debian_source "$ABSEIL_DEBIAN_SOURCE" "$ABSEIL_TARBALL" "$ABSEIL_SHA256" "$ABSEIL_DIR"
fetch_debian_source "$GOOGLETEST_DEBIAN_SOURCE" "$GOOGLETEST_TARBALL" "$GOOGLETEST_SHA256" "$GOOGLETEST_DIR"

# ---------------------------------------------------------------------------------------------
# Zig, unpacked from its PyPI wheel: the wheel is a zip holding the zig binary and its lib/ folder,
# so no Python environment is created or changed.
zig_dir="$cache/zig-$ZIG_VERSION"
if [ ! -x "$zig_dir/zig" ]; then
  arch=$(uname -m)
  wheel_var="ZIG_WHEEL_$arch" sum_var="ZIG_WHEEL_SHA256_$arch"
  wheel=${!wheel_var:-} sum=${!sum_var:-}
  [ -n "$wheel" ] || die "no Zig wheel is pinned for the build machine architecture $arch"
  if ! sha256_ok "$cache/downloads/$wheel" "$sum"; then
    say "downloading Zig $ZIG_VERSION"
    python3 -m pip download -q --no-deps --only-binary=:all: --dest "$cache/downloads" \
      --platform "manylinux_2_12_$arch" "ziglang==$ZIG_VERSION"
    sha256_ok "$cache/downloads/$wheel" "$sum" || die "$wheel: sha256 is not the pinned $sum"
  fi
  tmp=$(mktemp -d "$cache/.zig.XXXXXX")
  unzip -q "$cache/downloads/$wheel" 'ziglang/*' -d "$tmp"
  chmod +x "$tmp/ziglang/zig"
  mv "$tmp/ziglang" "$zig_dir"
  rmdir "$tmp"
fi
mkdir -p "$cache/zig-cache"

# ---------------------------------------------------------------------------------------------
# Upstream phantun, unmodified, from crates.io with its own lock file. Linked statically
# (crt-static) so the same two files serve the tests, bare-host demos and the FROM scratch image.
phantun_dir="$cache/phantun-$PHANTUN_CRATE_VERSION"
if [ ! -x "$phantun_dir/bin/phantun_client" ] || [ ! -x "$phantun_dir/bin/phantun_server" ]; then
  cargo=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")
  [ -x "$cargo" ] || die "cargo (Rust >= 1.85) is needed to build phantun $PHANTUN_CRATE_VERSION"
  host_triple=$("$(dirname "$cargo")/rustc" -vV | sed -n 's/^host: //p')
  say "building phantun $PHANTUN_CRATE_VERSION from crates.io (a few minutes)"
  RUSTFLAGS="-C target-feature=+crt-static" "$cargo" install -q phantun \
    --version "$PHANTUN_CRATE_VERSION" --locked --target "$host_triple" \
    --root "$phantun_dir.build"
  # crates.io names the binaries client and server; upstream's releases and docs call them
  # phantun_client and phantun_server, the names phantun-run looks for.
  mkdir -p "$phantun_dir/bin"
  cp "$phantun_dir.build/bin/client" "$phantun_dir/bin/phantun_client"
  cp "$phantun_dir.build/bin/server" "$phantun_dir/bin/phantun_server"
  rm -rf "$phantun_dir.build"
fi

# ---------------------------------------------------------------------------------------------
# Tell Bazel where the absolute paths are. Written only when its content changes, so Bazel's
# analysis cache survives a second run.
rc="$repo/.bazelrc.local"
want=$(cat <<EOF
# Written by third_party/setup.sh; not committed.
build --sandbox_writable_path=$cache/zig-cache
build --test_env=PHANTUN_BIN_DIR=$phantun_dir/bin
EOF
)
if [ ! -f "$rc" ] || [ "$(cat "$rc")" != "$want" ]; then
  printf '%s\n' "$want" >"$rc"
fi
say "ready"
