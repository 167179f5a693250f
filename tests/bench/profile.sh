#!/usr/bin/env bash
# Where phantun-run's launch costs go: the evidence behind a missed target in results.md.
#
#   bash tests/bench/profile.sh [> profile.md]
#
# Builds //cmd:phantun-runtime (the shipped x86_64 binary), links it once more outside Bazel with
# the very same command plus --print-map (the output is checked to be byte-identical to Bazel's, so
# the map describes the shipped binary), then runs phantun-run launching exit_now under
#   valgrind lackey   every instruction and data address -> functions, origins, pages touched
#   strace -f -c      the system calls of the launch
#   perf stat         page faults and CPU time per launch (software events; no PMU needed)
# and reads /proc/PID/smaps of phantun-run while its child runs. Prints Markdown on stdout; changes
# nothing in the checkout or in Bazel's outputs (temp folder, removed at the end). Root not needed,
# except for perf where perf_event_paranoid forbids it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
work=$(mktemp -d "${TMPDIR:-/tmp}/phantun-profile.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
log() { echo "profile: $*" >&2; }

log "bazel build //cmd:phantun-runtime //tests/bench:exit_now //tests/bench:wait_child //tests/bench:bench_probe"
bazel build //cmd:phantun-runtime //tests/bench:exit_now //tests/bench:wait_child //tests/bench:bench_probe >&2 2>&1
bin=$(bazel info bazel-bin 2>/dev/null)
execroot=$(bazel info execution_root 2>/dev/null)
output_base=$(bazel info output_base 2>/dev/null)

# The link command, as Bazel ran it: the toolchain wrapper and its parameter file.
params=$(bazel aquery 'mnemonic("CppLink", //cmd:phantun-runtime)' 2>/dev/null |
  sed -n 's/^.*@\(bazel-out\/[^ )]*\.params\).*$/\1/p' | head -n 1)
if [ -z "$params" ] || ! [ -f "$execroot/$params" ]; then
  log "cannot find the link parameter file"
  exit 1
fi
out_rel=$(sed -n '/^-o$/{n;p;q}' "$execroot/$params")
sed "s#^$out_rel\$#$work/phantun-runtime#" "$execroot/$params" >"$work/link.params"
echo "-Wl,--print-map" >>"$work/link.params"
(cd "$execroot" && "$output_base/external/zig_toolchain/zig-c++" "@$work/link.params") >"$work/link.map"
if cmp -s "$work/phantun-runtime" "$bin/cmd/phantun-runtime"; then
  identical="byte-identical to Bazel's output"
else
  identical="NOT identical to Bazel's output (the map may be off)"
fi
log "relinked with --print-map: $identical"

mkdir "$work/run"
cp "$bin/cmd/phantun-runtime" "$work/run/phantun-runtime"
cp "$bin/tests/bench/exit_now" "$work/run/phantun_client"
"$work/run/phantun-runtime" --install "$work/run" >/dev/null
mkdir "$work/wait"
cp "$bin/cmd/phantun-runtime" "$work/wait/phantun-runtime"
cp "$bin/tests/bench/wait_child" "$work/wait/phantun_client"
"$work/wait/phantun-runtime" --install "$work/wait" >/dev/null
export MODE=client

log "valgrind --tool=lackey --trace-mem=yes (phantun-run only)"
valgrind --tool=lackey --trace-mem=yes --log-file="$work/lackey.log" "$work/run/phantun-run" >/dev/null 2>&1

echo "# phantun-run launch profile"
echo
echo "$(uname -sr), $(nproc) cores; phantun-runtime $(stat -c %s "$bin/cmd/phantun-runtime") bytes; link map $identical;"
echo "environment of the traced run: $(env | wc -l) variables (getenv walks them all)."
echo
python3 "$here/profile.py" --map "$work/link.map" --trace "$work/lackey.log"

echo
echo "## System calls of one launch (strace -f -c)"
echo
echo '```'
strace -f -c -o "$work/strace.txt" "$work/run/phantun-run" >/dev/null 2>&1 || true
cat "$work/strace.txt"
echo '```'

echo
echo "## Per launch (perf stat -r 200, software events, child included)"
echo
echo '```'
for cmd in "$work/run/phantun-run" "$bin/tests/bench/exit_now"; do
  echo "\$ $(basename "$cmd")"
  perf stat -r 200 -e task-clock,page-faults,context-switches "$cmd" 2>&1 >/dev/null |
    grep -E 'task-clock|page-faults|context-switches|elapsed' || echo "(perf stat not available)"
done
echo '```'

echo
echo "## Resident pages of phantun-run while its child runs (/proc/PID/smaps)"
echo
"$bin/tests/bench/bench_probe" mem --runs 1 --smaps "$work/smaps.txt" -- "$work/wait/phantun-run" >/dev/null
echo "| mapping | size | Rss | anonymous |"
echo "| --- | ---: | ---: | ---: |"
awk '/^[0-9a-f]+-[0-9a-f]+ /{ name = ($6 == "" ? "(anonymous)" : $6); sub(/.*\//, "", name); m = name " " $2 }
     /^Size:/ { size = $2 } /^Rss:/ { rss = $2 }
     /^Anonymous:/ { if (size > 0) printf "| %s | %d KiB | %d KiB | %d KiB |\n", m, size, rss, $2 }' "$work/smaps.txt"
