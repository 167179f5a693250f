#!/usr/bin/env bash
# The container image, end to end, with podman and runc: the image is built through image/Dockerfile
# by its offline path (image/build.sh --local: the phantun-runtime binary under test and the real
# upstream phantun binaries as local build contexts; nothing is pulled or fetched), then
#   1. it holds exactly the expected files (no shell, no libc), with the expected labels;
#   2. MODE=server and MODE=client containers, each in a network namespace of this test, with only
#      NET_ADMIN, /dev/net/tun, a read-only root and no-new-privileges, carry UDP end to end through
#      phantun's fake-TCP tunnel (the lab of tests/lab/netns.sh, as in tests/tunnel/tunnel.sh);
#   3. IFACE_NAME/IFACE_FILE with a bind-mounted host file: the name while running, empty after;
#   4. `podman stop` returns promptly with exit status 143, compared with a plain image whose
#      entrypoint is phantun_server itself (as PID 1 it ignores SIGTERM, so podman waits its timeout);
#   5. the containers change nothing: sysctls, nftables, iptables, routes, rules, addresses and
#      links of both namespaces are identical before the start and after the stop;
#   6. phantun-doctor, if the binary has that applet, runs in the image and reports.
# Image size and file sizes go to a results file (--results; see tests/image/results.txt).
#
#   client namespace                                     server namespace
#   udp_echo ping -> 127.0.0.1:1234                      udp_echo serve 127.0.0.1:5000
#     [podman: phantun-runtime image, MODE=client]         [podman: phantun-runtime image, MODE=server]
#       TUN ptrt-tun-c 198.19.200.1 <-> .2                   TUN ptrt-tun-s 198.19.201.1 <-> .2
#     nft masquerade: TUN -> veth                          nft DNAT: tcp/4567 -> 198.19.201.2
#   veth-cli 198.18.0.1/30  <========== veth ==========>  veth-srv 198.18.0.2/30
#
# podman itself would set net.ipv4.ping_group_range in a namespace joined with --network ns:PATH
# (containers.conf default_sysctls; it does not with --network host), so this test runs podman with
# default_sysctls = [] to see only what the image does.
# Only 198.18.0.0/15 addresses (RFC 2544); the namespaces have no default route and no IPv6, and a
# guard table drops and counts anything else (it must count nothing). Everything this test creates
# (images and containers with unique names, namespaces, the temp folder, processes) is removed on
# exit, success or not; only processes it started are ended, by PID.
#
# Usage (as root):
#   image_test.sh --runtime PATH --udp-echo PATH [--phantun-bin-dir DIR] [--results FILE]
#   RUNTIME_BIN, UDP_ECHO, PHANTUN_BIN_DIR may come from the environment instead.
#   --results FILE  where to write image and file sizes and stop times (default: the Bazel test's
#                   undeclared outputs, else the temp folder, printed either way)
# Ends with "image test: PASS" (exit 0) or "image test: FAIL: <reason>".
set -Eeuo pipefail
exec 2>&1

# ------------------------------------------------------------------------------------------------
# Names (unique per run); the lab's addresses, TUN names and ports are tests/lab/netns.sh's.
readonly ID=$$
readonly IMAGE="localhost/ptrt-image-test-$ID:latest"
readonly PLAIN_IMAGE="localhost/ptrt-image-plain-$ID:latest"
readonly SRV_CTR="ptrt-image-srv-$ID" CLI_CTR="ptrt-image-cli-$ID" PLAIN_CTR="ptrt-image-plain-$ID"
readonly DOCTOR_CTR="ptrt-image-doctor-$ID" SHELL_CTR="ptrt-image-shell-$ID"
readonly CLI_NS="ptrt-icli-$ID" SRV_NS="ptrt-isrv-$ID"
readonly PLAIN_TUN=ptrt-tun-p PLAIN_TUN_LOCAL=198.19.202.1 PLAIN_TUN_PEER=198.19.202.2
readonly IFACE_TARGET=/run/phantun-runtime/iface          # IFACE_FILE inside the containers
readonly PING_COUNT=20 PING_TIMEOUT_MS=5000
readonly READY_TIMEOUT_MS=20000                            # container start included
readonly STOP_T=2                                          # podman stop -t: seconds before SIGKILL

# ------------------------------------------------------------------------------------------------
# State the EXIT trap cleans up: only what this run created is ever listed here.
WORK=""
CONTAINERS=()
IMAGES=()
MOUNTED=""
IMAGES_BEFORE=""
IMAGES_RECORDED=no
reason=""
step_no=0
RESULTS=""
# shellcheck source=../lab/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lab/netns.sh"
now_ms
readonly START_MS=$NOW_MS
usage() { sed -n '/^# Usage/,/^# Ends with/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
on_err() { [ -n "$reason" ] || reason="'$3' failed with status $1 (image_test.sh line $2)"; }
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
trap 'reason="interrupted (SIGINT)"; exit 130' INT
trap 'reason="terminated (SIGTERM)"; exit 143' TERM

# podman with runc (crun does not work on this kind of host), and rlimits runc can set.
PODMAN=(podman)
RUN_LIMITS=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
# The hardening every container of this test gets, as in the deploy examples.
HARDENING=(--cap-drop ALL --cap-add NET_ADMIN --device /dev/net/tun --read-only
  --security-opt no-new-privileges)

ctr_running() { [ "$("${PODMAN[@]}" inspect --format '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
ctr_exit_code() { "${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$1"; }

# For wait_for: holds while the container runs (the EXIT trap shows the log of one that stopped).
ctr_up() { # container
  ctr_running "$1" && return 0
  say "container $1 stopped, exit status $(ctr_exit_code "$1" 2>/dev/null || echo '?')"
  return 1
}
file_is() { [ "$(cat "$1")" = "$2" ]; }

# Everything of a namespace's network state that a container could change, without counters.
snapshot() { # netns
  local ns=$1
  echo "## sysctl net.ipv4.* net.ipv6.*"
  ip netns exec "$ns" sysctl -a 2>/dev/null | grep -E '^net\.ipv[46]\.' | sort
  echo "## nft -s list ruleset"
  ip netns exec "$ns" nft -s list ruleset
  echo "## iptables-save / ip6tables-save (counters and comments removed)"
  ip netns exec "$ns" iptables-save | sed -E '/^#/d; s/\[[0-9]+:[0-9]+\]/[-]/'
  ip netns exec "$ns" ip6tables-save | sed -E '/^#/d; s/\[[0-9]+:[0-9]+\]/[-]/'
  echo "## ip route show table all (IPv4 and IPv6)"
  ip -n "$ns" -4 route show table all
  ip -n "$ns" -6 route show table all
  echo "## ip rule (IPv4 and IPv6)"
  ip -n "$ns" -4 rule show
  ip -n "$ns" -6 rule show
  echo "## ip -o addr, ip -o link"
  ip -n "$ns" -o addr show
  ip -n "$ns" -o link show
}

# Stops a container with `podman stop -t STOP_T`; sets STOP_MS and STOP_STATUS.
timed_stop() { # container
  now_ms
  local t0=$NOW_MS
  "${PODMAN[@]}" stop -t "$STOP_T" "$1" >/dev/null
  now_ms
  STOP_MS=$((NOW_MS - t0))
  STOP_STATUS=$(ctr_exit_code "$1")
  say "$1: podman stop -t $STOP_T took $STOP_MS ms, exit status $STOP_STATUS"
}

# ------------------------------------------------------------------------------------------------
on_exit() {
  local rc=$?
  set +e
  trap - ERR INT TERM
  [ "$rc" -ne 0 ] || [ -z "$reason" ] || rc=1
  [ "$rc" -eq 0 ] || [ -n "$reason" ] || reason="exit status $rc"
  cd /
  printf '\n[cleanup]\n'
  local c i
  if [ -n "$reason" ]; then
    for c in "${CONTAINERS[@]}"; do
      "${PODMAN[@]}" container exists "$c" 2>/dev/null || continue
      say "log of $c:"
      "${PODMAN[@]}" logs "$c" 2>&1 | tail -n 40 | indent
    done
  fi
  for c in "${CONTAINERS[@]}"; do
    "${PODMAN[@]}" container exists "$c" 2>/dev/null || continue
    run "${PODMAN[@]}" rm -f -t 0 "$c" >/dev/null || reason=${reason:-"could not remove container $c"}
  done
  if [ -n "$MOUNTED" ]; then
    "${PODMAN[@]}" image unmount "$MOUNTED" >/dev/null 2>&1
  fi
  for i in "${IMAGES[@]}"; do
    "${PODMAN[@]}" image exists "$i" 2>/dev/null || continue
    run "${PODMAN[@]}" rmi -f "$i" >/dev/null || reason=${reason:-"could not remove image $i"}
  done
  for c in "${CONTAINERS[@]}"; do
    ! "${PODMAN[@]}" container exists "$c" 2>/dev/null || reason=${reason:-"container $c is still there"}
  done
  for i in "${IMAGES[@]}"; do
    ! "${PODMAN[@]}" image exists "$i" 2>/dev/null || reason=${reason:-"image $i is still there"}
  done
  if [ "$IMAGES_RECORDED" = yes ]; then
    local left
    left=$(comm -13 <(printf '%s\n' "$IMAGES_BEFORE") <("${PODMAN[@]}" images -a -q --no-trunc | sort -u) | tr '\n' ' ')
    if [ -n "$left" ]; then
      say "images that appeared during this run and are still there: $left"
      reason=${reason:-"the build left images behind: $left"}
    else
      say "ok: no image or container of this run is left"
    fi
  fi
  lab_remove
  if [ -n "$WORK" ]; then
    rm -rf -- "$WORK"
    [ ! -e "$WORK" ] || reason=${reason:-"temp folder $WORK is still there"}
  fi
  now_ms
  printf '\nimage test: took %d ms\n' "$((NOW_MS - START_MS))"
  if [ -z "$reason" ]; then
    echo "image test: PASS"
    exit 0
  fi
  echo "image test: FAIL: $reason"
  [ "$rc" -ne 0 ] || rc=1
  exit "$rc"
}
trap on_exit EXIT

# ------------------------------------------------------------------------------------------------
RUNTIME_BIN=${RUNTIME_BIN:-}
UDP_ECHO=${UDP_ECHO:-}
PHANTUN_BIN_DIR=${PHANTUN_BIN_DIR:-}
while [ $# -gt 0 ]; do
  case $1 in
    --runtime) RUNTIME_BIN=${2:?--runtime needs a path}; shift 2 ;;
    --udp-echo) UDP_ECHO=${2:?--udp-echo needs a path}; shift 2 ;;
    --phantun-bin-dir) PHANTUN_BIN_DIR=${2:?--phantun-bin-dir needs a folder}; shift 2 ;;
    --results) RESULTS=${2:?--results needs a file}; shift 2 ;;
    --results=*) RESULTS=${1#--results=}; shift ;;
    -h | --help) usage; trap - EXIT; exit 0 ;;
    *) usage >&2; fail "unknown argument '$1'" ;;
  esac
done

step "Checks"
[ "$(id -u)" -eq 0 ] || fail "must run as root (podman, network namespaces, TUN devices)"
[ -n "$RUNTIME_BIN" ] || fail "no phantun-runtime binary given (--runtime or RUNTIME_BIN)"
[ -n "$UDP_ECHO" ] || fail "no udp_echo given (--udp-echo or UDP_ECHO)"
[ -n "$PHANTUN_BIN_DIR" ] || fail "no phantun folder given (--phantun-bin-dir or PHANTUN_BIN_DIR; third_party/setup.sh sets it for Bazel)"
for f in "$RUNTIME_BIN" "$UDP_ECHO" "$PHANTUN_BIN_DIR/phantun_client" "$PHANTUN_BIN_DIR/phantun_server"; do
  if ! [ -f "$f" ] || ! [ -x "$f" ]; then fail "$f: not an executable file"; fi
done
# image/build.sh is a runfile of this test; its real path is in the checkout, whose Dockerfiles,
# version and git revision the build uses.
BUILD_SH=$(readlink -f -- "$(dirname "${BASH_SOURCE[0]}")/../../image/build.sh" 2>/dev/null || true)
if ! [ -f "$BUILD_SH" ] && [ -n "${TEST_SRCDIR:-}" ]; then
  BUILD_SH=$(readlink -f -- "$TEST_SRCDIR/${TEST_WORKSPACE:-phantun_runtime}/image/build.sh")
fi
[ -f "$BUILD_SH" ] || fail "image/build.sh not found next to this test"
REPO=$(dirname "$(dirname "$BUILD_SH")")
RUNTIME_BIN=$(readlink -f -- "$RUNTIME_BIN")
UDP_ECHO=$(readlink -f -- "$UDP_ECHO")
PHANTUN_BIN_DIR=$(readlink -f -- "$PHANTUN_BIN_DIR")
for tool in podman ip nft iptables-save ip6tables-save ss sysctl readelf strip sha256sum gzip tar python3; do
  command -v "$tool" >/dev/null || fail "$tool not found (bash third_party/setup.sh installs it)"
done
RUNC=$(command -v runc || true)
[ -n "$RUNC" ] || fail "runc not found (Debian: runc)"
PODMAN=(podman --runtime "$RUNC")
[ -c /dev/net/tun ] || fail "/dev/net/tun is missing"
say "checkout:        $REPO"
say "phantun-runtime: $RUNTIME_BIN ($("$RUNTIME_BIN" --version))"
say "phantun:         $PHANTUN_BIN_DIR ($("$PHANTUN_BIN_DIR/phantun_client" --version))"
say "podman:          $(podman --version), runc $("$RUNC" --version | sed -n 's/^runc version //p')"
WORK=$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/phantun-image.XXXXXX")
chmod 0755 "$WORK"
# podman's own default (containers.conf default_sysctls) sets net.ipv4.ping_group_range in a
# network namespace joined with --network ns:PATH; with --network host, as in the deploy examples,
# podman leaves it alone. This test joins namespaces, so it turns that engine default off, and then
# sees only what the image and phantun do.
printf '[containers]\ndefault_sysctls = []\n' >"$WORK/containers.conf"
export CONTAINERS_CONF="$WORK/containers.conf"
say "podman runs with CONTAINERS_CONF=$CONTAINERS_CONF (default_sysctls = [], as for --network host)"
[ -n "$RESULTS" ] || RESULTS="${TEST_UNDECLARED_OUTPUTS_DIR:-$WORK}/results.txt"

step "The Dockerfiles: the root copy is identical to image/Dockerfile, and IMAGE_VERSION's default is the runtime's version"
cmp -s "$REPO/Dockerfile" "$REPO/image/Dockerfile" ||
  fail "Dockerfile differs from image/Dockerfile (edit image/Dockerfile, then: cp image/Dockerfile Dockerfile)"
say "ok: Dockerfile = image/Dockerfile"
VERSION=$("$RUNTIME_BIN" --version | awk '{ print $NF }')
grep -qx "ARG IMAGE_VERSION=$VERSION" "$REPO/image/Dockerfile" ||
  fail "image/Dockerfile: ARG IMAGE_VERSION is not the runtime's version $VERSION"
say "ok: ARG IMAGE_VERSION=$VERSION"
APPLETS=$("$RUNTIME_BIN" --list)
say "applets (phantun-runtime --list): ${APPLETS//$'\n'/ }"

step "Build the image through image/Dockerfile's offline path (image/build.sh --local): nothing pulled, nothing fetched"
IMAGES_BEFORE=$("${PODMAN[@]}" images -a -q --no-trunc | sort -u)
IMAGES_RECORDED=yes
# The sha256 of the inputs, as a site receiving them would be given; build.sh must check them.
(cd "$PHANTUN_BIN_DIR" && sha256sum phantun_client phantun_server) >"$WORK/SHA256SUMS"
(cd "$(dirname "$RUNTIME_BIN")" && sha256sum "$(basename "$RUNTIME_BIN")") |
  sed 's/  .*/  phantun-runtime/' >>"$WORK/SHA256SUMS"
indent <"$WORK/SHA256SUMS"
say "first with one wrong sum: build.sh must refuse before building anything"
sed -E '1s/^0/x/; 1s/^[1-9a-f]/0/; 1s/^x/1/' "$WORK/SHA256SUMS" >"$WORK/SHA256SUMS.bad"  # first digit changed
IMAGES+=("$IMAGE")
status=0
bash "$BUILD_SH" --local --engine podman --tag "$IMAGE" --runtime "$RUNTIME_BIN" \
  --phantun-bin-dir "$PHANTUN_BIN_DIR" --sha256sums "$WORK/SHA256SUMS.bad" >"$WORK/bad-build.log" 2>&1 || status=$?
indent <"$WORK/bad-build.log"
[ "$status" -ne 0 ] || fail "build.sh accepted an input whose sha256 is not the expected one"
! "${PODMAN[@]}" image exists "$IMAGE" || fail "build.sh built an image from an input with a wrong sha256"
grep -q 'is not the expected' "$WORK/bad-build.log" || fail "build.sh failed, but not on the sha256"
say "ok: refused (status $status), no image"
run bash "$BUILD_SH" --local --engine podman --tag "$IMAGE" --runtime "$RUNTIME_BIN" \
  --phantun-bin-dir "$PHANTUN_BIN_DIR" --sha256sums "$WORK/SHA256SUMS" -- --runtime "$RUNC"
"${PODMAN[@]}" image exists "$IMAGE" || fail "no image $IMAGE after the build"

step "The plain comparison image: FROM scratch, phantun_server only, ENTRYPOINT [\"/usr/local/bin/phantun_server\"]"
mkdir "$WORK/plain"
cp -- "$PHANTUN_BIN_DIR/phantun_server" "$WORK/plain/"
cat >"$WORK/plain/Containerfile" <<'EOF'
FROM scratch
COPY phantun_server /usr/local/bin/phantun_server
ENTRYPOINT ["/usr/local/bin/phantun_server"]
EOF
IMAGES+=("$PLAIN_IMAGE")
run "${PODMAN[@]}" build --runtime "$RUNC" --layers=false --no-cache --tag "$PLAIN_IMAGE" "$WORK/plain"

step "Contents: exactly the three binaries and the applet links in /usr/local/bin, nothing else (no shell, no libc)"
MOUNTED=$IMAGE
MNT=$("${PODMAN[@]}" image mount "$IMAGE")
[ -d "$MNT" ] || fail "podman image mount gave no folder"
(cd "$MNT" && find . -mindepth 1 -printf '%y %P %l\n' | sed 's/ $//' | sort) >"$WORK/contents.actual"
{
  echo "d usr"
  echo "d usr/local"
  echo "d usr/local/bin"
  echo "f usr/local/bin/phantun-runtime"
  echo "f usr/local/bin/phantun_client"
  echo "f usr/local/bin/phantun_server"
  for a in $APPLETS; do echo "l usr/local/bin/$a phantun-runtime"; done
} | sort >"$WORK/contents.expected"
indent <"$WORK/contents.actual"
if ! diff -u "$WORK/contents.expected" "$WORK/contents.actual" >"$WORK/contents.diff"; then
  indent <"$WORK/contents.diff"
  fail "the image does not hold exactly the expected files (diff above: - expected, + found)"
fi
say "ok: exactly the expected entries (type, path, link target)"
[ "$(sha256sum <"$MNT/usr/local/bin/phantun-runtime")" = "$(sha256sum <"$RUNTIME_BIN")" ] ||
  fail "the image's phantun-runtime is not the binary under test"
say "ok: /usr/local/bin/phantun-runtime is byte for byte the binary under test"
for f in phantun_client phantun_server; do
  b="$MNT/usr/local/bin/$f"
  ! readelf -lW "$b" | grep -c 'program interpreter' >/dev/null && ! readelf -dW "$b" | grep -c '(NEEDED)' >/dev/null ||
    fail "$f in the image is not static"
  ! readelf -SW "$b" | grep -c ' \.symtab ' >/dev/null || fail "$f in the image is not stripped"
  cp -- "$PHANTUN_BIN_DIR/$f" "$WORK/$f.stripped"
  strip --strip-all "$WORK/$f.stripped"
  cmp -s "$b" "$WORK/$f.stripped" || fail "$f in the image is not upstream's $f (stripped)"
  [ "$(stat -c %a "$b")" = 755 ] || fail "$f: mode $(stat -c %a "$b"), want 755"
done
say "ok: phantun_client and phantun_server are upstream's, static, stripped, mode 755"
find "$MNT" -mindepth 1 \( -name sh -o -name bash -o -name busybox -o -name 'ld-*' -o -name 'libc*' \) | grep -q . &&
  fail "a shell or a libc is in the image"
say "ok: no shell, no dynamic loader, no libc"

# Sizes for the results file.
IMAGE_SIZE=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")
LAYER_GZ=$(tar -C "$MNT" --sort=name --owner=0 --group=0 --numeric-owner -cf - . | gzip -n -9 | wc -c)
(cd "$MNT" && find . -mindepth 1 \( -type f -o -type l \) -printf '%y %s %P %l\n' | sort -k3) >"$WORK/sizes"
"${PODMAN[@]}" image unmount "$IMAGE" >/dev/null
MOUNTED=""
say "image size (podman image inspect, uncompressed): $IMAGE_SIZE bytes; its files as one gzip -9 layer: $LAYER_GZ bytes"

step "Metadata: entrypoint (exec form), no command, labels"
"${PODMAN[@]}" image inspect "$IMAGE" >"$WORK/inspect.json"
python3 - "$WORK/inspect.json" "$VERSION" <<'EOF' | indent
import json, re, sys
image = json.load(open(sys.argv[1]))[0]
version = sys.argv[2]
config = image["Config"]
labels = config.get("Labels") or {}
problems = []
if config.get("Entrypoint") != ["/usr/local/bin/phantun-run"]:
    problems.append("Entrypoint is %r" % config.get("Entrypoint"))
if config.get("Cmd"):
    problems.append("Cmd is %r, want none" % config.get("Cmd"))
if config.get("User") not in (None, "", "0", "root"):
    problems.append("User is %r" % config.get("User"))
if image.get("Os") != "linux":
    problems.append("Os is %r" % image.get("Os"))
for key in ["org.opencontainers.image.source", "org.opencontainers.image.version",
            "org.opencontainers.image.revision", "phantun-runtime.upstream.commit",
            "phantun-runtime.upstream.repository"]:
    if key not in labels:
        problems.append("label %s is missing" % key)
if labels.get("org.opencontainers.image.version") != version:
    problems.append("version label %r, want %r" % (labels.get("org.opencontainers.image.version"), version))
if not re.fullmatch(r"[0-9a-f]{40}(-dirty)?", labels.get("org.opencontainers.image.revision", "")):
    problems.append("revision label %r is not a git commit" % labels.get("org.opencontainers.image.revision"))
commit = labels.get("phantun-runtime.upstream.commit", "")
if not (re.fullmatch(r"[0-9a-f]{40}", commit) or commit == "unknown"):
    problems.append("upstream commit label %r" % commit)
print("Entrypoint %s, Cmd %s, Architecture %s" % (config.get("Entrypoint"), config.get("Cmd"), image.get("Architecture")))
for key in sorted(labels):
    print("label %s=%s" % (key, labels[key]))
if problems:
    print("PROBLEMS: " + "; ".join(problems))
    sys.exit(1)
EOF
say "ok: entrypoint and labels"
SHELL_STATUS=0
CONTAINERS+=("$SHELL_CTR")
"${PODMAN[@]}" run --name "$SHELL_CTR" "${RUN_LIMITS[@]}" --network none --entrypoint /bin/sh "$IMAGE" -c true \
  >"$WORK/shell.log" 2>&1 || SHELL_STATUS=$?
indent <"$WORK/shell.log"
[ "$SHELL_STATUS" -ne 0 ] || fail "podman run --entrypoint /bin/sh worked: the image has a shell"
say "ok: --entrypoint /bin/sh cannot start (status $SHELL_STATUS)"
"${PODMAN[@]}" rm -f -t 0 "$SHELL_CTR" >/dev/null

step "The lab: namespaces $CLI_NS and $SRV_NS joined by a veth pair (198.18.0.0/15 only, no IPv6, a guard table)"
lab_create

step "Host admin (the test, never the image): forwarding and NAT in both namespaces"
lab_host_admin_client
lab_host_admin_server

step "Snapshot both namespaces before any container starts"
for ns in "$CLI_NS" "$SRV_NS"; do
  snapshot "$ns" >"$WORK/before.$ns"
  say "$ns: $(wc -l <"$WORK/before.$ns") lines (sysctls, nft, iptables, routes, rules, addresses, links)"
done

step "The UDP service in $SRV_NS: udp_echo serve $ECHO_UDP (on the host side, ip netns exec)"
start_in udp_echo "$SRV_NS" "$UDP_ECHO" serve "$ECHO_UDP"
ECHO_PID=$LAST_PID
wait_for "udp_echo listens on $ECHO_UDP" "$READY_TIMEOUT_MS" "$ECHO_PID" udp_listening "$SRV_NS" "$ECHO_UDP"

step "MODE=server container in $SRV_NS (NET_ADMIN only, /dev/net/tun, read-only, no-new-privileges, IFACE_FILE bind-mounted)"
install -m 0644 /dev/null "$WORK/iface-server"
install -m 0644 /dev/null "$WORK/iface-client"
CONTAINERS+=("$SRV_CTR")
run "${PODMAN[@]}" run -d --name "$SRV_CTR" "${RUN_LIMITS[@]}" "${HARDENING[@]}" --log-driver k8s-file \
  --network "ns:/run/netns/$SRV_NS" \
  -e MODE=server -e RUST_LOG=info -e IFACE_NAME="$SRV_TUN" -e IFACE_FILE="$IFACE_TARGET" \
  -v "$WORK/iface-server:$IFACE_TARGET" \
  "$IMAGE" --local "$PHANTUN_PORT" --remote "$ECHO_UDP" \
  --tun "$SRV_TUN" --tun-local "$SRV_TUN_LOCAL" --tun-peer "$SRV_TUN_PEER" --ipv4-only
wait_for "TUN $SRV_TUN is up with $SRV_TUN_LOCAL in $SRV_NS" "$READY_TIMEOUT_MS" "ctr_up $SRV_CTR" \
  tun_ready "$SRV_NS" "$SRV_TUN" "$SRV_TUN_LOCAL"

step "MODE=client container in $CLI_NS"
CONTAINERS+=("$CLI_CTR")
run "${PODMAN[@]}" run -d --name "$CLI_CTR" "${RUN_LIMITS[@]}" "${HARDENING[@]}" --log-driver k8s-file \
  --network "ns:/run/netns/$CLI_NS" \
  -e MODE=client -e RUST_LOG=info -e IFACE_NAME="$CLI_TUN" -e IFACE_FILE="$IFACE_TARGET" \
  -v "$WORK/iface-client:$IFACE_TARGET" \
  "$IMAGE" --local "$CLIENT_UDP" --remote "$SRV_ADDR:$PHANTUN_PORT" \
  --tun "$CLI_TUN" --tun-local "$CLI_TUN_LOCAL" --tun-peer "$CLI_TUN_PEER" --ipv4-only
wait_for "TUN $CLI_TUN is up with $CLI_TUN_LOCAL in $CLI_NS" "$READY_TIMEOUT_MS" "ctr_up $CLI_CTR" \
  tun_ready "$CLI_NS" "$CLI_TUN" "$CLI_TUN_LOCAL"
wait_for "phantun_client takes UDP on $CLIENT_UDP" "$READY_TIMEOUT_MS" "ctr_up $CLI_CTR" \
  udp_listening "$CLI_NS" "$CLIENT_UDP"
run "${PODMAN[@]}" top "$SRV_CTR" pid ppid user args

step "Through the tunnel: $PING_COUNT UDP datagrams from $CLI_NS to the echo service in $SRV_NS and back"
lab_echo_through "$UDP_ECHO" "$PING_COUNT" "$PING_TIMEOUT_MS"

step "Interface-name handoff while running: the bind-mounted host files hold the TUN names"
wait_for "$WORK/iface-server holds '$SRV_TUN'" 1000 "ctr_up $SRV_CTR" file_is "$WORK/iface-server" "$SRV_TUN"
wait_for "$WORK/iface-client holds '$CLI_TUN'" 1000 "ctr_up $CLI_CTR" file_is "$WORK/iface-client" "$CLI_TUN"

step "Stop: podman stop -t $STOP_T; phantun-run forwards SIGTERM, so each must end promptly with 143"
timed_stop "$CLI_CTR"
CLI_STOP_MS=$STOP_MS CLI_STOP_STATUS=$STOP_STATUS
timed_stop "$SRV_CTR"
SRV_STOP_MS=$STOP_MS SRV_STOP_STATUS=$STOP_STATUS
[ "$CLI_STOP_STATUS" -eq 143 ] || fail "the client container exited with $CLI_STOP_STATUS after podman stop, want 143"
[ "$SRV_STOP_STATUS" -eq 143 ] || fail "the server container exited with $SRV_STOP_STATUS after podman stop, want 143"
((CLI_STOP_MS < STOP_T * 1000 && SRV_STOP_MS < STOP_T * 1000)) ||
  fail "podman stop waited for its timeout (client $CLI_STOP_MS ms, server $SRV_STOP_MS ms)"
say "ok: both exited 143 before podman's ${STOP_T}s timeout"
for f in iface-server iface-client; do
  [ -f "$WORK/$f" ] && ! [ -s "$WORK/$f" ] || fail "$WORK/$f is not an empty file after the stop"
done
say "ok: both IFACE_FILEs are empty after the stop"
say "server log:"
"${PODMAN[@]}" logs "$SRV_CTR" 2>&1 | indent

step "phantun-doctor in the image"
DOCTOR_REPORT="skipped: phantun-doctor is not an applet of this phantun-runtime"
if grep -qx phantun-doctor <<<"$APPLETS"; then
  CONTAINERS+=("$DOCTOR_CTR")
  status=0
  "${PODMAN[@]}" run --name "$DOCTOR_CTR" "${RUN_LIMITS[@]}" "${HARDENING[@]}" --log-driver k8s-file \
    --network "ns:/run/netns/$SRV_NS" --entrypoint /usr/local/bin/phantun-doctor "$IMAGE" \
    >"$WORK/doctor.log" 2>&1 || status=$?
  indent <"$WORK/doctor.log"
  "${PODMAN[@]}" rm -f -t 0 "$DOCTOR_CTR" >/dev/null
  [ -s "$WORK/doctor.log" ] || fail "phantun-doctor printed nothing"
  ((status < 126)) || fail "phantun-doctor did not run to its end (status $status)"
  DOCTOR_REPORT="ran in the image, exit status $status, $(wc -l <"$WORK/doctor.log") lines of report"
  say "ok: phantun-doctor $DOCTOR_REPORT"
else
  say "SKIP: phantun-doctor is not in 'phantun-runtime --list' (${APPLETS//$'\n'/ }); this part runs once the applet is wired in"
fi

step "The containers changed nothing: both namespaces are as before the start"
for ns in "$CLI_NS" "$SRV_NS"; do
  snapshot "$ns" >"$WORK/after.$ns"
  if ! diff -u "$WORK/before.$ns" "$WORK/after.$ns" >"$WORK/diff.$ns"; then
    indent <"$WORK/diff.$ns"
    fail "$ns changed between the start and the stop (diff above)"
  fi
  say "ok: $ns identical ($(wc -l <"$WORK/after.$ns") lines)"
done
for ns in "$CLI_NS" "$SRV_NS"; do
  left=$(ip netns pids "$ns" | { grep -vx "$ECHO_PID" || true; } | tr '\n' ' ')
  [ -z "$left" ] || fail "processes left in $ns after the stop: $left"
done
say "ok: no container process left in either namespace"

step "The plain image for comparison: phantun_server as PID 1 (in $SRV_NS), podman stop -t $STOP_T"
CONTAINERS+=("$PLAIN_CTR")
run "${PODMAN[@]}" run -d --name "$PLAIN_CTR" "${RUN_LIMITS[@]}" "${HARDENING[@]}" --log-driver k8s-file \
  --network "ns:/run/netns/$SRV_NS" -e RUST_LOG=info \
  "$PLAIN_IMAGE" --local 4568 --remote "$ECHO_UDP" \
  --tun "$PLAIN_TUN" --tun-local "$PLAIN_TUN_LOCAL" --tun-peer "$PLAIN_TUN_PEER" --ipv4-only
wait_for "TUN $PLAIN_TUN is up in $SRV_NS" "$READY_TIMEOUT_MS" "ctr_up $PLAIN_CTR" \
  tun_ready "$SRV_NS" "$PLAIN_TUN" "$PLAIN_TUN_LOCAL"
timed_stop "$PLAIN_CTR"
PLAIN_STOP_MS=$STOP_MS PLAIN_STOP_STATUS=$STOP_STATUS
[ "$PLAIN_STOP_STATUS" -eq 137 ] ||
  fail "the plain image exited with $PLAIN_STOP_STATUS, want 137 (SIGKILL after the timeout): the comparison is not what this test expects"
say "phantun-runtime image: stopped in $CLI_STOP_MS / $SRV_STOP_MS ms (client / server), status 143"
say "plain image:           stopped in $PLAIN_STOP_MS ms, status $PLAIN_STOP_STATUS (SIGTERM ignored by PID 1, SIGKILL after ${STOP_T}s)"

step "Checks after the run"
say "udp_echo: kill -TERM $ECHO_PID"
stop_pid "$ECHO_PID"
[ "$STATUS" -eq 143 ] || fail "udp_echo exited with $STATUS"
lab_guard_check

step "Results"
{
  echo "# The phantun-runtime image, as measured by tests/image/image_test.sh (bazel test //tests/image:image_test)."
  echo "# Regenerate: bazel test //tests/image:image_test --test_arg=--results=\$PWD/tests/image/results.txt"
  echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host:     $(uname -sr), $(podman --version), runc $("$RUNC" --version | sed -n 's/^runc version //p')"
  echo "runtime:  $("$RUNTIME_BIN" --version), applets: ${APPLETS//$'\n'/ }"
  echo "phantun:  $("$PHANTUN_BIN_DIR/phantun_client" --version) (crates.io, crt-static, stripped in the image)"
  echo
  echo "image size (podman image inspect .Size, uncompressed): $IMAGE_SIZE bytes"
  echo "its files as one gzip -9 tar layer:                    $LAYER_GZ bytes"
  echo
  echo "files (bytes, path):"
  while read -r type size path target; do
    if [ "$type" = l ]; then
      printf '  %9s  /%s -> %s\n' link "$path" "$target"
    else
      printf '  %9d  /%s\n' "$size" "$path"
    fi
  done <"$WORK/sizes"
  echo
  echo "podman stop -t $STOP_T (SIGTERM, then SIGKILL after $STOP_T s), wall time of the command:"
  echo "  phantun-runtime image, MODE=client:                 $CLI_STOP_MS ms, exit status $CLI_STOP_STATUS"
  echo "  phantun-runtime image, MODE=server:                 $SRV_STOP_MS ms, exit status $SRV_STOP_STATUS"
  echo "  plain image, ENTRYPOINT phantun_server (PID 1):     $PLAIN_STOP_MS ms, exit status $PLAIN_STOP_STATUS"
  echo
  echo "phantun-doctor: $DOCTOR_REPORT"
} >"$RESULTS"
indent <"$RESULTS"
say "written to $RESULTS"
# The EXIT trap removes everything and prints the verdict.
