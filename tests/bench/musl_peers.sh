#!/usr/bin/env bash
# Builds the benchmark's fair anchors: tini, dumb-init and catatonit as static musl binaries
# (musl-gcc, from Debian's musl-tools), from Debian's source packages at the versions pinned below,
# the same versions whose Debian builds the benchmark also runs. A static musl launcher is what
# phantun-run is; Debian's tini-static and catatonit are static glibc and its dumb-init is dynamic,
# so only these compare like with like.
#
#   musl_peers.sh OUT_DIR     leaves OUT_DIR/tini, OUT_DIR/dumb-init, OUT_DIR/catatonit
#
# The sources come through apt from the Debian archive this machine already uses (its own
# sources, read from /etc/apt, as deb-src), into a private apt state under OUT_DIR: nothing of the
# system's apt configuration changes. Each upstream tarball is checked against the SHA-256 its
# pinned .dsc lists (copied below), then built with its upstream build flags. Debian's own
# patches to these versions touch only their build systems (catatonit's configure.ac; tini and
# dumb-init have none that change the code), which these direct compiles do not use. Idempotent:
# a second run with the binaries in place does nothing.
set -euo pipefail

OUT=${1:?usage: musl_peers.sh OUT_DIR}
# package version (Debian) | upstream tarball | its SHA-256 (from the .dsc)
readonly PINS=(
  "tini 0.19.0-1 tini_0.19.0.orig.tar.gz 0fd35a7030052acd9f58948d1d900fe1e432ee37103c5561554408bdac6bbf0d"
  "dumb-init 1.2.5-2 dumb-init_1.2.5.orig.tar.gz 3eda470d8a4a89123f4516d26877a727c0945006c8830b7e3bad717a5f6efc4e"
  "catatonit 0.1.7-1 catatonit_0.1.7.orig.tar.xz 6ea6cb8c7feeca2cf101e7f794dab6eeb192cde177ecc7714d2939655d3d8997"
)

if [ -x "$OUT/tini" ] && [ -x "$OUT/dumb-init" ] && [ -x "$OUT/catatonit" ]; then exit 0; fi
command -v musl-gcc >/dev/null || { echo "musl_peers.sh: musl-gcc is missing (Debian: musl-tools)" >&2; exit 1; }
mkdir -p "$OUT"
OUT=$(readlink -f -- "$OUT")
work=$(mktemp -d "${TMPDIR:-/tmp}/musl-peers.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# The deb-src twin of every Debian source this machine uses (deb822 .sources files and one-line
# .list files alike).
apt_dir=$OUT/apt
mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
: >"$apt_dir/parts/debian-src.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\(.*debian.*\)$/deb-src \1\2/p' "$f" >>"$apt_dir/parts/debian-src.list"
done
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  awk 'BEGIN { RS = ""; ORS = "\n\n" } /(^|\n)Types:[^\n]*deb/ && /debian/ { sub(/Types:[^\n]*/, "Types: deb-src"); print }' \
    "$f" >"$apt_dir/parts/$(basename "$f")"
done
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/parts/debian-src.list" -o "Dir::Etc::SourceParts=$apt_dir/parts"
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" -q update >/dev/null

for pin in "${PINS[@]}"; do
  read -r package version tarball sha256 <<<"$pin"
  (
    cd "$work"
    # The .dsc and the upstream tarball are enough: the build below uses neither Debian's
    # packaging nor its build system (a Debian tarball this mirror lacks is not needed).
    apt-get "${apt_opts[@]}" -q source --download-only "$package=$version" >/dev/null 2>&1 || true
    [ -f "$tarball" ] || { echo "musl_peers.sh: $package $version: $tarball was not downloaded" >&2; exit 1; }
    echo "$sha256  $tarball" | sha256sum -c --quiet - ||
      { echo "musl_peers.sh: $tarball does not match the pinned SHA-256" >&2; exit 1; }
    grep -q "$sha256" "${package}_${version}.dsc" ||
      { echo "musl_peers.sh: ${package}_${version}.dsc does not list the pinned SHA-256" >&2; exit 1; }
    tar xf "$tarball"
  )
done

# Each with the flags of its own upstream build, plus -static; stripped as shipped.
(
  cd "$work/tini-0.19.0"
  printf '#define TINI_VERSION "0.19.0"\n#define TINI_GIT ""\n' >src/tiniConfig.h
  musl-gcc -static -std=gnu99 -O2 -D_FORTIFY_SOURCE=2 -fstack-protector --param=ssp-buffer-size=4 -o "$work/tini" src/tini.c
)
(
  cd "$work/dumb-init-1.2.5"
  musl-gcc -std=gnu99 -static -s -Wall -O3 -o "$work/dumb-init" dumb-init.c
)
(
  cd "$work/catatonit-0.1.7"
  {
    echo '#define PROGRAM_NAME "catatonit"'
    echo '#define PROGRAM_VERSION "0.1.7"'
    echo '#define PROGRAM_URL "catatonit 0.1.7 (Debian source package 0.1.7-1)"'
    echo '#define PROGRAM_BUGURL PROGRAM_URL'
    echo '#define PROGRAM_LICENSE "GPL-2.0-or-later"'
  } >config.h
  musl-gcc -static -std=gnu11 -O2 -o "$work/catatonit" catatonit.c
)
for peer in tini dumb-init catatonit; do
  strip --strip-all "$work/$peer"
  install -m 0755 "$work/$peer" "$OUT/$peer"
done
echo "musl_peers.sh: built $(for pin in "${PINS[@]}"; do read -r p v _ <<<"$pin"; printf '%s %s, ' "$p" "$v"; done | sed 's/, $//') with $(musl-gcc -dumpversion 2>/dev/null | head -n 1) and musl $(dpkg-query -W -f='${Version}' musl-dev 2>/dev/null || echo '?') in $OUT"
