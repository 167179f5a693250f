#!/usr/bin/env bash
# The phantun-runtime binary of one architecture, checked from outside and run under qemu-user.
#
#   emulated_test.sh --runtime FILE --fake FILE --arch ARCH
#
# ARCH is x86_64, i686, aarch64, armv7, mipsel, mips or mips64 (BUILD.bazel derives it from --cpu).
#
# 1. The file: ELF class, byte order, machine and ABI flags of ARCH; statically linked (no
#    PT_INTERP, no dynamic section); stripped (no .symtab); no build-machine path inside.
# 2. Under qemu-ARCH-static, a black-box subset of the phantun-run contract:
#    --version, --list, an unknown applet (127); MODE unset/empty/wrong (64, one stderr line, nothing
#    started); MODE=client and MODE=server pick the right program; arguments reach phantun byte for
#    byte (empty, spaces, newlines, leading dashes, non-UTF-8, 32 KiB, 1000 of them) and MODE is in
#    its environment; exit statuses 0, 1, 255, and 137, 143 and 128+SIGUSR1 (the target's number)
#    for a phantun killed by SIGKILL, SIGTERM, SIGUSR1; SIGUSR1, SIGHUP and SIGTERM sent
#    to the emulated phantun-run reach phantun, and SIGTERM ends it with 143; 126 and 127 for a
#    program that is not executable or missing; phantun-doctor --json gives valid JSON when the
#    binary has that applet.
#
# The fake phantun is the integration tests' own (tests/support/fake_phantun.cc, its protocol is at
# its top), built for ARCH too; it reports on descriptor 3, which run() opens on a fresh record
# file for each start. When the host kernel can execute it (x86_64, i686 with IA32 emulation, or
# any ARCH with a binfmt_misc entry) phantun_client *is* the fake. Otherwise
# phantun_client is a two-line /bin/sh trampoline that execs qemu-ARCH-static on the fake: the
# emulated runtime's execve(2) is the host's, and a kernel without a binfmt_misc entry cannot run a
# foreign ELF. The trampoline keeps the PID (exec), the arguments ("$@" is byte-exact) and the
# signals (qemu forwards host signals to its guest and dies by the guest's fatal signal), but the
# kernel replaces argv[0] with the script's path, so argv[0] is only checked in direct mode.
#
# What qemu-user cannot show, and where it is covered natively (tests/integration, x86_64):
#  - PID 1 of a PID namespace: qemu installs host handlers for the signals whose default action is
#    fatal, so the kernel's rule for PID 1 (drop a signal that has no handler) never applies to an
#    emulated process; a PID-1 test under qemu could not fail.
#  - Real-time signals: qemu-user maps guest real-time signals onto the host's and keeps some host
#    ones for itself, so not every signal from 32 to SIGRTMAX gets through 1:1; only standard
#    signals are sent here.
#  - A signal sent while phantun-run is still starting (held, then delivered to phantun): the test
#    signals only after the fake reports "ready", because a signal reaching the fake before it has
#    blocked them would kill it by its default action.
#  - seccomp: qemu-user refuses to install seccomp filters (EINVAL), so phantun-doctor's read-only
#    guard is only ever enforced natively; here the doctor reports it as unavailable.
#  - Reaping of orphans: qemu-user refuses PR_SET_CHILD_SUBREAPER (EINVAL), so the emulated
#    phantun-run warns that it cannot become a subreaper and goes on; the stderr checks leave that
#    one warning line out.
#  - Parent-death signal, terminal foreground, close-on-exec of the runtime's descriptors,
#    SIGSEGV/SIGBUS sent with kill(2) (qemu handles those host signals itself).
set -uo pipefail

runtime= fake= arch=
while [ $# -gt 0 ]; do
  case $1 in
    --runtime) runtime=$2; shift 2 ;;
    --fake) fake=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    *) echo "usage: $0 --runtime FILE --fake FILE --arch ARCH" >&2; exit 2 ;;
  esac
done
[ -f "$runtime" ] && [ -f "$fake" ] && [ -n "$arch" ] || { echo "usage: $0 --runtime FILE --fake FILE --arch ARCH" >&2; exit 2; }

failures=0
checks=0
pass() { checks=$((checks + 1)); echo "ok   $arch: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL $arch: $*"; }
note() { echo "note $arch: $*"; }
check() { # description command...
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# ---------------------------------------------------------------------------------------------
# Per-architecture expectations: qemu, readelf -h class/data/machine, ABI details.
case $arch in
  x86_64) qemu=qemu-x86_64-static class=ELF64 data=little machine='Advanced Micro Devices X86-64' ;;
  i686) qemu=qemu-i386-static class=ELF32 data=little machine='Intel 80386' ;;
  aarch64) qemu=qemu-aarch64-static class=ELF64 data=little machine=AArch64 ;;
  armv7) qemu=qemu-arm-static class=ELF32 data=little machine=ARM ;;
  mipsel) qemu=qemu-mipsel-static class=ELF32 data=little machine='MIPS R3000' ;;
  mips) qemu=qemu-mips-static class=ELF32 data=big machine='MIPS R3000' ;;
  mips64) qemu=qemu-mips64-static class=ELF64 data=big machine='MIPS R3000' ;;
  *) echo "unknown architecture '$arch' (built with a --cpu this test does not know?)" >&2; exit 2 ;;
esac

tmp=${TEST_TMPDIR:-$(mktemp -d)}
tmp=$(mktemp -d "$tmp/emulated.XXXXXX")

# ---------------------------------------------------------------------------------------------
# 1. The file itself.
header=$(readelf -h "$runtime")
field() { sed -n "s/^ *$1: *//p" <<<"$header"; }
check "ELF class $class" [ "$(field Class)" = "$class" ]
check "byte order $data endian" grep -q "$data endian" <<<"$(field Data)"
check "machine $machine" [ "$(field Machine)" = "$machine" ]
check "executable (ET_EXEC, not PIE)" grep -q '^EXEC' <<<"$(field Type)"
flags=$(field Flags)
attrs=$(readelf -A "$runtime")
case $arch in
  armv7)
    check "EABI5, hard-float ABI (e_flags: $flags)" grep -q 'Version5 EABI, hard-float ABI' <<<"$flags"
    check "ARMv7 (Tag_CPU_arch)" grep -q 'Tag_CPU_arch: v7$' <<<"$attrs"
    check "A profile" grep -q 'Tag_CPU_arch_profile: Application' <<<"$attrs"
    check "Thumb-2" grep -q 'Tag_THUMB_ISA_use: Thumb-2' <<<"$attrs"
    check "VFPv3-D16" grep -q 'Tag_FP_arch: VFPv3-D16' <<<"$attrs"
    check "float arguments in VFP registers" grep -q 'Tag_ABI_VFP_args: VFP registers' <<<"$attrs"
    check "no NEON required" bash -c '! grep -q Tag_Advanced_SIMD_arch <<<"$1"' _ "$attrs"
    ;;
  mipsel | mips)
    check "o32, MIPS32r2 (e_flags: $flags)" grep -q 'o32, mips32r2' <<<"$flags"
    check "ISA MIPS32r2 (abiflags)" grep -q 'ISA: MIPS32r2' <<<"$attrs"
    check "soft-float (abiflags)" grep -q 'FP ABI: Soft float' <<<"$attrs"
    ;;
  mips64)
    check "MIPS64r2, no n32 flag (e_flags: $flags)" bash -c 'grep -q mips64r2 <<<"$1" && ! grep -q abi2 <<<"$1"' _ "$flags"
    check "ISA MIPS64r2 (abiflags)" grep -q 'ISA: MIPS64r2' <<<"$attrs"
    check "hard-float, double precision (abiflags)" grep -q 'FP ABI: Hard float (double precision)' <<<"$attrs"
    ;;
esac
segments=$(readelf -lW "$runtime")
check "no program interpreter (static)" bash -c '! grep -q INTERP <<<"$1"' _ "$segments"
check "no dynamic section (static)" bash -c '! grep -q DYNAMIC <<<"$1"' _ "$segments"
check "stripped (no .symtab)" bash -c '! readelf -SW "$1" | grep -q "\.symtab"' _ "$runtime"
check "no build-id note" bash -c '! readelf -nW "$1" | grep -q GNU_BUILD_ID' _ "$runtime"
check "file(1): statically linked, stripped" bash -c 'file -L -b "$1" | grep -q "statically linked.*stripped"' _ "$runtime"
# Pieces of the paths a build uses: Bazel's output base and execroot, the checkout's
# third_party/.cache (Zig, Abseil, GoogleTest) and Zig's cache.
leaks=$(grep -a -o -E '(/\.cache/|_bazel_|execroot|third_party/\.cache|zig-cache)[[:print:]]{0,40}' "$runtime" | head -3)
check "no build-machine path inside${leaks:+: $leaks}" [ -z "$leaks" ]

# ---------------------------------------------------------------------------------------------
# 2. Under qemu-user.
if ! command -v "$qemu" >/dev/null; then
  fail "$qemu is not installed (third_party/setup.sh installs qemu-user-static)"
  echo "$arch: $((checks - failures)) of $checks checks passed"
  exit 1
fi

# The install directory, as on a bare host: the binary, its applet link, and phantun next to it.
dir=$tmp/bin
mkdir -p "$dir"
cp "$runtime" "$dir/phantun-runtime"
chmod 755 "$dir/phantun-runtime"
ln -s phantun-runtime "$dir/phantun-run"
cp "$fake" "$tmp/fake_phantun"
chmod 755 "$tmp/fake_phantun"

if FAKE_EVENT_FD=3 "$tmp/fake_phantun" </dev/null >/dev/null 2>&1 3>"$tmp/probe" && [ -s "$tmp/probe" ]; then
  direct=yes
  note "the host kernel runs the $arch fake directly: phantun_client is the fake itself"
  for program in phantun_client phantun_server; do cp "$tmp/fake_phantun" "$dir/$program"; done
else
  direct=no
  note "the host kernel cannot run $arch executables (no binfmt_misc entry): phantun_client is a trampoline to $qemu"
  for program in phantun_client phantun_server; do
    printf '#!/bin/sh\nexec %s -0 %s %s "$@"\n' "$(command -v "$qemu")" "$program" "$tmp/fake_phantun" >"$dir/$program"
    chmod 755 "$dir/$program"
  done
fi

# run OUT ERR ENV... -- ARGV0 ARGS...: the runtime under qemu with exactly the environment given
# (env -i) and FAKE_EVENT_FD=3, stdin from /dev/null, descriptor 3 on an emptied $tmp/rec (the
# fake's record, if it runs); sets $status.
run() {
  local out=$1 err=$2
  shift 2
  local env=()
  while [ "$1" != -- ]; do env+=("$1"); shift; done
  shift
  local name=$1
  shift
  env -i PATH=/usr/bin:/bin FAKE_EVENT_FD=3 "${env[@]}" timeout -s KILL 60 "$qemu" "$dir/$name" "$@" \
    </dev/null >"$out" 2>"$err" 3>"$tmp/rec"
  status=$?
}

# The record's "arg HEX" lines (one per argv element) from argv[1] on, one HEX a line; argv[0].
recorded_args() { sed -n 's/^arg //p' "$1" 2>/dev/null | tail -n +2; }
recorded_argv0() { sed -n 's/^arg //p' "$1" 2>/dev/null | head -n 1; }
# The hex of each argument given, one a line, in the fake's format (one od for all of them).
hex_of_args() {
  [ $# -eq 0 ] && return 0
  printf '%s\0' "$@" | od -An -v -tx1 | tr -s ' \n' '\n\n' | awk '
    $0 == "" { next }
    $0 == "00" { print line; line = ""; next }
    { line = line $0 }'
}
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
lines() { if [ -s "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# The same without phantun-run's warning that it cannot become a child subreaper: qemu-user answers
# PR_SET_CHILD_SUBREAPER with EINVAL, so under emulation every start that gets that far has it.
errors() { grep -vc 'cannot become a child subreaper' "$1"; }

# --version, --list, unknown applet.
run "$tmp/out" "$tmp/err" -- phantun-runtime --version
check "--version: exit 0, 'phantun-runtime X.Y.Z'" bash -c '[ "$1" = 0 ] && grep -Eq "^phantun-runtime [0-9]+\.[0-9]+\.[0-9]+" "$2"' _ "$status" "$tmp/out"
run "$tmp/out" "$tmp/err" -- phantun-runtime --list
applets=$(cat "$tmp/out")
check "--list: exit 0, names phantun-run and phantun-iface-write" bash -c '[ "$1" = 0 ] && grep -qx phantun-run <<<"$2" && grep -qx phantun-iface-write <<<"$2"' _ "$status" "$applets"
run "$tmp/out" "$tmp/err" -- phantun-runtime no-such-applet
check "unknown applet: exit 127, one stderr line" bash -c '[ "$1" = 127 ] && [ "$2" = 1 ]' _ "$status" "$(lines "$tmp/err")"

# MODE errors: 64, exactly one stderr line naming MODE, nothing on stdout, phantun not started.
for mode in unset "" Client bogus; do
  if [ "$mode" = unset ]; then
    run "$tmp/out" "$tmp/err" -- phantun-run --help
  else
    run "$tmp/out" "$tmp/err" MODE="$mode" -- phantun-run --help
  fi
  check "MODE ${mode:-(empty)}: exit 64, one stderr line naming MODE, phantun not started (exit $status)" \
    bash -c '[ "$1" = 64 ] && [ "$2" = 1 ] && grep -q MODE "$3" && [ ! -s "$4" ] && [ ! -s "$5" ]' \
    _ "$status" "$(lines "$tmp/err")" "$tmp/err" "$tmp/out" "$tmp/rec"
done

# Arguments, byte for byte, and the program each MODE picks.
long=$(printf 'x%.0s' $(seq 32768))
args=("" " " "two words" $'line\nbreak' --help -v "--" "-" $'\xff\xfe\x80' "é ü 字" '$HOME' '*' "a=b" $'tab\there' "$long" "")
for mode in client server; do
  run "$tmp/out" "$tmp/err" MODE=$mode FAKE_EXIT=0 -- phantun-run "${args[@]}"
  check "MODE=$mode: exit 0 (got $status)" [ "$status" = 0 ]
  check "MODE=$mode: argc is ${#args[@]} + 1" [ "$(grep -c '^arg ' "$tmp/rec")" = $((${#args[@]} + 1)) ]
  check "MODE=$mode: every argument byte for byte" cmp -s <(hex_of_args "${args[@]}") <(recorded_args "$tmp/rec")
  check "MODE=$mode: MODE reaches phantun's environment" grep -sqx "env $(hex MODE=$mode)" "$tmp/rec"
  check "MODE=$mode: argv[0] is phantun_$mode (the program that ran)" [ "$(recorded_argv0 "$tmp/rec")" = "$(hex phantun_$mode)" ]
done
[ "$direct" = yes ] || note "argv[0] above comes from the trampoline's name, not from the runtime (direct mode only)"

many=()
for i in $(seq 1000); do many+=("arg-$i"); done
run "$tmp/out" "$tmp/err" MODE=client FAKE_EXIT=0 -- phantun-run "${many[@]}"
check "1000 arguments: exit 0 (got $status)" [ "$status" = 0 ]
check "1000 arguments, in order" cmp -s <(hex_of_args "${many[@]}") <(recorded_args "$tmp/rec")

# Exit statuses. The fake takes signal numbers, and they are the target's: SIGUSR1 is 10 on x86
# and ARM, 16 on MIPS (SIGHUP 1, SIGKILL 9 and SIGTERM 15 everywhere), and so is the status.
case $arch in mips*) usr1=16 ;; *) usr1=10 ;; esac
for code in 0 1 255; do
  run "$tmp/out" "$tmp/err" MODE=server FAKE_EXIT=$code -- phantun-run
  check "phantun exits $code: phantun-run exits $code (got $status)" [ "$status" = "$code" ]
done
run "$tmp/out" "$tmp/err" MODE=client FAKE_RAISE=9 -- phantun-run
check "phantun killed by SIGKILL: exit 137 (got $status)" [ "$status" = 137 ]
run "$tmp/out" "$tmp/err" MODE=client FAKE_RAISE=15 -- phantun-run
check "phantun killed by SIGTERM: exit 143 (got $status)" [ "$status" = 143 ]
run "$tmp/out" "$tmp/err" MODE=client FAKE_RAISE=$usr1 -- phantun-run
check "phantun killed by SIGUSR1: exit 128+$usr1 (got $status)" [ "$status" = $((128 + usr1)) ]

# Signals sent to the emulated phantun-run reach phantun.
wait_for_line() { # file line seconds [pid]: until FILE has LINE, or PID has ended
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    grep -sqx "$2" "$1" && return 0
    if [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; then
      grep -sqx "$2" "$1"
      return
    fi
    sleep 0.05
  done
  return 1
}
# The fake reports each signal and, on SIGTERM, dies of it (as phantun, which has no handler).
# The record is emptied here, not by the background job's own redirection, which may come after
# the wait below has already read the previous record's "ready".
: >"$tmp/rec"
env -i PATH=/usr/bin:/bin MODE=client FAKE_EVENT_FD=3 FAKE_EXIT_ON=15 FAKE_RAISE=15 "$qemu" "$dir/phantun-run" \
  </dev/null >"$tmp/out" 2>"$tmp/err" 3>>"$tmp/rec" &
pid=$!
# Watchdog: SIGKILL after 60 s; ends by itself once phantun-run has.
(for _ in $(seq 600); do kill -0 $pid 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL $pid 2>/dev/null) &
watchdog=$!
if wait_for_line "$tmp/rec" ready 30 $pid; then
  pass "phantun started under the emulated phantun-run"
  kill -USR1 $pid
  check "SIGUSR1 to phantun-run reaches phantun" wait_for_line "$tmp/rec" "signal $usr1" 20 $pid
  kill -HUP $pid
  check "SIGHUP to phantun-run reaches phantun" wait_for_line "$tmp/rec" "signal 1" 20 $pid
  kill -TERM $pid
  check "SIGTERM to phantun-run reaches phantun" wait_for_line "$tmp/rec" "signal 15" 20 $pid
else
  fail "phantun did not start under the emulated phantun-run (stderr: $(head -c 300 "$tmp/err"))"
  kill -TERM $pid 2>/dev/null
fi
wait $pid
status=$?
wait $watchdog 2>/dev/null
check "phantun ended by the forwarded SIGTERM: phantun-run exits 143 (got $status)" [ "$status" = 143 ]

# 126 and 127.
chmod 644 "$dir/phantun_client"
run "$tmp/out" "$tmp/err" MODE=client -- phantun-run
check "phantun_client not executable: exit 126, one stderr line (got $status)" bash -c '[ "$1" = 126 ] && [ "$2" = 1 ]' _ "$status" "$(errors "$tmp/err")"
rm -f "$dir/phantun_server"
run "$tmp/out" "$tmp/err" MODE=server -- phantun-run
check "phantun_server missing: exit 127, one stderr line (got $status)" bash -c '[ "$1" = 127 ] && [ "$2" = 1 ]' _ "$status" "$(errors "$tmp/err")"

# phantun-doctor, once the binary has it.
if grep -qx phantun-doctor <<<"$applets"; then
  run "$tmp/out" "$tmp/err" -- phantun-runtime phantun-doctor --json
  check "phantun-doctor --json: ran (exit $status, not a crash or usage error)" bash -c '[ "$1" -lt 64 ]' _ "$status"
  check "phantun-doctor --json: stdout is valid JSON" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/out"
  if grep -q '"id":"doctor.guard","status":"warn"' "$tmp/out"; then
    note "phantun-doctor's seccomp guard is unavailable here: qemu-user refuses to install seccomp filters (EINVAL); it is enforced natively only"
  fi
else
  note "SKIP phantun-doctor --json: this binary has no phantun-doctor applet yet (phantun-runtime --list)"
fi

echo "$arch: $((checks - failures)) of $checks checks passed"
[ "$failures" = 0 ]
