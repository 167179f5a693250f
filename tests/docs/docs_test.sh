#!/usr/bin/env bash
# Runs docs_test.py with Debian's Python (standard library only). Arguments: docs_test.py, the
# phantun-runtime binary, runtime/exit_codes.h, then the documents.
set -euo pipefail
exec /usr/bin/python3 "$@"
