#!/usr/bin/env python3
"""What each part of phantun-runtime costs in its size.

    size_parts.py --symbols BINARY

BINARY is phantun-runtime built with its symbols (run.sh builds it with --features=-strip_all
--linkopt=-g; its loaded sections have the shipped binary's sizes). Prints a Markdown table: the
bytes of code and of data each part's symbols take (the doctor, the rest of the runtime, Abseil,
libc++ with libunwind, musl and the rest, by resident_pages.owner), then what no symbol covers
(unwind tables, section padding). Python 3 standard library and nm.
"""

import argparse
import collections
import os
import subprocess
import sys

# resident_pages.py is a file of this folder (standard library only), not an installed module.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resident_pages  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--symbols", required=True)
    args = parser.parse_args()
    parts = collections.Counter()
    for _, size, name, is_code in resident_pages.read_symbols(args.symbols):
        kind = "code" if is_code else "data"
        parts[(resident_pages.owner(name), kind)] += size
    sections = subprocess.run(["size", "-A", args.symbols], check=True, capture_output=True, text=True).stdout
    loaded = 0
    for line in sections.splitlines()[2:]:
        fields = line.split()
        if len(fields) == 3 and fields[0].startswith(".") and int(fields[2]) > 0:
            loaded += int(fields[1])
    print("| part | code | data | total |")
    print("| --- | ---: | ---: | ---: |")
    owners = sorted({o for o, _ in parts}, key=lambda o: -(parts[(o, "code")] + parts[(o, "data")]))
    for o in owners:
        code, data = parts[(o, "code")], parts[(o, "data")]
        print(f"| {o} | {code:,} | {data:,} | {code + data:,} |")
    named = sum(parts.values())
    print(f"| unwind tables, padding, unnamed constants | | | {loaded - named:,} |")
    print(f"| all loaded sections (.bss included, which takes no file space) | | | {loaded:,} |")


if __name__ == "__main__":
    main()
