#!/bin/sh
echo "coverage collection through Bazel is not available in this offline build" >&2
exit 1
