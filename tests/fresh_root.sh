#!/usr/bin/env bash
# The README's quick start on a fresh Debian 12 machine, proven on this one: bootstraps a minimal
# Debian 12 (bookworm) root from Debian's packages with mmdebstrap, puts a clone of this
# repository's HEAD in it (committed work only), enters it and runs, timed,
#   1. bash third_party/setup.sh        twice: the first run installs and fetches everything, the
#                                        second must install, download and change nothing
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
# How it is entered: in a mount and PID namespace of this script's own, the root is bind-mounted
# on itself, gets /proc (of the new PID namespace), /sys with its cgroup file systems (podman and
# runc in tests/image), /dev with /dev/pts, /dev/shm and /dev/net/tun (phantun), a tmpfs /run
# (ip netns keeps /run/netns there), the toolchain above and the log folder, and then becomes the
# namespace's root with pivot_root(2). A chroot is not enough: a test that joins a mount namespace
# with setns(2) gets that namespace's root, which is the host's / around a chroot, and runc's
# pivot_root refuses a root that is not a mount point. /tmp is the root's own folder.
# When the script ends (also on failure or Ctrl-C) the namespace's processes (Bazel's servers) end
# with it, its mounts go with them, and the root is removed unless --keep.
set -Eeuo pipefail

readonly SUITE=bookworm
readonly CHECKOUT=/root/phantun-runtime # the clone's path inside the root
readonly LOGS=/var/log/fresh-root       # the log folder's path inside the root
readonly ROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "fresh_root: $*" >&2; }
die() { echo "fresh_root: error: $*" >&2; exit 2; }

# A command in the root, as a login on a fresh machine runs it: root's HOME, the standard PATH,
# nothing else from this environment.
clean_env() { env -i HOME=/root PATH="$ROOT_PATH" TERM="${TERM:-dumb}" LANG=C.UTF-8 "$@"; }

# ------------------------------------------------------------------------------------------------
# Inside the namespaces (the script calls itself with --inside; it is PID 1 there).
inside() { # root logs demo_only
  local root=$1 logs=$2 demo_only=$3
  mount --bind "$root" "$root"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --make-rslave "$root/sys"
  mount --rbind /dev "$root/dev"
  mount --make-rslave "$root/dev"
  mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run"
  mkdir -p "$root/run/lock" "$root/root/.rustup" "$root/root/.cargo/bin" "$root$LOGS"
  local ro
  for ro in /root/.rustup /root/.cargo/bin; do
    mount --bind "$ro" "$root$ro"
    mount -o remount,bind,ro "$root$ro"
  done
  mount --bind "$logs" "$root$LOGS"
  cd "$root"
  pivot_root . .
  umount -l . # the host's root, stacked on top by pivot_root(".", ".")
  cd /

  trap 'cd / && [ -x /usr/bin/bazel ] && (cd "$CHECKOUT" && clean_env bazel shutdown) >/dev/null 2>&1' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  local failed=0
  step() { # name log command... -> runs it in the checkout, timed; appends "name<TAB>seconds<TAB>status"
    local name=$1 log=$2 t0 status=0
    shift 2
    say "step '$name': $* (log: $logs/$log)"
    t0=$(date +%s)
    clean_env bash -c "cd $CHECKOUT && $*" 2>&1 | tee "$LOGS/$log" || status=${PIPESTATUS[0]}
    printf '%s\t%s\t%s\n' "$name" "$(($(date +%s) - t0))" "$status" >>"$LOGS/steps"
    say "step '$name': status $status after $(($(date +%s) - t0)) s"
    [ "$status" -eq 0 ] || failed=1
  }
  # Files in /etc changed since a time stamp that no package owns: what setup.sh (or a maintainer
  # script of a package it installed) wrote there.
  etc_unowned() { # stamp
    comm -23 <(find /etc -newer "$1" \( -type f -o -type l \) | sort) <(cat /var/lib/dpkg/info/*.list | sort -u)
  }

  touch /var/tmp/.fresh-root-stamp-1
  step "setup (first run)" setup-1.log bash third_party/setup.sh
  etc_unowned /var/tmp/.fresh-root-stamp-1 >"$LOGS/etc-unowned.txt"
  say "files in /etc that the first setup run changed and no package owns (written by maintainer scripts or setup.sh; $logs/etc-unowned.txt):"
  grep -v '^/etc/ssl/certs/' "$LOGS/etc-unowned.txt" | sed 's/^/    /' >&2
  echo "    and $(grep -c '^/etc/ssl/certs/' "$LOGS/etc-unowned.txt") links in /etc/ssl/certs (update-ca-certificates)" >&2
  touch /var/tmp/.fresh-root-stamp-2
  step "setup (second run)" setup-2.log bash third_party/setup.sh
  # A second run must install, download and build nothing ("setup: ready" is all it may say), and
  # change nothing in /etc.
  if grep -qv '^setup: ready$' "$LOGS/setup-2.log" || [ -n "$(find /etc -newer /var/tmp/.fresh-root-stamp-2)" ]; then
    say "the second setup run did more than report ready, or changed /etc"
    printf 'setup (second run) is a no-op\t0\t1\n' >>"$LOGS/steps"
    failed=1
  fi
  step "demo" demo.log bash tests/tunnel/demo.sh
  [ "$demo_only" = yes ] || step "run_all" run_all.log bash tests/run_all.sh
  return "$failed"
}

# ------------------------------------------------------------------------------------------------
# Outside: options, the root, the clone, then the steps in the namespaces, then clean-up.
main() {
  local self repo demo_only=no keep=no f
  self=$(readlink -f -- "${BASH_SOURCE[0]}")
  repo=$(dirname "$(dirname "$self")")
  while [ $# -gt 0 ]; do
    case $1 in
      --demo-only) demo_only=yes; shift ;;
      --keep) keep=yes; shift ;;
      --dir) work=${2:?--dir needs a folder}; shift 2 ;;
      -h | --help) sed -n '/^# Usage/,/^# Exits/s/^# \{0,1\}//p' "$self"; exit 0 ;;
      *) die "unknown argument '$1' (see --help)" ;;
    esac
  done
  [ "$(id -u)" = 0 ] || die "run as root (mmdebstrap --mode=root, namespaces, mounts)"
  for f in mmdebstrap git unshare pivot_root; do
    command -v "$f" >/dev/null || die "$f not found (bash third_party/setup.sh installs it)"
  done
  [ -d /root/.cargo/bin ] && [ -d /root/.rustup ] ||
    die "no rustup toolchain in /root/.cargo and /root/.rustup (this machine is not of the kind the root stands for)"
  local sources=()
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
  keep_work=$keep
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  local t0 status=0
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

  # --kill-child: should unshare itself be killed, the namespace's init goes too, and with it
  # every process in the namespace.
  unshare --mount --pid --fork --kill-child --propagation slave -- \
    bash "$self" --inside "$root" "$logs" "$demo_only" || status=$?

  echo
  echo "fresh root: Debian $SUITE, $(git -C "$root$CHECKOUT" log -1 --format='%h %s')"
  local name seconds st
  while IFS=$'\t' read -r name seconds st; do
    printf '  %-30s %6s s  %s\n' "$name" "$seconds" "$([ "$st" = 0 ] && echo ok || echo "FAILED (status $st)")"
  done <"$logs/steps"
  if [ -f "$logs/run_all.log" ]; then
    echo "  run_all: $(grep -E '^tests: [0-9]+ passed, [0-9]+ failed' "$logs/run_all.log" | tail -n 1 || echo 'no closing line')"
  fi
  if [ "$status" -ne 0 ]; then
    echo "fresh root: FAIL"
    exit 1
  fi
  echo "fresh root: PASS"
}

# What cleanup removes or keeps (set by main).
work="" root="" logs="" keep_work=no

# The root is never removed while anything is mounted below it (the mounts live in the namespace,
# which is gone by now; this checks the host's view as well).
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [ "$keep_work" = yes ]; then
    say "kept: the root in $root, the logs in $logs"
  elif grep -qE " $root(/| )" /proc/self/mountinfo; then
    say "something is still mounted below $root; not removing $work"
    [ "$rc" -ne 0 ] || rc=1
  else
    rm -rf --one-file-system -- "$work" && say "removed $work"
  fi
  exit "$rc"
}

# The whole script is read before anything runs (an edit of this file cannot reach a running one).
if [ "${1:-}" = --inside ]; then
  inside "$2" "$3" "$4"
else
  main "$@"
fi
