#!/usr/bin/env bash
# The project's whole test suite, as the README's quick start and CI run it:
#   1. third_party/setup.sh  (installs every input; does nothing when all are in place)
#   2. bazel test //...       (everything, against the shipped static musl binary)
#   3. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer (host compiler)
#   4. the doctor's parsers under libFuzzer for a bounded time (tests/doctor/fuzz.sh)
#   5. every release architecture's binary under qemu-user (tests/emulated/run_all_arches.sh)
#   6. two clean builds give bit-identical binaries, for x86_64 and big-endian 32-bit mips
#      (tests/release/check_reproducible.sh; the release script checks all seven)
# Exits non-zero on any failure, and when no test case ran at all.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

bash third_party/setup.sh

total_cases=0
total_failed=0
status=0

# Counts the GoogleTest cases (and sh_test targets) of a configuration from its XML logs; cached
# results count too, since their logs stay where Bazel left them.
count_cases() { # bazel flags selecting the configuration
  local logs cases failed
  logs=$(bazel info "$@" bazel-testlogs 2>/dev/null)
  # Only each target's own log (not the run_N_of_M copies a --runs_per_test leaves behind); grep
  # finding nothing must not end the script (errexit, pipefail).
  cases=$( (find "$logs" -name test.xml -not -path '*/run_*_of_*/*' -exec cat {} + | grep -o '<testcase ' || true) | wc -l)
  failed=$( (find "$logs" -name test.xml -not -path '*/run_*_of_*/*' -exec cat {} + | grep -o '<failure' || true) | wc -l)
  total_cases=$((total_cases + cases))
  total_failed=$((total_failed + failed))
}

run_bazel_test() { # [--config=X] targets...
  local config=()
  if [[ "$1" == --config=* ]]; then config=("$1"); fi
  if ! bazel test "$@"; then status=1; fi
  count_cases "${config[@]}"
}

run_bazel_test //...
run_bazel_test --config=asan //tests/...

# Counts a script-driven suite as one test case.
run_script() { # description, command...
  local what=$1
  shift
  total_cases=$((total_cases + 1))
  if ! "$@"; then
    echo "$what failed (see above)" >&2
    status=1
    total_failed=$((total_failed + 1))
  fi
}

run_script "emulated architectures" bash tests/emulated/run_all_arches.sh
run_script "reproducibility" bash tests/release/check_reproducible.sh --arch x86_64,mips

FUZZ_SECONDS=${FUZZ_SECONDS:-20} run_script "fuzzing" bash tests/doctor/fuzz.sh

echo
echo "tests: $((total_cases - total_failed)) passed, $total_failed failed"
if [ "$total_cases" -eq 0 ]; then
  echo "no test case ran" >&2
  exit 1
fi
exit "$status"
