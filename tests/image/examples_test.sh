#!/usr/bin/env bash
# The deploy examples in image/examples, each checked by the tool that reads it:
#   docker-compose.yml, kubernetes.yaml  parsed with PyYAML; their security properties asserted
#                                        (tests/image/check_examples.py)
#   phantun-runtime@.service             systemd-analyze verify, in a root laid out as the unit's
#                                        install notes say (phantun-runtime --install), no warning
#   phantun.openwrt-init                 sh -n, then start_service run against stand-ins of procd's
#                                        functions, to see the command, environment and flags
# Each checker is also shown a broken copy, which it must reject.
#
# Usage: examples_test.sh --runtime PATH   (the phantun-runtime binary, for the unit's links)
set -euo pipefail

fail() { echo "examples test: FAIL: $*"; exit 1; }
say() { printf '  %s\n' "$*"; }

runtime=""
while [ $# -gt 0 ]; do
  case $1 in
    --runtime) runtime=${2:?--runtime needs a path}; shift 2 ;;
    *) fail "unknown argument '$1'" ;;
  esac
done
[ -n "$runtime" ] && [ -x "$runtime" ] || fail "give --runtime PATH"
here=$(dirname "${BASH_SOURCE[0]}")
examples="$here/../../image/examples"
[ -d "$examples" ] || examples="${TEST_SRCDIR:?}/${TEST_WORKSPACE:-phantun_runtime}/image/examples"
checker="$here/check_examples.py"
[ -f "$checker" ] || checker="${TEST_SRCDIR:?}/${TEST_WORKSPACE:-phantun_runtime}/tests/image/check_examples.py"
work=$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/examples.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
PATH="$PATH:/usr/sbin:/sbin"
python3 -c 'import yaml' 2>/dev/null || fail "python3 has no yaml module (Debian: python3-yaml)"
command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (Debian: systemd)"

# ------------------------------------------------------------------------------------------------
echo "[1] docker-compose.yml and kubernetes.yaml (PyYAML)"
python3 "$checker" "$examples/docker-compose.yml" "$examples/kubernetes.yaml" | sed 's/^/  /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "the compose file or the Kubernetes manifest breaks the image's security contract"
# Broken copies: one property each.
mutate_yaml() { # label file sed-expression
  local label=$1 file=$2 expr=$3 copy
  copy="$work/$(basename "$2")"
  sed -E "$expr" "$examples/$file" >"$copy"
  cmp -s "$copy" "$examples/$file" && fail "mutation '$label' changed nothing in $file"
  local other
  if [ "$file" = docker-compose.yml ]; then other=("$copy" "$examples/kubernetes.yaml"); else other=("$examples/docker-compose.yml" "$copy"); fi
  if python3 "$checker" "${other[@]}" >"$work/out" 2>&1; then
    cat "$work/out"
    fail "check_examples.py accepted $file with $label"
  fi
  say "rejected as expected: $file with $label"
}
mutate_yaml "read_only: false" docker-compose.yml 's/read_only: true/read_only: false/'
mutate_yaml "cap_add SYS_ADMIN" docker-compose.yml 's/cap_add: \[NET_ADMIN\]/cap_add: [NET_ADMIN, SYS_ADMIN]/'
mutate_yaml "privileged: true" docker-compose.yml 's/privileged: false/privileged: true/'
mutate_yaml "no no-new-privileges" docker-compose.yml 's/no-new-privileges:true/seccomp:unconfined/'
mutate_yaml "readOnlyRootFilesystem: false" kubernetes.yaml '0,/readOnlyRootFilesystem: true/s//readOnlyRootFilesystem: false/'
mutate_yaml "allowPrivilegeEscalation: true" kubernetes.yaml '0,/allowPrivilegeEscalation: false/s//allowPrivilegeEscalation: true/'
mutate_yaml "drop nothing" kubernetes.yaml '0,/drop: \[ALL\]/s//drop: []/'
mutate_yaml "/dev/net/tun as a Directory" kubernetes.yaml '0,/type: CharDevice/s//type: Directory/'
mutate_yaml "hostNetwork: false" kubernetes.yaml '0,/hostNetwork: true/s//hostNetwork: false/'

# ------------------------------------------------------------------------------------------------
echo "[2] phantun-runtime@.service (systemd-analyze verify)"
unit="$examples/phantun-runtime@.service"
for line in 'ExecStart=/usr/local/bin/phantun-run $PHANTUN_ARGS' 'ExecStartPre=/usr/local/bin/phantun-iface-write' \
  'ExecStopPost=/usr/local/bin/phantun-iface-write --clear' 'CapabilityBoundingSet=CAP_NET_ADMIN' \
  'AmbientCapabilities=CAP_NET_ADMIN' 'NoNewPrivileges=yes'; do
  grep -qxF "$line" "$unit" || fail "the unit lacks the line: $line"
done
say "ok: phantun-run, the handoff in ExecStartPre/ExecStopPost, only CAP_NET_ADMIN, NoNewPrivileges"
# A root laid out as the unit's install notes say, with the host's own system units beside it.
root="$work/root"
mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/etc/phantun-runtime" "$root/usr/lib/systemd"
cp -- "$runtime" "$root/usr/local/bin/phantun-runtime"
"$root/usr/local/bin/phantun-runtime" --install "$root/usr/local/bin"
for units in /usr/lib/systemd/system /lib/systemd/system; do
  [ -d "$units" ] && { cp -a "$units" "$root/usr/lib/systemd/"; break; }
done
[ -f "$root/usr/lib/systemd/system/sysinit.target" ] || fail "no systemd system units found on this host"
verify() { # unit-file -> output of systemd-analyze verify of both instances, status in $verify_status
  cp -- "$1" "$root/etc/systemd/system/phantun-runtime@.service"
  verify_status=0
  (cd "$root" && systemd-analyze verify --root="$root" phantun-runtime@server.service phantun-runtime@client.service) \
    >"$work/verify.out" 2>&1 || verify_status=$?
}
verify "$unit"
if [ "$verify_status" -ne 0 ] || [ -s "$work/verify.out" ]; then
  sed 's/^/  | /' "$work/verify.out"
  fail "systemd-analyze verify: status $verify_status, output above (any warning counts)"
fi
say "ok: systemd-analyze verify phantun-runtime@server.service phantun-runtime@client.service: clean"
sed 's/^NoNewPrivileges=yes$/NoNewPrivileges=yes\nCapabilityBoundingSett=CAP_SYS_ADMIN/' "$unit" >"$work/broken.service"
verify "$work/broken.service"
[ "$verify_status" -ne 0 ] || [ -s "$work/verify.out" ] || fail "systemd-analyze verify said nothing about a misspelt key"
say "rejected as expected: a misspelt key ($(head -n 1 "$work/verify.out" | sed 's/.*: //'))"
rm "$root/usr/local/bin/phantun-iface-write"
verify "$unit"
[ "$verify_status" -ne 0 ] || fail "systemd-analyze verify accepted a missing phantun-iface-write"
say "rejected as expected: phantun-iface-write missing"

# ------------------------------------------------------------------------------------------------
echo "[3] phantun.openwrt-init (procd)"
init="$examples/phantun.openwrt-init"
sh -n "$init" || fail "sh -n $init"
say "ok: sh -n"
# start_service against stand-ins that print what procd would be told, one line per call.
sh -c '
  procd_open_instance() { echo "open_instance $*"; }
  procd_close_instance() { echo close_instance; }
  procd_set_param() { printf "param"; printf " <%s>" "$@"; echo; }
  . "$1"
  start_service
' sh "$init" >"$work/procd.out"
sed 's/^/  | /' "$work/procd.out"
expect() { grep -qF -- "$1" "$work/procd.out" || fail "start_service did not set: $1"; }
expect 'param <command> </usr/bin/phantun-run> '
expect '<env> <MODE=client>'
expect '<IFACE_NAME=phantun-c>'
expect 'param <no_new_privs> <1>'
expect 'param <respawn>'
grep -q '^param <command> .*<--tun> <phantun-c>' "$work/procd.out" || fail "the --tun name is not IFACE_NAME"
grep -q '^close_instance$' "$work/procd.out" || fail "start_service did not close its instance"
say "ok: phantun-run with MODE, IFACE_NAME = --tun name, no_new_privs, respawn"
printf 'start_service() {\n\tprocd_open_instance\n' >"$work/broken.init"
if sh -n "$work/broken.init" 2>/dev/null; then fail "sh -n accepted an unterminated function"; fi
say "rejected as expected: an unterminated function"

echo "examples test: PASS"
