#!/usr/bin/env bash
# The project's whole test suite, as the README's quick start and CI run it:
#   1. third_party/setup.sh  (installs every input; does nothing when all are in place)
#   2. the test counter's self-test (tests/runner/counter_selftest.sh), before it counts anything
#   3. bazel test //...       (everything, against the shipped static musl binary)
#   4. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer (host compiler)
#   5. every release architecture's binary under qemu-user (tests/emulated/run_all_arches.sh)
#   6. two clean builds give bit-identical binaries, for x86_64 and big-endian 32-bit mips
#      (tests/release/check_reproducible.sh; the release script checks all seven)
#   7. the doctor's parsers under libFuzzer for a bounded time (tests/doctor/fuzz.sh)
# Ends with the closing line `tests: N passed, N failed`. Every failure counts (tests/runner/
# results.sh): a failed, timed-out or flaky test target, one that did not build, any other target
# that did not build, a failed script suite (steps 2, 5, 6, 7 count as one test case each), and the
# script stopping early. The exit status is non-zero exactly when the failed count is, and a run in
# which no test case ran at all counts as a failure.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# shellcheck source=runner/results.sh
. tests/runner/results.sh
results_begin

bash third_party/setup.sh

results_script "the test counter's self-test" bash tests/runner/counter_selftest.sh

results_bazel_test //...
results_bazel_test --config=asan //tests/...

results_script "emulated architectures" bash tests/emulated/run_all_arches.sh
results_script "reproducibility" bash tests/release/check_reproducible.sh --arch x86_64,mips

FUZZ_SECONDS=${FUZZ_SECONDS:-20} results_script "fuzzing" bash tests/doctor/fuzz.sh
