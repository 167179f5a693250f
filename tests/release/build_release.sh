#!/usr/bin/env bash
# Builds the release folder: one reproducible tarball per architecture, and SHA256SUMS.
#
#   bash tests/release/build_release.sh OUTDIR [--arch all|LIST] [--no-tests] [--no-reproducibility-check]
#
# For every architecture (all seven by default; LIST is comma separated, e.g. x86_64,armv7):
#   1. `bazel test --config=ARCH //tests/emulated:emulated_test`: builds //cmd:phantun-runtime for
#      ARCH and checks it under qemu-user (--no-tests: `bazel build` only);
#   2. OUTDIR/phantun-runtime-VERSION-TRIPLE.tar.gz holding phantun-runtime-VERSION-TRIPLE/ with
#      the binary (0755) and README.md (bare-host use; tests/release/tarball-README.md plus the
#      target, the binary's sha256 and the source commit). TRIPLE is the Rust target triple of
#      upstream phantun's matching release asset (tests/release/arches.sh).
# then OUTDIR/SHA256SUMS (sha256sum -c format) and OUTDIR/SIZES.md (the size table), and finally
# tests/release/check_reproducible.sh for the same architectures, whose binaries must also equal the
# released ones (--no-reproducibility-check skips it: it builds everything twice more, 25-30 min).
#
# Tarballs are byte-for-byte reproducible: sorted entries, mtime 0, owner and group 0, fixed modes,
# gzip without name or time stamp. OUTDIR must be empty or not exist.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=arches.sh
. "$repo/tests/release/arches.sh"

out= arch_list=all tests=yes repro=yes
while [ $# -gt 0 ]; do
  case $1 in
    --arch) arch_list=$2; shift 2 ;;
    --no-tests) tests=no; shift ;;
    --no-reproducibility-check) repro=no; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) [ -z "$out" ] || { echo "one OUTDIR only" >&2; exit 2; }; out=$1; shift ;;
  esac
done
[ -n "$out" ] || { echo "usage: $0 OUTDIR [--arch all|LIST] [--no-tests] [--no-reproducibility-check]" >&2; exit 2; }
arch_names=$(parse_arches "$arch_list") || exit 2
mapfile -t arches <<<"$arch_names"
say() { echo "release: $*" >&2; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -z "$(ls -A "$out")" ] || { say "$out is not empty"; exit 2; }

cd "$repo"
bash third_party/setup.sh
version=$(sed -n 's/.*kVersion\[\] = "\([^"]*\)".*/\1/p' runtime/version.h)
[ -n "$version" ] || { say "no kVersion in runtime/version.h"; exit 2; }
commit=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  commit="$commit plus uncommitted changes"
  say "warning: the checkout has uncommitted changes; the README in each tarball says so"
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
declare -A binary_sum
for arch in "${arches[@]}"; do
  triple=$(release_triple "$arch")
  if [ "$tests" = yes ]; then
    say "$arch: building and testing under qemu-user"
    bazel test --config="$arch" //tests/emulated:emulated_test
  else
    say "$arch: building"
    bazel build --config="$arch" //cmd:phantun-runtime
  fi
  bin=$(bazel info --config="$arch" bazel-bin 2>/dev/null)/cmd/phantun-runtime
  file -L -b "$bin" | grep -q 'statically linked' || { say "$bin is not statically linked"; exit 1; }

  name=phantun-runtime-$version-$triple
  mkdir "$stage/$name"
  cp "$bin" "$stage/$name/phantun-runtime"
  sum=$(sha256sum <"$stage/$name/phantun-runtime" | cut -d' ' -f1)
  binary_sum[$arch]=$sum
  {
    cat tests/release/tarball-README.md
    printf '\n## This build\n\n'
    printf -- '- target: %s (`bazel build --config=%s //cmd:phantun-runtime`)\n' "$triple" "$arch"
    printf -- '- phantun-runtime %s, sha256 %s\n' "$version" "$sum"
    printf -- '- source: commit %s\n' "$commit"
  } >"$stage/$name/README.md"
  chmod 0755 "$stage/$name" "$stage/$name/phantun-runtime"
  chmod 0644 "$stage/$name/README.md"
  tar -C "$stage" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
    -cf - "$name" | gzip -n -9 >"$out/$name.tar.gz"
  say "$arch: $out/$name.tar.gz"
done

(cd "$out" && sha256sum -- *.tar.gz >SHA256SUMS)
{
  echo "| architecture | release tarball | phantun-runtime bytes |"
  echo "| --- | --- | ---: |"
  for arch in "${arches[@]}"; do
    name=phantun-runtime-$version-$(release_triple "$arch")
    printf '| %s | `%s.tar.gz` | %s |\n' "$arch" "$name" "$(stat -c %s "$stage/$name/phantun-runtime")"
  done
} >"$out/SIZES.md"
cat "$out/SIZES.md"
cat "$out/SHA256SUMS"

if [ "$repro" = yes ]; then
  say "reproducibility: building ${arches[*]} twice more from clean caches"
  sums=$(mktemp)
  bash tests/release/check_reproducible.sh --arch "$(IFS=,; echo "${arches[*]}")" --sums-out "$sums"
  for arch in "${arches[@]}"; do
    clean=$(awk -v a="$arch" '$2 == a { print $1 }' "$sums")
    if [ "$clean" != "${binary_sum[$arch]}" ]; then
      say "$arch: the released binary (${binary_sum[$arch]}) differs from the clean builds ($clean)"
      exit 1
    fi
  done
  rm -f "$sums"
  say "the released binaries equal two independent clean builds"
fi
say "done: $out"
