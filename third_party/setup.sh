#!/usr/bin/env bash
# Installs and fetches every input that the build and the tests need, on a fresh Debian 12 machine as
# root. Idempotent: each step first checks whether its result is already in place, so a second run
# installs, downloads and builds nothing.
#
# Usage: third_party/setup.sh           the build and the lab: everything the tests, benchmarks, the
#                                        tunnel demo, the image tests, emulation and fuzzing use
#                                        (tests/run_all.sh and the README's commands call this)
#        third_party/setup.sh --build   only what `bazel build //cmd:phantun-runtime` needs (the image's
#                                        builder stage, image/build-runtime.sh)
#
# Results (all git-ignored, under third_party/.cache/):
#   downloads/<file>   the pinned archives of third_party/pins.bzl (Zig's wheel, the Abseil and
#                      GoogleTest source tarballs), each checked against its sha256; Bazel checks
#                      the sha256 again when it unpacks them (third_party/cached_archive.bzl)
#   zig-cache/         Zig's cache of the musl and libc++ it builds per target
#   phantun-<version>/bin/phantun_{client,server}  upstream phantun built from crates.io (lab only)
# and .bazelrc.local at the repository root, which tells Bazel where those absolute paths are.
# Outside the checkout it writes only what apt-get install itself writes, a temporary folder for apt's
# source lists (removed on exit) and cargo's own download cache (~/.cargo/registry): no apt source, no
# configuration file, no Python package (Debian's /usr/bin/python3 runs the tests; its modules come
# from Debian packages). tests/fresh_root.sh proves all of this on a fresh Debian 12 root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
# shellcheck source=pins.sh
. "$here/pins.sh"
cache="$here/.cache"

say() { echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 1; }

lab=yes
case ${1:-} in
  "") ;;
  --build) lab=no ;;
  -h | --help) sed -n '/^# Usage/,/^#$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
  *) die "unknown argument '$1' (usage: setup.sh [--build])" ;;
esac
[ "$(id -u)" = 0 ] || die "run as root (apt-get, network namespaces and TUN devices need it)"
mkdir -p "$cache/downloads"

# ---------------------------------------------------------------------------------------------
# Debian packages, one line per user. Only the missing ones are installed, so a second run never
# touches apt. Python modules are Debian packages too: Bazel tests run Debian's /usr/bin/python3
# (their PATH is /bin:/usr/bin:/usr/local/bin), not whatever python3 comes first on a login PATH.
build_packages=(
  bazel-bootstrap                      # Bazel 4.2.3 itself
  bazel-skylib bazel-platforms bazel-rules-java  # rule sets WORKSPACE points at (/usr/share/bazel)
  ca-certificates                      # HTTPS for the Zig download (and, in the lab, cargo's)
  python3-pip                          # `/usr/bin/python3 -m pip download` fetches the Zig wheel (below)
  binutils                             # readelf: image/build-runtime.sh checks the binary it hands over
)
lab_packages=(
  g++                                  # host compiler: --config=asan (tests/run_all.sh)
  clang-14 libclang-rt-14-dev          # tests/doctor/fuzz.sh: libFuzzer, ASan, UBSan (--config=fuzz)
  git                                  # tests/release (git ls-files, rev-parse), image/build.sh's revision label
  file                                 # tests/emulated, tests/release: file(1) on the binaries
  iproute2                             # ip, ss: every lab (tests/tunnel, tests/image, tests/doctor/live, tests/bench)
  nftables                             # nft: the labs' NAT rules and address guard
  iptables                             # iptables-legacy/-nft, *-save: tests/doctor/live, tests/doctor/netfilter (live_test, capture.sh), tests/image
  procps                               # sysctl: the labs switch forwarding and IPv6 in their namespaces
  util-linux                           # unshare, setpriv, mount: tests/doctor/live
  libcap2-bin                          # capsh: tests/doctor/netfilter/capture.sh
  strace                               # tests/doctor/live: the doctor makes no modifying system call
  qemu-user-static                     # tests/emulated: every architecture's binary under qemu-user
  tini dumb-init catatonit             # tests/bench: the peer launchers, as Debian builds them
  musl-tools                           # tests/bench/musl_peers.sh: musl-gcc, for the same peers as static musl
  hyperfine valgrind                   # tests/bench: launch timing, instruction counts
  python3 python3-yaml                 # tests/bench/report.py, tests/runner, tests/docs; tests/image/check_examples.py (import yaml)
  python3-jsonschema                   # tests/doctor/live: the --json report against docs/doctor-report.schema.json
  podman runc                          # tests/image: builds and runs the image (runc: crun fails on hybrid cgroups)
  systemd                              # tests/image/examples_test.sh: systemd-analyze verify, the system units
  mmdebstrap                           # tests/fresh_root.sh: a fresh Debian 12 root for the README's commands
)
apt_packages=("${build_packages[@]}")
[ "$lab" = no ] || apt_packages+=("${lab_packages[@]}")
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
# Release file; the sha256 pinned in pins.bzl is checked here and again by Bazel when it unpacks.
fetch_debian_source() { # source-package tarball sha256
  local pkg=$1 tarball=$2 sum=$3
  if ! sha256_ok "$cache/downloads/$tarball" "$sum"; then
    enable_deb_src
    say "downloading the Debian source package $pkg"
    # apt downloads as its unprivileged user _apt, into a folder _apt owns (see enable_deb_src);
    # the files are then moved next to the other downloads.
    local stage="$apt_state/source"
    install -d -m 0755 "$stage"
    ! id -u _apt >/dev/null 2>&1 || chown _apt "$stage"
    (cd "$stage" && apt-get "${apt_private[@]}" source --download-only -qq "$pkg" >/dev/null)
    find "$stage" -maxdepth 1 -type f -exec mv -f -t "$cache/downloads" {} +
    sha256_ok "$cache/downloads/$tarball" "$sum" ||
      die "$tarball: sha256 is not the pinned $sum"
  fi
}

# deb-src entries mirroring the machine's own deb entries (same archive, same signing key), kept in a
# private apt configuration under the cache: the host's /etc/apt is read, never written, and the
# host's own package lists are left as they were. No archive address is written by this project.
# The source lists and downloads go to a temporary folder that apt's download user _apt can reach
# (a checkout under /root is closed to it) and that is removed when setup ends; they are needed only
# until the two tarballs are verified.
apt_private=() apt_state=""
enable_deb_src() {
  [ ${#apt_private[@]} -eq 0 ] || return 0
  local dir="$cache/apt" f found=no
  rm -rf "$dir/sources.list.d.tmp" "$dir/lists" "$dir/archives" # (older setups kept lists here)
  mkdir -p "$dir/sources.list.d.tmp"
  apt_state=$(mktemp -d "${TMPDIR:-/tmp}/phantun-setup-apt.XXXXXX")
  trap 'rm -rf -- "$apt_state"' EXIT
  chmod 0755 "$apt_state"
  mkdir -p "$apt_state/lists/partial" "$apt_state/archives/partial"
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
    -o "Dir::State::Lists=$apt_state/lists" -o "Dir::Cache::Archives=$apt_state/archives"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  )
  apt-get "${apt_private[@]}" update -qq
}

fetch_debian_source "$ABSEIL_DEBIAN_SOURCE" "$ABSEIL_TARBALL" "$ABSEIL_SHA256"
fetch_debian_source "$GOOGLETEST_DEBIAN_SOURCE" "$GOOGLETEST_TARBALL" "$GOOGLETEST_SHA256"

# ---------------------------------------------------------------------------------------------
# Zig's PyPI wheel: a zip holding the zig binary and its lib/ folder, which Bazel unpacks (no Python
# environment is created or changed).
arch=$(uname -m)
wheel_var="ZIG_WHEEL_$arch" sum_var="ZIG_WHEEL_SHA256_$arch"
wheel=${!wheel_var:-} sum=${!sum_var:-}
[ -n "$wheel" ] || die "no Zig wheel is pinned for the build machine architecture $arch"
if ! sha256_ok "$cache/downloads/$wheel" "$sum"; then
  say "downloading Zig $ZIG_VERSION"
  # Debian's interpreter by its path: python3 on PATH may be another one, without pip.
  /usr/bin/python3 -m pip download -q --no-deps --only-binary=:all: --dest "$cache/downloads" \
    --platform "manylinux_2_12_$arch" "ziglang==$ZIG_VERSION"
  sha256_ok "$cache/downloads/$wheel" "$sum" || die "$wheel: sha256 is not the pinned $sum"
fi
# Unpacked by earlier versions of this script; Bazel unpacks the archives itself now.
rm -rf "$cache/src" "$cache/zig-$ZIG_VERSION"
mkdir -p "$cache/zig-cache"

# ---------------------------------------------------------------------------------------------
# Upstream phantun, unmodified, from crates.io with its own lock file. Linked statically
# (crt-static) so the same two files serve the tests, bare-host demos and the FROM scratch image.
# Lab only: the image builds its own phantun (image/build-phantun.sh), //cmd:phantun-runtime none.
# cargo comes from PATH or rustup's ~/.cargo/bin: phantun 0.8.1 needs Rust >= 1.85, newer than
# Debian 12's.
phantun_dir="$cache/phantun-$PHANTUN_CRATE_VERSION"
if [ "$lab" = yes ] && { [ ! -x "$phantun_dir/bin/phantun_client" ] || [ ! -x "$phantun_dir/bin/phantun_server" ]; }; then
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
# analysis cache survives a second run; the same with --build (phantun's folder is then unused).
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
