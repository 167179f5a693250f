#!/usr/bin/env bash
# Every release architecture's phantun-runtime under qemu-user: one
# `bazel test --config=ARCH //tests/emulated:emulated_test` per architecture (Bazel 4.2.3 builds one
# --cpu per invocation), then a summary. Meant to be called from tests/run_all.sh and CI.
#
#   bash tests/emulated/run_all_arches.sh [--arch all|LIST] [BAZEL TEST OPTIONS...]
#
# LIST is comma separated (x86_64,armv7). Time on 2 cores: the first run per architecture builds
# Abseil, musl and libc++ for it (~1.5 min each on an idle machine, up to 3.5 min on a busy one;
# ~12 min for all seven); the checks themselves take 1 to 3 s per architecture, and an unchanged
# binary's result is cached.
# Exit status: 0 when every architecture passed, 1 otherwise.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../release/arches.sh
. "$repo/tests/release/arches.sh"
arch_list=all
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --arch) arch_list=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
arch_names=$(parse_arches "$arch_list") || exit 2
mapfile -t arches <<<"$arch_names"
cd "$repo"

declare -A result
status=0
for arch in "${arches[@]}"; do
  echo "=== $arch" >&2
  start=$SECONDS
  if bazel test --config="$arch" "${extra[@]}" //tests/emulated:emulated_test; then
    result[$arch]=passed
  else
    result[$arch]=FAILED
    status=1
  fi
  log=$(bazel info --config="$arch" bazel-testlogs 2>/dev/null)/tests/emulated/emulated_test/test.log
  summary=$(grep -E "^$arch: [0-9]+ of [0-9]+ checks passed" "$log" 2>/dev/null || echo "no test log")
  result[$arch]="${result[$arch]} ($summary; $((SECONDS - start)) s)"
done

echo
echo "emulated tests:"
for arch in "${arches[@]}"; do printf '  %-8s %s\n' "$arch" "${result[$arch]}"; done
exit "$status"
