# The test counter of tests/run_all.sh, sourced by it and by tests/runner/counter_selftest.sh (which
# checks it on fixtures that fail in every way a test can). Each step adds its passed and failed test
# cases; when the script ends, for whatever reason, the closing line comes last:
#   tests: N passed, N failed
# and the exit status is non-zero exactly when the failed count is: a failure that no step counted
# (a command outside the steps stopping the script under errexit) is one more, and so is a run in
# which no test case ran at all.

results_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
results_passed=0
results_failed=0
results_failures=() # one line per failure, listed again just above the closing line

results_add() { # passed failed [failure line...]
  results_passed=$((results_passed + $1))
  results_failed=$((results_failed + $2))
  shift 2
  results_failures+=("$@")
}

# bazel test with the given arguments, counted by count_results.py from Bazel's build event file.
# --keep_going: a target that does not build must not hide the results of all the others.
results_bazel_test() { # bazel test arguments...
  local bep status=0 out line failures=() counts=""
  bep=$(mktemp "${TMPDIR:-/tmp}/run_all-bep.XXXXXX")
  bazel test --keep_going --build_event_json_file="$bep" "$@" || status=$?
  if out=$(/usr/bin/python3 "$results_dir/count_results.py" "$bep" "$status"); then
    while IFS= read -r line; do
      case $line in
        "count "*) counts=${line#count } ;;
        "failed: "*) failures+=("${line#failed: }") ;;
      esac
    done <<<"$out"
  fi
  rm -f "$bep"
  if [ -z "$counts" ]; then # the counter itself broke: nothing it said can be trusted
    counts="0 1"
    failures+=("bazel test $*: the results could not be counted")
  fi
  # shellcheck disable=SC2086 # two numbers
  results_add $counts "${failures[@]}"
}

# A script-driven suite counts as one test case.
results_script() { # description command...
  local what=$1 status=0
  shift
  "$@" || status=$?
  if [ "$status" -eq 0 ]; then
    results_add 1 0
  else
    echo "$what failed (see above)" >&2
    results_add 0 1 "$what: exited with status $status"
  fi
}

# Prints the failures and the closing line; returns non-zero when anything failed.
results_close() { # exit status of the script so far
  if [ "${1:-0}" -ne 0 ] && [ "$results_failed" -eq 0 ]; then
    results_add 0 1 "${0##*/} stopped with status $1 before its steps were done"
  fi
  if [ $((results_passed + results_failed)) -eq 0 ]; then
    results_add 0 1 "no test case ran"
  fi
  echo
  local line
  for line in "${results_failures[@]}"; do echo "failed: $line"; done
  echo "tests: $results_passed passed, $results_failed failed"
  [ "$results_failed" -eq 0 ]
}

# Makes results_close the last thing the script does, and its verdict the exit status.
results_begin() {
  trap 'results_on_exit $?' EXIT
}

results_on_exit() {
  trap - EXIT
  if results_close "$1"; then exit 0; else exit 1; fi
}
