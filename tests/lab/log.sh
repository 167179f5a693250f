# The step-by-step log of the lab scripts (tests/tunnel/tunnel.sh, tests/image/image_test.sh,
# tests/bench/run.sh; netns.sh sources it). Sourced; the caller owns `reason` (why the run failed,
# printed by its EXIT trap) and `step_no`.
now_ms() { local t=${EPOCHREALTIME/[.,]/}; NOW_MS=$((t / 1000)); }
say() { printf '    %s\n' "$*"; }
step() { step_no=$((step_no + 1)); printf '\n[%d] %s\n' "$step_no" "$*"; }
indent() { sed 's/^/      | /'; }
# Shows a command, then runs it (its output indented below it).
run() {
  printf '    $ %s\n' "$*"
  local status=0
  "$@" 2>&1 | indent || status=$?
  [ "$status" -eq 0 ] || [ -n "$reason" ] || reason="'$*' failed with status $status"
  return "$status"
}
fail() { reason=$1; exit 1; }
# Shows every non-empty *.log of a folder, or only the last `lines` lines of each.
show_logs() { # folder [lines]
  local log
  for log in "$1"/*.log; do
    [ -s "$log" ] || continue
    if [ -n "${2:-}" ]; then
      say "log $(basename "$log") (last lines):"
      tail -n "$2" "$log" | indent
    else
      say "log $(basename "$log"):"
      indent <"$log"
    fi
  done
}
