#!/usr/bin/env bash
# Fuzzes the doctor's parsers of kernel bytes: builds the libFuzzer targets with --config=fuzz
# (host clang-14 with -fsanitize=fuzzer,address,undefined; see .bazelrc) and runs each for a bounded
# time, seeded with the netfilter state captured from real kernels (tests/doctor/testdata):
#   netlink_fuzzer  netlink messages and attributes (runtime/doctor/netlink)
#   nft_fuzzer      nf_tables tables/chains/rules and expressions, then the packet tracer over them
#   xt_fuzzer       legacy iptables blobs (ipt_entry/ip6t_entry), then the packet tracer over them
# Exits non-zero when a target crashes (sanitizer report, leak, timeout, out of memory); the
# reproducing inputs are kept in out/fuzz/<target>/ (git-ignored).
#   FUZZ_SECONDS=N   seconds per target (default 20)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
seconds=${FUZZ_SECONDS:-20}

for tool in clang-14 bazel; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool is missing (run third_party/setup.sh)" >&2; exit 1; }
done

targets=(
  //tests/doctor/netlink:netlink_fuzzer
  //tests/doctor/netfilter:nft_fuzzer
  //tests/doctor/netfilter:xt_fuzzer
)
bazel build --config=fuzz "${targets[@]}"
bin=$(bazel info --config=fuzz bazel-bin 2>/dev/null)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Seed corpora, in each target's input format, from every captured scenario.
testdata=tests/doctor/testdata
mkdir -p "$work/netlink_fuzzer" "$work/nft_fuzzer" "$work/xt_fuzzer"
for scenario in "$testdata"/*/; do
  name=$(basename "$scenario")
  for dump in "$scenario"nft_*.bin; do
    cp "$dump" "$work/netlink_fuzzer/${name}_$(basename "$dump")"
  done
  cat "$scenario"nft_tables.bin "$scenario"nft_chains.bin "$scenario"nft_rules.bin >"$work/nft_fuzzer/$name"
  for info in "$scenario"ipt_*.info "$scenario"ip6t_*.info; do
    [ -e "$info" ] || continue
    stem=${info%.info}
    family='\000'  # the first byte picks the layout: even IPv4, odd IPv6
    case $(basename "$info") in ip6t_*) family='\001' ;; esac
    { printf "$family"; cat "$info" "$stem.entries"; } >"$work/xt_fuzzer/${name}_$(basename "$stem")"
  done
done

# Inputs that made a target fail before are seeds too, so a fix is checked on the next run.
for target in "${targets[@]}"; do
  name=${target##*:}
  for old in "$repo/out/fuzz/$name"/*; do
    [ -f "$old" ] && cp "$old" "$work/$name/"
  done
done

status=0
for target in "${targets[@]}"; do
  name=${target##*:}
  path=${target#//}
  path=${path/://}
  crashes="$repo/out/fuzz/$name"
  mkdir -p "$crashes"
  echo "fuzz.sh: $name for ${seconds}s, $(ls "$work/$name" | wc -l) seeds"
  if ! "$bin/$path" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$work/$name" 2>"$work/$name.log"; then
    tail -n 60 "$work/$name.log" >&2
    echo "fuzz.sh: $name FAILED; reproduce with: $bin/$path $crashes/<input>" >&2
    status=1
  else
    grep -E '^(Done|stat::number_of_executed_units|cov:)' "$work/$name.log" | tail -n 2 || true
  fi
done
[ "$status" = 0 ] && echo "fuzz.sh: no crash in ${#targets[@]} targets"
exit "$status"
