# Sourced by shell scripts: the pins of third_party/pins.bzl (the one source of truth, which
# WORKSPACE loads) as shell variables, NAME=value for each `NAME = "value"` line there.
_pins_bzl="$(dirname "${BASH_SOURCE[0]}")/pins.bzl"
eval "$(sed -n -E 's/^([A-Za-z][A-Za-z0-9_]*) = "([^"$`\\]*)"$/\1="\2"/p' "$_pins_bzl")"
unset _pins_bzl
