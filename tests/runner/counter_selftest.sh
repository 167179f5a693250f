#!/usr/bin/env bash
# Checks the counter of tests/run_all.sh (tests/runner/results.sh and count_results.py) against
# targets that fail in each way a test target can, so that a failure can no longer slip past the
# closing line (as when `tests: 921 passed, 0 failed` was printed while an sh_test failed: its XML
# holds an <error>, not a <failure>). tests/run_all.sh runs it as one of its steps.
#
# Each case runs the counter exactly as run_all.sh does, in a fresh shell, on fixture targets from
# tests/runner/fixtures (all tagged manual: `bazel test //...` never runs them), and compares the
# closing line and the exit status with the expected ones. Bazel's output of each case goes to a
# log, shown only when the case does not give what it should. About 30 s once the fixtures are
# built (the timeout case alone waits 3 s).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

work=$(mktemp -d "${TMPDIR:-/tmp}/counter_selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT

fixtures=//tests/runner/fixtures
# Every case gets the same options, so Bazel analyses the fixtures once for all of them:
#   --nocache_test_results  each case runs its tests, so the flaky one fails on its first attempt;
#   --test_env              where that flaky fixture keeps the marker of its first attempt;
#   --test_timeout          3 s for the "moderate" timeout class, which only sleeping_sh_test uses.
options=(
  --nocache_test_results
  --test_env=FLAKY_MARKER="$work/flaky.marker"
  --test_timeout=60,3,900,3600
)

checked=0
wrong=0

# Runs a shell snippet with the counter loaded, as run_all.sh would, and checks what it ends with.
expect() { # description, expected closing line, expected status (0 or 1), snippet, its arguments...
  local what=$1 want_line=$2 want_status=$3 snippet=$4 log status=0 line
  shift 4
  log="$work/case$checked.log"
  rm -f "$work/flaky.marker"
  bash -c "set -euo pipefail; source tests/runner/results.sh; results_begin; $snippet" \
    counter_selftest "$@" >"$log" 2>&1 || status=$?
  line=$(tail -n 1 "$log")
  checked=$((checked + 1))
  # The lines are shown in brackets: bare, they would look like this script's own closing line.
  if [ "$line" = "$want_line" ] && [ "$status" -eq "$want_status" ]; then
    echo "counter_selftest: ok: $what: [$line], status $status"
  else
    wrong=$((wrong + 1))
    echo "counter_selftest: WRONG: $what: [$line], status $status;" \
      "expected [$want_line], status $want_status. Its output:" >&2
    sed 's/^/    /' "$log" >&2
  fi
}

count_bazel() { # description, expected closing line, expected status, fixture names...
  local what=$1 want_line=$2 want_status=$3 name targets=()
  shift 3
  for name in "$@"; do targets+=("$fixtures:$name"); done
  expect "$what" "$want_line" "$want_status" 'results_bazel_test "$@"' "${options[@]}" "${targets[@]}"
}

# Each fixture on its own.
count_bazel "a passing gtest" "tests: 1 passed, 0 failed" 0 passing_gtest
count_bazel "a failing sh_test (<error>)" "tests: 0 passed, 1 failed" 1 failing_sh_test
count_bazel "a gtest, 1 of 2 cases failing" "tests: 1 passed, 1 failed" 1 failing_gtest
count_bazel "a cc_test that does not compile" "tests: 0 passed, 1 failed" 1 broken_build_test
count_bazel "a cc_binary that does not compile" "tests: 0 passed, 1 failed" 1 broken_binary
count_bazel "a flaky sh_test" "tests: 0 passed, 1 failed" 1 flaky_sh_test
count_bazel "a timed-out sh_test" "tests: 0 passed, 1 failed" 1 sleeping_sh_test
# All of them in one invocation, as in `bazel test //...`: every failure counts, and the passing
# cases (the passing gtest's and the failing gtest's other one) still count as passed.
count_bazel "all fixtures at once" "tests: 2 passed, 6 failed" 1 \
  passing_gtest failing_sh_test failing_gtest broken_build_test broken_binary flaky_sh_test \
  sleeping_sh_test
# A pattern that matches nothing buildable.
count_bazel "a target that does not exist" "tests: 0 passed, 1 failed" 1 no_such_target

# The rest of the closing rules, without Bazel.
expect "a passing and a failing script suite" "tests: 1 passed, 1 failed" 1 \
  'results_script passing true; results_script failing false'
expect "no test case at all" "tests: 0 passed, 1 failed" 1 ':'
expect "a command outside the steps failing" "tests: 1 passed, 1 failed" 1 \
  'results_script passing true; false; results_script never_reached true'

if [ "$wrong" -ne 0 ]; then
  echo "counter_selftest: $wrong of $checked cases gave the wrong closing line or status" >&2
  exit 1
fi
echo "counter_selftest: all $checked cases gave the expected closing line and status"
