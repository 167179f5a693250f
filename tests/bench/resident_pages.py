#!/usr/bin/env python3
"""Where each of phantun-run's resident pages comes from.

    resident_pages.py --smaps SMAPS --symbols BINARY [--stripped SHIPPED]

SMAPS is /proc/PID/smaps of phantun-run while phantun runs (bench_probe mem --smaps). BINARY is
phantun-runtime built from the same code with its symbols (run.sh builds it with
--features=-strip_all --linkopt=-g); with --stripped, it must load the same sections at the same
addresses with the same sizes as the shipped binary, so that its addresses are the shipped ones
(the code of the libraries Zig builds for it differs in a few bytes, not in its layout). Prints a Markdown table: every
mapping of the process with resident memory, and for the executable's read-only mappings, which
phantun-run splits into one-page pieces once phantun runs, every resident page with the functions
and objects in it (from `nm`). Python 3 standard library, nm and strip.
"""

import argparse
import bisect
import os
import subprocess
import sys


def read_smaps(path):
    """Every mapping of /proc/PID/smaps: start, end, perms, path and its KiB figures (Size, Rss, ...)."""
    rows, current = [], None
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if "-" in parts[0] and not parts[0].endswith(":"):
                start, end = (int(x, 16) for x in parts[0].split("-"))
                current = {"start": start, "end": end, "perms": parts[1],
                           "path": parts[5] if len(parts) > 5 else "", "Rss": 0, "Anonymous": 0}
                rows.append(current)
            elif current is not None and parts[0].endswith(":") and len(parts) >= 2 and parts[1].isdigit():
                current[parts[0][:-1]] = int(parts[1])
    return rows


def loaded_sections(binary):
    """(name, address, size) of every section that is loaded (flag A)."""
    out = subprocess.run(["readelf", "-SW", binary], check=True, capture_output=True, text=True).stdout
    sections = []
    for line in out.splitlines():
        if "]" not in line or "[Nr]" in line:
            continue
        fields = line.split("]", 1)[1].split()
        if len(fields) >= 7 and "A" in fields[6]:
            sections.append((fields[0], fields[2], fields[4]))
    return sections


def read_symbols(binary):
    """(address, size, demangled name, is code) of every function and object, by address."""
    out = subprocess.run(["nm", "-n", "-S", "-C", binary], check=True, capture_output=True, text=True).stdout
    symbols = []
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[2] in "tTwWrRdDbB":
            symbols.append((int(parts[0], 16), int(parts[1], 16), parts[3], parts[2] in "tTwW"))
    symbols.sort()
    return symbols


def owner(name):
    """The part of the binary a symbol belongs to."""
    if "phantun_runtime::doctor" in name or "phantun_runtime::netfilter" in name or "phantun_runtime::netlink" in name:
        return "doctor"
    if "phantun_runtime" in name:
        return "runtime"
    if "absl::" in name:
        return "Abseil"
    # Binutils' nm leaves a few libc++ names mangled (ABI tags it does not know): _ZNSt3__1 is std::__1.
    if ("std::" in name or "__cxxabiv1" in name or "libunwind" in name
            or name.startswith(("__cxa", "_Unwind", "operator ", "_ZNSt3__1", "_ZSt"))):
        return "libc++"
    return "musl/other"


def in_page(symbols, starts, begin, end):
    """The symbols that overlap [begin, end)."""
    found = []
    i = max(bisect.bisect_right(starts, begin) - 1, 0)
    while i < len(symbols) and symbols[i][0] < end:
        addr, size = symbols[i][0], symbols[i][1]
        if addr + max(size, 1) > begin:
            found.append(symbols[i])
        i += 1
    return found


def short(name, width=60):
    # Without the parameter list; an unnamed namespace would otherwise cut the name before the function.
    name = name.replace("(anonymous namespace)::", "").split("(")[0]
    return name if len(name) <= width else name[: width - 1] + "…"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--smaps", required=True)
    parser.add_argument("--symbols", required=True)
    parser.add_argument("--stripped")
    args = parser.parse_args()
    if args.stripped and loaded_sections(args.symbols) != loaded_sections(args.stripped):
        sys.exit("resident_pages.py: the symbols build does not have the shipped binary's sections, addresses and sizes")
    symbols = read_symbols(args.symbols)
    starts = [s[0] for s in symbols]
    rows = read_smaps(args.smaps)
    exe = os.path.basename(args.stripped or args.symbols)
    page_kib = 4
    total = sum(r["Rss"] for r in rows)
    print(f"VmRSS {total} KiB, of which anonymous {sum(r['Anonymous'] for r in rows)} KiB; "
          f"{len(rows)} mappings, {sum(1 for r in rows if os.path.basename(r['path']) == exe)} of them the executable's.")
    print()
    print("| resident | mapping | what is in it |")
    print("| ---: | --- | --- |")
    for r in rows:
        if r["Rss"] == 0:
            continue
        name = os.path.basename(r["path"]) or "(anonymous)"
        where = f"{name} {r['perms']} {r['start']:x}"
        if name == exe and "w" not in r["perms"]:
            if r["Rss"] * 1024 < r["end"] - r["start"]:
                what = f"{r['Rss']} of {(r['end'] - r['start']) // 1024} KiB (which pages: not known)"
            else:
                found = in_page(symbols, starts, r["start"], r["end"])
                parts = {}
                for _, _, sym, _ in found:
                    if sym.strip():
                        parts.setdefault(owner(sym), []).append(short(sym))
                what = "; ".join(f"{part}: " + ", ".join(names[:4]) + (f" (+{len(names) - 4})" if len(names) > 4 else "")
                                 for part, names in sorted(parts.items())) or "(no symbol: constants, string literals)"
        elif name == exe:
            what = "the executable's written data (.data, .bss): copies of its own"
        elif r["Anonymous"]:
            what = "anonymous: " + {"[stack]": "the stack", "(anonymous)": "heap (malloc) or zeroed data"}.get(name, name)
        else:
            what = name
        print(f"| {r['Rss']} KiB | {where} | {what.replace('|', '/')} |")


if __name__ == "__main__":
    main()
