#!/usr/bin/env python3
"""Where phantun-run's launch costs go, from a link map and an instruction/memory trace.

    profile.py --map MAP --trace LACKEY_LOG

MAP is ld.lld's --print-map output for the very binary that was traced (tests/bench/profile.sh makes
both); LACKEY_LOG is `valgrind --tool=lackey --trace-mem=yes` output of phantun-run launching
exit_now. Prints Markdown: what the binary is made of, which code runs on the launch path, and which
pages (and 64 KiB fault-around windows) of the executable it touches. Python 3 standard library only.
"""

import argparse
import bisect
import collections
import re

WINDOW = 64 * 1024  # Linux's default fault_around_bytes
PAGE = 4096

LINE = re.compile(r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+ (\s*)(\S.*)$")


def origin_group(origin):
    """Which part of the build an input section comes from (by its file, not its section name)."""
    path = origin.split(":(")[0]
    if "libc.a(" in path:
        return "musl libc"
    if "libc++abi.a(" in path:
        return "libc++abi (exceptions, RTTI, demangler)"
    if "libc++.a(" in path:
        return "libc++"
    if "libunwind.a(" in path:
        return "libunwind"
    if "compiler_rt" in path:
        return "compiler-rt (memcpy, ...)"
    if "crt1.o" in path or "crti.o" in path or "crtn.o" in path:
        return "crt (start-up)"
    if "/absl/" in path:
        return "abseil"
    if "runtime/doctor/" in path:
        return "runtime/doctor"
    if "<internal>" in path:
        return "merged strings and linker tables"
    if "runtime/" in path or "cmd/" in path:
        return "phantun-run, multicall, handoff"
    return "other"


def segment_class(out):
    if out.startswith(".text"):
        return "code"
    if out.startswith((".data", ".bss", ".tbss", ".tdata", ".init_array", ".fini_array", ".got")):
        return "writable data"
    return "read-only data"  # .rodata, .eh_frame, .eh_frame_hdr, .gcc_except_table


def parse_map(path):
    sections = []  # [start, size, output section, origin, [(addr, symbol)]]
    out = None
    with open(path) as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if not m:
                continue
            addr, size, indent, text = int(m.group(1), 16), int(m.group(2), 16), len(m.group(3)), m.group(4)
            if indent == 0:
                out = text
            elif indent == 8:
                sections.append([addr, size, out, text, []])
            elif indent == 16 and sections:
                sections[-1][4].append((addr, text))
    sections.sort(key=lambda s: s[0])
    return sections


def parse_trace(path):
    """Yields (kind, address): I for an instruction, L/S/M for data."""
    with open(path) as f:
        for line in f:
            if line.startswith("=="):
                continue
            kind = line[:2].strip()
            if kind not in ("I", "L", "S", "M"):
                continue
            try:
                yield kind, int(line[3:].split(",")[0], 16)
            except ValueError:
                continue


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--map", required=True)
    parser.add_argument("--trace", required=True)
    args = parser.parse_args()

    sections = parse_map(args.map)
    starts = [s[0] for s in sections]

    def section_at(addr):
        i = bisect.bisect_right(starts, addr) - 1
        while i >= 0 and sections[i][1] == 0:
            i -= 1
        if i >= 0 and sections[i][0] <= addr < sections[i][0] + sections[i][1]:
            return sections[i]
        return None

    lo = min(s[0] for s in sections)
    hi = max(s[0] + s[1] for s in sections)

    print("## What the binary is made of (bytes of input sections)")
    print()
    by = collections.defaultdict(collections.Counter)
    for s in sections:
        by[origin_group(s[3])][segment_class(s[2])] += s[1]
    total = collections.Counter()
    print("| from | code | read-only data | writable data | total |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for group, c in sorted(by.items(), key=lambda kv: -sum(kv[1].values())):
        total.update(c)
        print(f"| {group} | {c['code']:,} | {c['read-only data']:,} | {c['writable data']:,} | {sum(c.values()):,} |")
    print(f"| **all** | {total['code']:,} | {total['read-only data']:,} | {total['writable data']:,} | {sum(total.values()):,} |")
    print()
    objects = collections.Counter()
    for s in sections:
        m = re.search(r"([^/]+\.a)\(([^)]*)\)", s[3].split(":(")[0])
        name = f"{m.group(1)}({m.group(2).split('/')[-1]})" if m else s[3].split(":(")[0].split("/")[-1]
        objects[name] += s[1]
    print("Largest object files: " + ", ".join(f"{n} {v:,}" for n, v in objects.most_common(10)) + ".")

    instructions = collections.Counter()
    functions = collections.Counter()
    code_pages, data_pages = set(), collections.defaultdict(set)
    for kind, addr in parse_trace(args.trace):
        s = section_at(addr)
        if kind == "I":
            code_pages.add(addr // PAGE)
            group = origin_group(s[3]) if s else "?"
            instructions[group] += 1
            if s:
                name = s[4][0][1] if s[4] else s[3].split(":(")[-1].rstrip(")")
                functions[(group, name)] += 1
        elif lo <= addr < hi:
            data_pages[segment_class(s[2]) if s else "read-only data"].add(addr // PAGE)
        else:
            data_pages["stack, heap and anonymous maps"].add(addr // PAGE)

    n = sum(instructions.values())
    print()
    print(f"## The launch path: {n:,} instructions in the phantun-run process (valgrind lackey)")
    print()
    print("| from | instructions | share |")
    print("| --- | ---: | ---: |")
    for group, v in instructions.most_common():
        print(f"| {group} | {v:,} | {v / n * 100:.1f} % |")
    print()
    print("| instructions | function | from |")
    print("| ---: | --- | --- |")
    for (group, name), v in functions.most_common(30):
        name = name if len(name) <= 100 else name[:97] + "..."
        print(f"| {v:,} | `{name}` | {group} |")

    print()
    print("## Pages of the executable the launch path touches")
    print()
    windows = collections.defaultdict(set)
    for p in code_pages:
        windows[p * PAGE // WINDOW].add(p)
    print(f"Code: {len(code_pages)} distinct 4 KiB pages ({len(code_pages) * 4} KiB) spread over {len(windows)} "
          f"64 KiB fault-around windows, each of which becomes resident as a whole (as far as it lies in the "
          f"code segment):")
    print()
    print("| window | pages touched | functions run there (most instructions first) |")
    print("| --- | ---: | --- |")
    for w in sorted(windows):
        in_window = collections.Counter()
        for s in sections:
            if s[0] // WINDOW == w and segment_class(s[2]) == "code":
                nm = s[4][0][1] if s[4] else s[3]
                v = functions.get((origin_group(s[3]), nm), 0)
                if v:
                    in_window[nm.split("(")[0]] += v
        top = ", ".join(f"`{k[:48]}`" for k, _ in in_window.most_common(6))
        print(f"| {w * WINDOW:#x} | {len(windows[w])} | {top} |")
    print()
    for cls, pages in sorted(data_pages.items()):
        print(f"- {cls}: {len(pages)} pages touched ({len(pages) * 4} KiB)")


if __name__ == "__main__":
    main()
