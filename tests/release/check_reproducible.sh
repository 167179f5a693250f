#!/usr/bin/env bash
# Reproducibility check: builds //cmd:phantun-runtime twice from clean caches and requires
# bit-identical binaries for every architecture asked for.
#
#   bash tests/release/check_reproducible.sh [--arch all|LIST] [--work DIR] [--keep] [--sums-out FILE]
#
# The two builds share nothing that could hide a difference:
#   - two snapshots of this checkout (tracked and untracked, not ignored, files), taken once and
#     copied, at two different absolute paths of different lengths, so an embedded source or
#     workspace path shows up as a difference;
#   - two fresh Bazel output bases (own server, own action cache, own execroot path);
#   - two fresh Zig caches (each snapshot's third_party/.cache/zig-cache), so musl, libc++,
#     libc++abi and libunwind are compiled twice as well;
#   - the same pinned inputs: Zig and the Abseil/GoogleTest sources are hard links to this checkout's
#     third_party/.cache (run third_party/setup.sh first).
# Both binaries are also searched for build-machine paths (the snapshot and checkout paths, Bazel's
# output base and execroot, third_party/.cache, the Zig cache).
#
# Time: each build compiles Abseil, musl and the C++ runtime libraries from scratch, about 1.5 min
# per architecture on 2 idle cores (up to 3.5 min on a busy machine), and every architecture is
# built twice. Measured: --arch x86_64,mips (they differ in byte order and word size) 6.5 min; all
# seven 31 min on a busy machine (~25 min idle). LIST is comma separated.
# Exit status: 0 identical, 1 different (or a path found), 2 usage or build failure.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=arches.sh
. "$repo/tests/release/arches.sh"
# shellcheck source=../../third_party/pins.sh
. "$repo/third_party/pins.sh"

arch_list=all work= keep=no sums_out=
while [ $# -gt 0 ]; do
  case $1 in
    --arch) arch_list=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --keep) keep=yes; shift ;;
    --sums-out) sums_out=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
arch_names=$(parse_arches "$arch_list") || exit 2
mapfile -t arches <<<"$arch_names"

say() { echo "reproducible: $*" >&2; }
cache=$repo/third_party/.cache
for need in "$ZIG_WHEEL_x86_64" "$ABSEIL_TARBALL" "$GOOGLETEST_TARBALL"; do
  [ -e "$cache/downloads/$need" ] || { say "third_party/.cache/downloads/$need is missing: run third_party/setup.sh first"; exit 2; }
done

if [ -z "$work" ]; then
  work=$(mktemp -d /tmp/phantun-repro.XXXXXX)
else
  mkdir -p "$work"
  work=$(cd "$work" && pwd)
fi
# Two locations that differ in name and length.
snap_a=$work/a/phantun-runtime
snap_b=$work/b/elsewhere/on/the/build/machine/src
servers=()
cleanup() {
  local ob
  for ob in "${servers[@]}"; do bazel --output_base="$ob" shutdown >/dev/null 2>&1 || true; done
  if [ "$keep" = no ]; then
    # Bazel leaves its output trees read-only.
    chmod -R u+w "$work" 2>/dev/null || true
    rm -rf "$work"
  else
    say "kept $work"
  fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
say "snapshot of $repo into $snap_a and $snap_b"
mkdir -p "$snap_a" "$snap_b"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$repo" && tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$snap_a"
cp -a "$snap_a/." "$snap_b/"
for snap in "$snap_a" "$snap_b"; do
  # The same verified archives (hard links); each snapshot's Bazel unpacks them on its own.
  mkdir -p "$snap/third_party/.cache/zig-cache"
  cp -al "$cache/downloads" "$snap/third_party/.cache/"
  printf 'build --sandbox_writable_path=%s\n' "$snap/third_party/.cache/zig-cache" >"$snap/.bazelrc.local"
done

# build SNAPSHOT OUTPUT_BASE LABEL: every architecture, binaries copied to $work/LABEL-ARCH.
build() {
  local snap=$1 ob=$2 label=$3 arch start bin
  servers+=("$ob")
  for arch in "${arches[@]}"; do
    start=$SECONDS
    if ! (cd "$snap" && bazel --output_base="$ob" build --config="$arch" //cmd:phantun-runtime) \
      >"$work/$label-$arch.log" 2>&1; then
      tail -n 30 "$work/$label-$arch.log" >&2
      say "build $label for $arch failed (log above)"
      exit 2
    fi
    bin=$(cd "$snap" && bazel --output_base="$ob" info --config="$arch" bazel-bin 2>/dev/null)
    cp "$bin/cmd/phantun-runtime" "$work/$label-$arch"
    say "build $label, $arch: $((SECONDS - start)) s"
  done
  bazel --output_base="$ob" shutdown >/dev/null 2>&1 || true
}

total=$SECONDS
build "$snap_a" "$work/a/output_base" a
build "$snap_b" "$work/b/output_base" b

# ---------------------------------------------------------------------------------------------
status=0
[ -z "$sums_out" ] || : >"$sums_out"
printf '%-8s %-64s %9s  %s\n' arch sha256 bytes result
for arch in "${arches[@]}"; do
  a=$work/a-$arch b=$work/b-$arch
  sum_a=$(sha256sum <"$a" | cut -d' ' -f1)
  sum_b=$(sha256sum <"$b" | cut -d' ' -f1)
  result=identical
  if [ "$sum_a" != "$sum_b" ]; then
    result="DIFFERENT (b: $sum_b; $(cmp -l "$a" "$b" | wc -l) bytes differ)"
    status=1
  fi
  leaks=$(grep -a -o -E "($work|$repo|/\.cache/|_bazel_|execroot|third_party/\.cache|zig-cache)[[:print:]]{0,40}" "$a" "$b" | sort -u | head -5 || true)
  if [ -n "$leaks" ]; then
    result="$result; build paths inside: $leaks"
    status=1
  fi
  printf '%-8s %-64s %9s  %s\n' "$arch" "$sum_a" "$(stat -c %s "$a")" "$result"
  [ -z "$sums_out" ] || printf '%s  %s\n' "$sum_a" "$arch" >>"$sums_out"
done
say "$((SECONDS - total)) s for ${#arches[@]} architecture(s), built twice"
if [ "$status" = 0 ]; then
  say "bit-identical: ${arches[*]}"
else
  say "NOT reproducible (see above); rerun with --keep to inspect $work"
fi
exit "$status"
