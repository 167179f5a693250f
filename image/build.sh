#!/usr/bin/env bash
# Builds the phantun-runtime container image with image/Dockerfile, with podman or docker, and fills
# in the labels (source, version, revision, upstream commit) from the checkout.
#
# Usage: image/build.sh [OPTIONS] [-- EXTRA-BUILD-ARGUMENTS...]
#
# Network path (the default): everything from source. Upstream phantun from GitHub (PHANTUN_OWNER,
# PHANTUN_REPO, PHANTUN_COMMIT, PHANTUN_TARBALL_SHA256 are taken from the environment and passed on
# as build arguments; an unset PHANTUN_COMMIT is resolved first with `git ls-remote`, so the image's
# label names the exact commit that was built), phantun-runtime with third_party/setup.sh + Bazel.
#
# Offline path (--local): no network, no base image, nothing built but the final FROM scratch stage.
# The phantun-dist and runtime-dist stages are replaced by local folders (--build-context), which
# this script assembles and verifies first:
#   --runtime PATH          the phantun-runtime binary (default: `bazel build //cmd:phantun-runtime`)
#   --phantun-bin-dir DIR   upstream phantun_client and phantun_server (default: $PHANTUN_BIN_DIR, else
#                           third_party/.cache/phantun-<pinned version>/bin); stripped here if needed
#   --runtime-dist DIR      instead of --runtime: a runtime-dist folder (bin/phantun-runtime, the
#                           applet links, SHA256SUMS), e.g. exported from a network build with
#                           `--target runtime-dist --output type=local,dest=DIR`
#   --phantun-dist DIR      instead of --phantun-bin-dir: a phantun-dist folder (bin/phantun_client,
#                           bin/phantun_server, SHA256SUMS, COMMIT), exported the same way
#   --sha256sums FILE       sha256sum lines ("SUM  NAME") that the inputs must match, by file name
#                           (phantun-runtime, phantun_client, phantun_server); get this file through a
#                           channel you trust. A dist folder's own SHA256SUMS is always checked too.
#   --phantun-commit SHA    the upstream commit of the phantun binaries, for the label (default: the
#                           phantun-dist COMMIT file, else the record cargo keeps of the crates.io
#                           package of that version, else "unknown")
#
# Common options:
#   --engine podman|docker  default: podman if installed, else docker (docker runs `docker buildx build`)
#   --tag NAME              default: phantun-runtime:<version>
#   --platform LIST         e.g. linux/arm64, or linux/amd64,linux/arm64 with docker buildx (--push)
#   --print                 print the build command instead of running it
# Anything after `--` is passed to the build command unchanged (--push, --iidfile F, --runtime R, ...).
set -euo pipefail

say() { echo "image/build.sh: $*" >&2; }
die() { echo "image/build.sh: error: $*" >&2; exit 1; }
usage() { sed -n '/^# Usage/,/^# Anything after/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

script=$(readlink -f -- "${BASH_SOURCE[0]}")
image_dir=$(dirname "$script")
repo=$(dirname "$image_dir")

engine="" tag="" platform="" local_mode=no print=no
runtime_bin="" phantun_bin_dir="" runtime_dist="" phantun_dist="" sums_file="" phantun_commit=${PHANTUN_COMMIT:-}
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --engine) engine=${2:?--engine needs podman or docker}; shift 2 ;;
    --tag) tag=${2:?--tag needs a name}; shift 2 ;;
    --platform) platform=${2:?--platform needs a list}; shift 2 ;;
    --local) local_mode=yes; shift ;;
    --runtime) runtime_bin=${2:?--runtime needs a path}; shift 2 ;;
    --phantun-bin-dir) phantun_bin_dir=${2:?--phantun-bin-dir needs a folder}; shift 2 ;;
    --runtime-dist) runtime_dist=${2:?--runtime-dist needs a folder}; shift 2 ;;
    --phantun-dist) phantun_dist=${2:?--phantun-dist needs a folder}; shift 2 ;;
    --sha256sums) sums_file=${2:?--sha256sums needs a file}; shift 2 ;;
    --phantun-commit) phantun_commit=${2:?--phantun-commit needs a commit}; shift 2 ;;
    --print) print=yes; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

if [ -z "$engine" ]; then
  if command -v podman >/dev/null; then engine=podman; elif command -v docker >/dev/null; then engine=docker; else
    die "neither podman nor docker is installed"
  fi
fi
case $engine in
  podman) build=(podman build) ;;
  docker) build=(docker buildx build) ;;
  *) die "--engine must be podman or docker, not '$engine'" ;;
esac
[ -z "$phantun_commit" ] || [[ $phantun_commit =~ ^[0-9a-f]{40}$ ]] ||
  die "the phantun commit must be a full commit id (40 lower-case hex characters), not '$phantun_commit'"

# ------------------------------------------------------------------------------------------------
# Labels from the checkout.
version=$(sed -n 's/.*kVersion\[\] = "\([^"]*\)".*/\1/p' "$repo/runtime/version.h")
[ -n "$version" ] || die "cannot read the version from runtime/version.h"
revision=${IMAGE_REVISION:-}
source_url=${IMAGE_SOURCE:-}
if command -v git >/dev/null && git -C "$repo" rev-parse --verify -q HEAD >/dev/null 2>&1; then
  if [ -z "$revision" ]; then
    revision=$(git -C "$repo" rev-parse HEAD)
    [ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] || revision="$revision-dirty"
  fi
  if [ -z "$source_url" ]; then
    source_url=$(git -C "$repo" remote get-url origin 2>/dev/null || true)
    case $source_url in git@*:*) source_url="https://${source_url#git@}"; source_url=${source_url/://} ;; esac
    source_url=${source_url%.git}
  fi
fi

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
is_static() { # elf: no interpreter, no shared library
  ! readelf -lW "$1" | grep -c 'program interpreter' >/dev/null && ! readelf -dW "$1" | grep -c '(NEEDED)' >/dev/null
}
# The sum --sha256sums gives for a file name (empty if none).
expected_sum() { # name
  [ -n "$sums_file" ] || return 0
  awk -v n="$1" '{ f = $2; sub(/^\*/, "", f); sub(/.*\//, "", f); if (f == n) { print $1; exit } }' "$sums_file"
}
verify_input() { # path name
  local want
  want=$(expected_sum "$2")
  if [ -n "$sums_file" ]; then
    [ -n "$want" ] || die "$sums_file has no sha256 for $2"
    [ "$(sha256_of "$1")" = "$want" ] || die "$1: sha256 $(sha256_of "$1") is not the expected $want ($sums_file)"
    say "verified: $2 $want"
  fi
}
verify_dist() { # dir files...
  local dir=$1 f
  shift
  [ -f "$dir/SHA256SUMS" ] || die "$dir has no SHA256SUMS"
  (cd "$dir" && sha256sum --quiet --strict -c SHA256SUMS) >&2 || die "$dir: a file does not match its SHA256SUMS"
  for f in "$@"; do
    grep -q "  $f\$" "$dir/SHA256SUMS" || die "$dir/SHA256SUMS does not cover $f"
    verify_input "$dir/$f" "$(basename "$f")"
  done
}

args=(-f "$image_dir/Dockerfile" --tag "${tag:-phantun-runtime:$version}")
[ -z "$platform" ] || args+=(--platform "$platform")
args+=(--build-arg "IMAGE_VERSION=$version" --build-arg "IMAGE_REVISION=$revision" --build-arg "IMAGE_SOURCE=$source_url")
# Passed even when empty or default, so that no build argument is left undefined.
args+=(--build-arg "PHANTUN_OWNER=${PHANTUN_OWNER:-dndx}" --build-arg "PHANTUN_REPO=${PHANTUN_REPO:-phantun}")
args+=(--build-arg "PHANTUN_TARBALL_SHA256=${PHANTUN_TARBALL_SHA256:-}")

if [ "$local_mode" = no ]; then
  # ----------------------------------------------------------------------------------------------
  # Network path: resolve the default branch first, so that the label is exact.
  # The Zig build in runtime-build needs more open files than a RUN step gets by default (1024);
  # podman's runc cannot go above this shell's hard limit.
  if [ "$engine" = podman ]; then
    nofile=$(ulimit -Hn)
    [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
    args+=(--ulimit "nofile=$nofile:$nofile")
  else
    args+=(--ulimit nofile=65536:65536)
  fi
  if [ -z "$phantun_commit" ]; then
    url="https://github.com/${PHANTUN_OWNER:-dndx}/${PHANTUN_REPO:-phantun}"
    phantun_commit=$(git ls-remote "$url" HEAD | awk '$2 == "HEAD" { print $1 }') ||
      die "cannot resolve the default branch of $url (git ls-remote); set PHANTUN_COMMIT, or use --local"
    [ -n "$phantun_commit" ] || die "git ls-remote $url HEAD gave no commit"
    say "$url: the default branch is at $phantun_commit"
  fi
  args+=(--build-arg "PHANTUN_COMMIT=$phantun_commit")
  if [ "$print" = yes ]; then
    printf '%q ' "${build[@]}" "${args[@]}" "${extra[@]}" "$repo"
    echo
    exit 0
  fi
  exec "${build[@]}" "${args[@]}" "${extra[@]}" "$repo"
fi

# --------------------------------------------------------------------------------------------------
# Offline path: assemble the two dist folders in a private folder, verify, build.
[ -z "$runtime_bin" ] || [ -z "$runtime_dist" ] || die "give --runtime or --runtime-dist, not both"
[ -z "$phantun_bin_dir" ] || [ -z "$phantun_dist" ] || die "give --phantun-bin-dir or --phantun-dist, not both"
[ -z "$sums_file" ] || [ -f "$sums_file" ] || die "$sums_file: no such file"
stage=$(mktemp -d "${TMPDIR:-/tmp}/phantun-image-contexts.XXXXXX")
trap 'rm -rf -- "$stage"' EXIT
mkdir -p "$stage/phantun-dist/bin" "$stage/runtime-dist/bin"

# phantun-dist
if [ -n "$phantun_dist" ]; then
  verify_dist "$phantun_dist" bin/phantun_client bin/phantun_server
  cp -- "$phantun_dist/bin/phantun_client" "$phantun_dist/bin/phantun_server" "$stage/phantun-dist/bin/"
  if [ -z "$phantun_commit" ] && [ -f "$phantun_dist/COMMIT" ]; then
    phantun_commit=$(head -n 1 "$phantun_dist/COMMIT")
  fi
else
  if [ -z "$phantun_bin_dir" ]; then
    phantun_bin_dir=${PHANTUN_BIN_DIR:-}
    if [ -z "$phantun_bin_dir" ]; then
      # shellcheck source=../third_party/pins.sh
      . "$repo/third_party/pins.sh"
      phantun_bin_dir="$repo/third_party/.cache/phantun-$PHANTUN_CRATE_VERSION/bin"
    fi
  fi
  for f in phantun_client phantun_server; do
    [ -f "$phantun_bin_dir/$f" ] || die "$phantun_bin_dir/$f: no such file (run third_party/setup.sh, or give --phantun-bin-dir)"
    verify_input "$phantun_bin_dir/$f" "$f"
    cp -- "$phantun_bin_dir/$f" "$stage/phantun-dist/bin/$f"
    if readelf -SW "$stage/phantun-dist/bin/$f" | grep -c ' \.symtab ' >/dev/null; then
      strip --strip-all "$stage/phantun-dist/bin/$f" || die "$f: cannot strip it (a binary for another machine?)"
    fi
  done
  if [ -z "$phantun_commit" ]; then
    # cargo keeps the commit a crates.io package was published from (.cargo_vcs_info.json).
    crate_version=$("$stage/phantun-dist/bin/phantun_client" --version 2>/dev/null | awk '{ print $NF }') || true
    cargo_home=${CARGO_HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)/.cargo}
    for info in "$cargo_home"/registry/src/*/"phantun-$crate_version"/.cargo_vcs_info.json; do
      [ -n "$crate_version" ] && [ -f "$info" ] || continue
      phantun_commit=$(sed -n 's/.*"sha1": *"\([0-9a-f]\{40\}\)".*/\1/p' "$info" | head -n 1)
      [ -z "$phantun_commit" ] || say "phantun $crate_version: crates.io package of upstream commit $phantun_commit"
      break
    done
  fi
fi
for f in phantun_client phantun_server; do
  chmod 0755 "$stage/phantun-dist/bin/$f"
  is_static "$stage/phantun-dist/bin/$f" || die "$f is not statically linked: it cannot run FROM scratch"
done
(cd "$stage/phantun-dist" && sha256sum bin/phantun_client bin/phantun_server >SHA256SUMS)
printf '%s\n' "${phantun_commit:-unknown}" >"$stage/phantun-dist/COMMIT"

# runtime-dist
if [ -n "$runtime_dist" ]; then
  verify_dist "$runtime_dist" bin/phantun-runtime
  cp -P -- "$runtime_dist"/bin/* "$stage/runtime-dist/bin/"
  for f in "$stage/runtime-dist/bin"/*; do
    [ "$(basename "$f")" = phantun-runtime ] && continue
    [ -L "$f" ] && [ "$(readlink "$f")" = phantun-runtime ] || die "$runtime_dist/bin/$(basename "$f"): not a link to phantun-runtime"
  done
else
  if [ -z "$runtime_bin" ]; then
    say "building //cmd:phantun-runtime"
    (cd "$repo" && bazel build //cmd:phantun-runtime) >&2
    runtime_bin="$(cd "$repo" && bazel info bazel-bin)/cmd/phantun-runtime"
  fi
  [ -f "$runtime_bin" ] || die "$runtime_bin: no such file"
  verify_input "$runtime_bin" phantun-runtime
  cp -- "$runtime_bin" "$stage/runtime-dist/bin/phantun-runtime"
  chmod 0755 "$stage/runtime-dist/bin/phantun-runtime"
  applets=$("$stage/runtime-dist/bin/phantun-runtime" --list) ||
    die "$runtime_bin --list failed (for another machine's binary, use --runtime-dist)"
  for name in $applets; do
    case $name in
      */* | . | .. | phantun-runtime | phantun_client | phantun_server) die "unexpected applet name '$name'" ;;
    esac
    ln -s phantun-runtime "$stage/runtime-dist/bin/$name"
  done
fi
is_static "$stage/runtime-dist/bin/phantun-runtime" || die "phantun-runtime is not statically linked"
(cd "$stage/runtime-dist" && sha256sum bin/phantun-runtime >SHA256SUMS)

args+=(--build-arg "PHANTUN_COMMIT=${phantun_commit:-}")
args+=(--build-context "phantun-dist=$stage/phantun-dist" --build-context "runtime-dist=$stage/runtime-dist")
# podman: no intermediate images are kept, and no cached layer of another platform is reused.
[ "$engine" = docker ] || args+=(--layers=false --no-cache)
say "inputs:"
(cd "$stage" && sed 's/^/  /' phantun-dist/SHA256SUMS runtime-dist/SHA256SUMS) >&2
if [ "$print" = yes ]; then
  trap - EXIT
  say "the assembled build contexts are kept in $stage"
  printf '%q ' "${build[@]}" "${args[@]}" "${extra[@]}" "$repo"
  echo
  exit 0
fi
# The main context is the checkout, as on the network path; only the two folders above are read.
"${build[@]}" "${args[@]}" "${extra[@]}" "$repo"
