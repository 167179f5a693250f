#!/usr/bin/env bash
# The README's quick start on a fresh Debian 12 machine, proven on this one: bootstraps a minimal
# Debian 12 (bookworm) root from Debian's packages with mmdebstrap, puts a clone of this
# repository's HEAD in it (committed work only), enters it with chroot and runs, timed,
#   1. bash third_party/setup.sh        twice: the first run installs and fetches everything, the
#                                        second must install and download nothing
#   2. bash tests/tunnel/demo.sh         the README's first command
#   3. bash tests/run_all.sh             the README's second command
# then prints each step's wall time and run_all's closing line ("tests: N passed, N failed").
# Not part of CI (30 to 60 minutes on 2 cores); CI runs tests/run_all.sh itself.
#
# Usage (as root): tests/fresh_root.sh [--demo-only] [--keep] [--dir DIR]
#   --demo-only  steps 1 and 2 only: a quick check of setup.sh (about 10 minutes)
#   --keep       keep the root and the logs for inspection instead of removing them
#   --dir DIR    work in DIR (must not exist, or be empty) instead of a new /var/tmp/phantun-fresh-root.*
# Exits 0 when every step passed, 1 when one failed, 2 when the root could not be made.
#
# What the root gets from this host, and why (nothing else: no /usr, no Python module, no
# third_party/.cache; setup.sh in the root installs and downloads all of its own):
#   - apt sources: mmdebstrap is given the host's own /etc/apt/sources.list.d/*.sources (and
#     /etc/apt/sources.list, if any), so the root uses the archive this machine is configured for;
#     no archive address is written here.
#   - /etc/resolv.conf (mmdebstrap copies it) and a plain /etc/hosts, as every machine has.
#   - the site's local CA certificates (/usr/local/share/ca-certificates): this network's HTTPS
#     egress is signed by them, so a fresh machine here ships them, and the ca-certificates package
#     that setup.sh installs adds them to the system bundle.
#   - rustup's toolchain, read-only (/root/.rustup and /root/.cargo/bin): the machines this project
#     runs on ship rustup's cargo in /root/.cargo/bin (Debian 12's Rust is older than phantun 0.8.1
#     needs). The root's own /root/.cargo stays writable for cargo's registry cache.
# Mounts (in a mount namespace of this script's own, so they vanish with it, even after a kill):
#   /proc; /sys with its cgroup file systems (podman and runc in tests/image); /dev with /dev/pts,
#   /dev/shm and /dev/net/tun (phantun); a tmpfs /run (ip netns keeps /run/netns there). /tmp is
#   the root's own folder.
# Every process left in the root (Bazel's servers) is ended by PID, and the root is removed at the
# end, also on failure and Ctrl-C, unless --keep.
set -Eeuo pipefail

self=$(readlink -f -- "${BASH_SOURCE[0]}")
repo=$(dirname "$(dirname "$self")")
readonly SUITE=bookworm
readonly CHECKOUT=/root/phantun-runtime # the clone's path inside the root
readonly ROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "fresh_root: $*" >&2; }
die() { echo "fresh_root: error: $*" >&2; exit 2; }
usage() { sed -n '/^# Usage/,/^# Exits/s/^# \{0,1\}//p' "$self"; }

# Runs a command in the root, as a login on a fresh machine would: root's HOME, the standard PATH,
# nothing else from this environment.
in_root() { # root command...
  local root=$1
  shift
  env -i HOME=/root PATH="$ROOT_PATH" TERM="${TERM:-dumb}" LANG=C.UTF-8 chroot "$root" "$@"
}

# PIDs of the processes whose root directory is the given folder (all of them started by this
# script: the commands it ran and the Bazel servers they left).
pids_in_root() { # root
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
  done
  return 0
}

# ------------------------------------------------------------------------------------------------
# Inside the mount namespace (the script calls itself with --inside): mount, run the steps, stop
# Bazel. The mounts go when the namespace does.
if [ "${1:-}" = --inside ]; then
  root=$2 logs=$3 demo_only=$4
  inside_cleanup() {
    set +e
    if [ -x "$root/usr/bin/bazel" ] && [ -d "$root$CHECKOUT" ]; then
      in_root "$root" sh -c "cd $CHECKOUT && bazel shutdown" >/dev/null 2>&1
    fi
    local pid
    for pid in $(pids_in_root "$root"); do kill -TERM "$pid" 2>/dev/null; done
    sleep 1
    for pid in $(pids_in_root "$root"); do kill -KILL "$pid" 2>/dev/null; done
  }
  trap inside_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  # The root is a mount point of its own: runc's pivot_root(2) refuses a root that is not one.
  mount --bind "$root" "$root"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --make-rslave "$root/sys"
  mount --rbind /dev "$root/dev"
  mount --make-rslave "$root/dev"
  mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run"
  mkdir -p "$root/run/lock" "$root/root/.rustup" "$root/root/.cargo/bin"
  mount --bind /root/.rustup "$root/root/.rustup"
  mount -o remount,bind,ro "$root/root/.rustup"
  mount --bind /root/.cargo/bin "$root/root/.cargo/bin"
  mount -o remount,bind,ro "$root/root/.cargo/bin"

  failed=0
  step() { # name log command... -> runs it in the checkout, timed; records "name<TAB>seconds<TAB>status"
    local name=$1 log=$2 t0 status=0
    shift 2
    say "step '$name': $* (log: $logs/$log)"
    t0=$(date +%s)
    in_root "$root" bash -c "cd $CHECKOUT && $*" 2>&1 | tee "$logs/$log" || status=${PIPESTATUS[0]}
    printf '%s\t%s\t%s\n' "$name" "$(($(date +%s) - t0))" "$status" >>"$logs/steps"
    say "step '$name': status $status after $(($(date +%s) - t0)) s"
    [ "$status" -eq 0 ] || failed=1
  }
  # Files in /etc changed since a time stamp that no package owns: what setup.sh (or a maintainer
  # script of a package it installed) wrote there.
  etc_unowned() { # stamp
    in_root "$root" bash -c 'comm -23 <(find /etc -newer "$1" \( -type f -o -type l \) | sort) \
      <(cat /var/lib/dpkg/info/*.list | sort -u)' _ "$1"
  }
  touch "$root/var/tmp/.fresh-root-stamp-1"
  step "setup (first run)" setup-1.log bash third_party/setup.sh
  etc_unowned /var/tmp/.fresh-root-stamp-1 >"$logs/etc-unowned.txt"
  say "files in /etc that the first setup run changed and no package owns (written by maintainer scripts or setup.sh; $logs/etc-unowned.txt):"
  grep -v '^/etc/ssl/certs/' "$logs/etc-unowned.txt" | sed 's/^/    /' >&2
  echo "    and $(grep -c '^/etc/ssl/certs/' "$logs/etc-unowned.txt") links in /etc/ssl/certs (update-ca-certificates)" >&2
  touch "$root/var/tmp/.fresh-root-stamp-2"
  step "setup (second run)" setup-2.log bash third_party/setup.sh
  # A second run must install, download and build nothing ("setup: ready" is all it may say), and
  # change nothing in /etc.
  if grep -qv '^setup: ready$' "$logs/setup-2.log" ||
    [ -n "$(in_root "$root" find /etc -newer /var/tmp/.fresh-root-stamp-2)" ]; then
    say "the second setup run did more than report ready, or changed /etc"
    printf 'setup (second run) is a no-op\t0\t1\n' >>"$logs/steps"
    failed=1
  fi
  step "demo" demo.log bash tests/tunnel/demo.sh
  [ "$demo_only" = yes ] || step "run_all" run_all.log bash tests/run_all.sh
  exit "$failed"
fi

# ------------------------------------------------------------------------------------------------
# Outside: options, the root, the clone, then the steps in a mount namespace, then clean-up.
demo_only=no keep=no work=""
while [ $# -gt 0 ]; do
  case $1 in
    --demo-only) demo_only=yes; shift ;;
    --keep) keep=yes; shift ;;
    --dir) work=${2:?--dir needs a folder}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap --mode=root, chroot, mounts)"
for tool in mmdebstrap git unshare chroot; do
  command -v "$tool" >/dev/null || die "$tool not found (bash third_party/setup.sh installs it)"
done
[ -d /root/.cargo/bin ] && [ -d /root/.rustup ] ||
  die "no rustup toolchain in /root/.cargo and /root/.rustup (this machine is not of the kind the root stands for)"
sources=()
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list; do
  [ -s "$f" ] && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || die "this host has no apt sources to give the root"

if [ -z "$work" ]; then
  work=$(mktemp -d /var/tmp/phantun-fresh-root.XXXXXX)
else
  mkdir -p -- "$work"
  [ -z "$(ls -A -- "$work")" ] || die "$work is not empty"
fi
work=$(readlink -f -- "$work")
root=$work/root logs=$work/logs
mkdir -p "$logs"

# The root's path must never be removed while something is mounted below it: the mounts live in the
# namespace only, and this checks the host's view as well before rm.
mounted_below() { grep -qE " $root(/| )" /proc/self/mountinfo; }
cleanup() {
  local rc=$? pid
  set +e
  trap - EXIT INT TERM
  for pid in $(pids_in_root "$root"); do kill -KILL "$pid" 2>/dev/null; done
  if [ "$keep" = yes ]; then
    say "kept: the root in $root, the logs in $logs"
  elif mounted_below; then
    say "something is still mounted below $root; not removing $work"
    [ "$rc" -ne 0 ] || rc=1
  else
    rm -rf --one-file-system -- "$work" && say "removed $work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$(date +%s)
say "bootstrapping Debian $SUITE (minbase) in $root from this host's apt sources: ${sources[*]}"
mmdebstrap --mode=root --variant=minbase "$SUITE" "$root" "${sources[@]}" >"$logs/mmdebstrap.log" 2>&1 || {
  tail -n 20 "$logs/mmdebstrap.log" >&2
  die "mmdebstrap failed (log above)"
}
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
if [ -d /usr/local/share/ca-certificates ]; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
git clone --quiet --no-hardlinks "$repo" "$root$CHECKOUT"
printf 'bootstrap\t%s\t0\n' "$(($(date +%s) - t0))" >"$logs/steps"
say "root ready in $(($(date +%s) - t0)) s; $CHECKOUT is $(git -C "$root$CHECKOUT" log -1 --format='%h %s')"

status=0
unshare --mount --propagation slave -- bash "$self" --inside "$root" "$logs" "$demo_only" || status=$?

echo
echo "fresh root: Debian $SUITE, $(git -C "$root$CHECKOUT" rev-parse --short HEAD)"
while IFS=$'\t' read -r name seconds st; do
  printf '  %-28s %6s s  %s\n' "$name" "$seconds" "$([ "$st" = 0 ] && echo ok || echo "FAILED (status $st)")"
done <"$logs/steps"
if [ -f "$logs/run_all.log" ]; then
  echo "  run_all: $(grep -E '^tests: [0-9]+ passed, [0-9]+ failed' "$logs/run_all.log" | tail -n 1 || echo 'no closing line')"
fi
if [ "$status" -ne 0 ]; then
  echo "fresh root: FAIL"
  exit 1
fi
echo "fresh root: PASS"
