#!/usr/bin/env bash
# Builds upstream phantun for the image: the phantun-build stage of image/Dockerfile runs it in the
# Rust builder image, on the build machine's platform, for TARGETARCH.
#
# Upstream is built unmodified, with its own Cargo.lock (--locked): the static C runtime
# (crt-static) and stripping come from the environment (RUSTFLAGS, CARGO_PROFILE_RELEASE_STRIP),
# never from a changed file. The same crt-static linking as third_party/setup.sh uses for the tests.
#
# Usage: build-phantun.sh OUT
# Writes OUT/bin/phantun_client, OUT/bin/phantun_server, OUT/COMMIT (the commit that was built) and
# OUT/SHA256SUMS (of the two binaries, paths relative to OUT).
# Environment (the Dockerfile's build arguments):
#   PHANTUN_OWNER, PHANTUN_REPO  GitHub repository (default dndx/phantun)
#   PHANTUN_COMMIT               full 40-hex commit; default: the default branch's HEAD
#   PHANTUN_TARBALL_SHA256       build from the commit's GitHub tarball, which must have this sha256
#   TARGETARCH                   amd64 or arm64 (default: this machine's architecture)
#   PHANTUN_GIT_BASE             default https://github.com; only for trying this script against a
#                                local mirror (file://...) outside the image build
set -euo pipefail

say() { echo "build-phantun: $*" >&2; }
die() { echo "build-phantun: error: $*" >&2; exit 1; }

out=${1:?usage: build-phantun.sh OUT}
owner=${PHANTUN_OWNER:-dndx}
repo=${PHANTUN_REPO:-phantun}
commit=${PHANTUN_COMMIT:-}
tarball_sha256=${PHANTUN_TARBALL_SHA256:-}
base=${PHANTUN_GIT_BASE:-https://github.com}

name_re='^[A-Za-z0-9][A-Za-z0-9._-]*$'
[[ $owner =~ $name_re ]] || die "PHANTUN_OWNER='$owner' is not a GitHub owner name"
[[ $repo =~ $name_re ]] || die "PHANTUN_REPO='$repo' is not a GitHub repository name"
[ -z "$commit" ] || [[ $commit =~ ^[0-9a-f]{40}$ ]] ||
  die "PHANTUN_COMMIT='$commit' is not a full commit id (40 lower-case hex characters)"
[ -z "$tarball_sha256" ] || [[ $tarball_sha256 =~ ^[0-9a-f]{64}$ ]] ||
  die "PHANTUN_TARBALL_SHA256='$tarball_sha256' is not a sha256 (64 lower-case hex characters)"
url="$base/$owner/$repo"

# Target architecture -> Rust target, GNU cross prefix, and the ELF machine readelf reports.
host_arch=$(dpkg --print-architecture)
target_arch=${TARGETARCH:-$host_arch}
case $target_arch in
  amd64) triple=x86_64-unknown-linux-gnu gnu=x86_64-linux-gnu machine='Advanced Micro Devices X86-64' ;;
  arm64) triple=aarch64-unknown-linux-gnu gnu=aarch64-linux-gnu machine='AArch64' ;;
  *) die "TARGETARCH='$target_arch' is not supported (amd64 or arm64)" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/src

# ------------------------------------------------------------------------------------------------
# 1. The source: a tarball checked against its sha256, a given commit, or the default branch.
if [ -n "$tarball_sha256" ]; then
  if [ -z "$commit" ]; then
    commit=$(git ls-remote "$url" HEAD | awk '$2 == "HEAD" { print $1 }')
    [[ $commit =~ ^[0-9a-f]{40}$ ]] || die "git ls-remote $url HEAD gave no commit"
    say "$url: the default branch is at $commit"
  fi
  say "downloading $url/archive/$commit.tar.gz"
  curl -fsSL --proto '=https,file' --proto-redir '=https' --retry 3 \
    -o "$work/src.tar.gz" "$url/archive/$commit.tar.gz"
  actual=$(sha256sum "$work/src.tar.gz" | cut -d' ' -f1)
  [ "$actual" = "$tarball_sha256" ] ||
    die "the tarball of $commit has sha256 $actual, not PHANTUN_TARBALL_SHA256=$tarball_sha256"
  say "tarball sha256 verified: $actual"
  mkdir "$src"
  tar -xzf "$work/src.tar.gz" -C "$src" --strip-components=1 --no-same-owner
elif [ -n "$commit" ]; then
  say "cloning $url at $commit"
  git clone --quiet --no-checkout "$url" "$src"
  if ! git -C "$src" cat-file -e "$commit^{commit}" 2>/dev/null; then
    git -C "$src" fetch --quiet origin "$commit" # a commit no branch holds (GitHub serves it by id)
  fi
  git -C "$src" -c advice.detachedHead=false checkout --quiet --detach "$commit"
  [ "$(git -C "$src" rev-parse HEAD)" = "$commit" ] || die "checked out $(git -C "$src" rev-parse HEAD), not $commit"
else
  say "cloning the default branch of $url"
  git clone --quiet --depth 1 "$url" "$src"
  commit=$(git -C "$src" rev-parse HEAD)
fi
say "building phantun commit $commit from $url"

# ------------------------------------------------------------------------------------------------
# 2. The toolchain for the target: the host's for a native build, Debian's GNU cross compiler and
# static glibc otherwise.
if [ "$target_arch" != "$host_arch" ]; then
  say "cross-compiling for $target_arch on $host_arch"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "gcc-${gnu//_/-}" "libc6-dev-$target_arch-cross" >/dev/null
  triple_var=$(tr 'a-z-' 'A-Z_' <<<"$triple")
  export "CARGO_TARGET_${triple_var}_LINKER=$gnu-gcc" "CC_${triple//-/_}=$gnu-gcc"
fi
if command -v rustup >/dev/null; then
  rustup target add "$triple" >&2
fi

# ------------------------------------------------------------------------------------------------
# 3. Build (upstream's workspace: the phantun package has the client and server binaries).
(
  cd "$src"
  export RUSTFLAGS="-C target-feature=+crt-static" CARGO_PROFILE_RELEASE_STRIP=symbols
  export CARGO_TARGET_DIR="$work/target"
  cargo build --release --locked --target "$triple" -p phantun --bin client --bin server
)

# ------------------------------------------------------------------------------------------------
# 4. Check (static, stripped, right machine) and hand over under upstream's release names.
check_binary() { # path
  local f=$1
  readelf -hW "$f" | grep -c "Machine: *$machine\$" >/dev/null || die "$f: not a $target_arch binary"
  ! readelf -lW "$f" | grep -c 'program interpreter' >/dev/null || die "$f: dynamically linked (has an interpreter)"
  ! readelf -dW "$f" | grep -c '(NEEDED)' >/dev/null || die "$f: needs shared libraries"
  ! readelf -SW "$f" | grep -c ' \.symtab ' >/dev/null || die "$f: not stripped"
}
mkdir -p "$out/bin"
install -m 0755 "$work/target/$triple/release/client" "$out/bin/phantun_client"
install -m 0755 "$work/target/$triple/release/server" "$out/bin/phantun_server"
check_binary "$out/bin/phantun_client"
check_binary "$out/bin/phantun_server"
printf '%s\n' "$commit" >"$out/COMMIT"
(cd "$out" && sha256sum bin/phantun_client bin/phantun_server >SHA256SUMS)
say "done: phantun $commit for $target_arch (static, stripped)"
sed 's/^/build-phantun:   /' "$out/SHA256SUMS" >&2
