#!/usr/bin/env bash
# The tunnel demo, for operators: on a Debian 12 machine, as root, from a fresh checkout,
#
#   tests/tunnel/demo.sh
#
# puts the build inputs in place (third_party/setup.sh, idempotent), builds phantun-runtime and the
# udp_echo test tool, and runs tests/tunnel/tunnel.sh: a real phantun tunnel between two private
# network namespaces, with upstream phantun started by phantun-run, showing each step, including
# the ones that are the host admin's job (IP forwarding, nftables NAT). Everything it creates is
# removed when it ends. The last line is "tunnel demo: PASS" or "tunnel demo: FAIL: <reason>".
# Any arguments are passed on to tunnel.sh.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: must run as root (it creates network namespaces, TUN devices and nftables rules)" >&2
  exit 1
fi

# The phantun version the build pins, so the folder setup.sh fills is the one used here.
# shellcheck source=../../third_party/pins.sh
phantun_version=$(. third_party/pins.sh && echo "${PHANTUN_CRATE_VERSION:?}")

echo "demo: \$ third_party/setup.sh"
third_party/setup.sh

echo "demo: \$ bazel build //cmd:phantun-runtime //tests/tunnel:udp_echo"
bazel build //cmd:phantun-runtime //tests/tunnel:udp_echo
# The output folder of the default configuration, asked of Bazel rather than read through the
# bazel-bin symlink, which follows whichever configuration was built last.
bin=$(bazel info bazel-bin 2>/dev/null)

echo "demo: \$ tests/tunnel/tunnel.sh"
exec tests/tunnel/tunnel.sh \
  --runtime "$bin/cmd/phantun-runtime" \
  --udp-echo "$bin/tests/tunnel/udp_echo" \
  --phantun-bin-dir "$repo/third_party/.cache/phantun-$phantun_version/bin" \
  "$@"
