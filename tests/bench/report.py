#!/usr/bin/env python3
"""Turns the raw measurements of tests/bench/run.sh into results.json and results.md.

    report.py --work DIR --out DIR

DIR (--work) holds what run.sh collected: meta.tsv, launch-*.json (hyperfine), icount/PEER/RUN/cg.*
(callgrind), mem-PEER.json and smaps-PEER.txt (bench_probe mem), resident-pages.md
(resident_pages.py), sizes.tsv, stop-PEER.json and stop-pidns-PEER.json (bench_probe stop),
datapath.jsonl (udp_bench) and doctor.json (hyperfine). Peers run.sh did not run (the musl peers
without --musl-peers) are left out.
Python 3 standard library only.
"""

import argparse
import glob
import json
import os
import statistics
import sys

# resident_pages.py is a file of this folder (standard library only), not an installed module.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resident_pages  # noqa: E402

# In run.sh's order; a new peer is added there and here.
PEERS = ["phantun-run", "tini-musl", "dumb-init-musl", "catatonit-musl", "tini", "dumb-init", "catatonit",
         "sh-exec", "floor", "direct"]
# The fair anchors of the launch target: the peers built as phantun-run is, static with musl.
MUSL_RIVALS = ["tini-musl", "dumb-init-musl", "catatonit-musl"]
# The launchers as Debian ships them (glibc, dynamic or static), held against as well.
# floor (the least a correct launcher does) and direct (no launcher) are references: lower bounds,
# not peers to beat.
RIVALS = ["tini", "dumb-init", "catatonit", "sh-exec"]
# Peers that leave no launcher process behind once the child runs (the shell execs the child).
NO_LAUNCHER_PROCESS = {"sh-exec", "direct"}
CHILD_IMAGES = {"exit_now", "phantun_client"}

TARGET_RSS_KIB = 100
TARGET_SIZE_BYTES = 400 * 1024
TARGET_STOP_EXTRA_US = 1000.0
TARGET_DATA_RATIO = 0.98
TARGET_DOCTOR_MS = 50.0


def read_text(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read()


def median(values):
    return statistics.median(values) if values else None


def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


def ratio(a, b):
    return None if a is None or b in (None, 0) else a / b


def fmt(value, digits=0, unit=""):
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}" if isinstance(value, float) or digits else f"{value:,}"
    return text + unit


def fmt_ratio(value):
    return "—" if value is None else f"{value:.2f}×"


def load_json(path):
    with open(path) as f:
        return json.load(f)


def read_meta(work):
    meta = {}
    with open(os.path.join(work, "meta.tsv")) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("\t")
            meta[key] = value
    return meta


# ------------------------------------------------------------------------------------------------
def launch(work):
    times = {p: [] for p in PEERS}
    for path in sorted(glob.glob(os.path.join(work, "launch-*.json"))):
        for result in load_json(path)["results"]:
            times[result["command"]].extend(t * 1e6 for t in result["times"])  # µs
    out = {}
    base = median(times["phantun-run"])
    direct = median(times["direct"])
    for p in PEERS:
        t = times[p]
        m = median(t)
        out[p] = {
            "runs": len(t),
            "median_us": m,
            "mean_us": statistics.fmean(t) if t else None,
            "stddev_us": statistics.stdev(t) if len(t) > 1 else None,
            "min_us": min(t) if t else None,
            "p90_us": percentile(t, 90),
            "over_direct_us": None if m is None or direct is None else m - direct,
            "ratio_to_phantun_run": ratio(m, base),
        }
    return out


def callgrind_totals(directory):
    """(launcher Ir, child Ir) of one callgrind run: every file is one process image or one part of
    it; the exec'd child's image is recognised by its program name."""
    launcher = child = 0
    for path in glob.glob(os.path.join(directory, "cg.*")):
        cmd, total = "", 0
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("cmd:"):
                    cmd = line[4:].strip()
                elif line.startswith("totals:"):
                    total = int(line.split()[1])
        program = os.path.basename(cmd.split(" ")[0]) if cmd else ""
        if program in CHILD_IMAGES:
            child += total
        else:
            launcher += total
    return launcher, child


def instructions(work):
    out = {}
    for p in PEERS:
        runs = [callgrind_totals(d) for d in sorted(glob.glob(os.path.join(work, "icount", p, "*")))]
        if not runs:
            continue
        launcher = [r[0] for r in runs]
        child = [r[1] for r in runs]
        total = [a + b for a, b in runs]
        out[p] = {
            "runs": len(runs),
            "launcher_ir": int(median(launcher)),
            "child_ir": int(median(child)),
            "total_ir": int(median(total)),
            "total_ir_min": min(total),
            "total_ir_max": max(total),
        }
    base = out.get("phantun-run", {}).get("total_ir")
    base_launcher = out.get("phantun-run", {}).get("launcher_ir")
    for p, row in out.items():
        row["ratio_to_phantun_run"] = ratio(row["total_ir"], base)
        row["launcher_ratio_to_phantun_run"] = ratio(row["launcher_ir"], base_launcher)
    return out


# ------------------------------------------------------------------------------------------------
def parse_smaps(path):
    if not os.path.exists(path):
        return []
    return [
        {
            "mapping": f"{os.path.basename(r['path']) or '(anonymous)'} {r['perms']}",
            "size_kib": r.get("Size", 0),
            "rss_kib": r.get("Rss", 0),
            "pss_kib": r.get("Pss", 0),
            "anonymous_kib": r.get("Anonymous", 0),
        }
        for r in resident_pages.read_smaps(path)
    ]


def memory(work):
    out = {}
    for p in PEERS:
        path = os.path.join(work, f"mem-{p}.json")
        if not os.path.exists(path):
            continue
        m = load_json(path)
        out[p] = {
            "runs": m["runs"],
            "vmrss_kib": median(m["vmrss_kib"]),
            "vmhwm_kib": median(m["vmhwm_kib"]),
            "pss_kib": median(m["pss_kib"]),
            "private_kib": median(m["private_kib"]),
            "anonymous_kib": median(m.get("anonymous_kib", [])),
            "launcher_process": p not in NO_LAUNCHER_PROCESS,
            "smaps": parse_smaps(os.path.join(work, f"smaps-{p}.txt")),
        }
    base = out.get("phantun-run", {})
    for p, row in out.items():
        row["vmrss_ratio_to_phantun_run"] = ratio(row["vmrss_kib"], base.get("vmrss_kib")) if row["launcher_process"] else None
        row["pss_ratio_to_phantun_run"] = ratio(row["pss_kib"], base.get("pss_kib")) if row["launcher_process"] else None
    return out


# readelf's machine names, shortened to the usual architecture names.
MACHINES = {
    "Advanced Micro Devices X86-64": "x86_64",
    "Intel 80386": "i386",
    "AArch64": "aarch64",
    "ARM": "arm",
    "MIPS R3000": "mips",
}


def sizes(work):
    rows = []
    with open(os.path.join(work, "sizes.tsv")) as f:
        for line in f:
            kind, name, arch, path, size, stripped, linkage, machine, note = (line.rstrip("\n").split("\t") + [""] * 9)[:9]
            rows.append({
                "kind": kind,
                "name": name,
                "arch": arch,
                "path": path,
                "bytes": int(size) if size else None,
                "stripped_bytes": int(stripped) if stripped else (int(size) if size else None),
                "linkage": linkage,
                "machine": MACHINES.get(machine, machine),
                "note": note,
            })
            if rows[-1]["arch"] == machine:
                rows[-1]["arch"] = rows[-1]["machine"]
    return rows


def stop(work, prefix):
    out = {}
    for p in PEERS:
        path = os.path.join(work, f"{prefix}-{p}.json")
        if not os.path.exists(path):
            continue
        s = load_json(path)
        lat = [v / 1000.0 for v in s["latency_ns"] if v >= 0]  # µs
        killed = [v / 1000.0 for v in s["sigkill_latency_ns"] if v >= 0]
        out[p] = {
            "rounds": s["rounds"],
            "stopped": s["stopped"],
            "timeout_ms": s["timeout_ms"],
            "median_us": median(lat),
            "p90_us": percentile(lat, 90),
            "max_us": max(lat) if lat else None,
            "after_sigkill_median_us": median(killed),
            "statuses": sorted(set(s["status"])),
        }
    base = out.get("phantun-run", {}).get("median_us")
    for row in out.values():
        row["ratio_to_phantun_run"] = ratio(row["median_us"], base)
    return out


def datapath(work):
    rounds = []
    path = os.path.join(work, "datapath.jsonl")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    rounds.append(json.loads(line))
    by = {"direct": [], "phantun-run": []}
    cpu = {"direct": [], "phantun-run": []}
    for r in rounds:
        x = r["result"]
        by[r["variant"]].append(x["mbit_per_s"])
        if x.get("cpu_ns", -1) >= 0 and x["datagrams"] > 0:
            x["cpu_us_per_datagram"] = x["cpu_ns"] / 1000.0 / x["datagrams"]
            cpu[r["variant"]].append(x["cpu_us_per_datagram"])
    med = {v: median(x) for v, x in by.items()}
    med_cpu = {v: median(x) for v, x in cpu.items()}
    return {
        "rounds": rounds,
        "median_mbit_per_s": med,
        "mean_mbit_per_s": {v: (statistics.fmean(x) if x else None) for v, x in by.items()},
        "ratio": ratio(med["phantun-run"], med["direct"]),
        "median_cpu_us_per_datagram": med_cpu,
        "cpu_ratio": ratio(med_cpu["phantun-run"], med_cpu["direct"]),
    }


def doctor(work):
    out = {}
    for r in load_json(os.path.join(work, "doctor.json"))["results"]:
        t = [x * 1000.0 for x in r["times"]]
        out[r["command"]] = {
            "runs": len(t),
            "mean_ms": statistics.fmean(t),
            "median_ms": median(t),
            "stddev_ms": statistics.stdev(t) if len(t) > 1 else None,
            "max_ms": max(t),
            "exit_codes": sorted(set(r.get("exit_codes", []))),
        }
    return out


# ------------------------------------------------------------------------------------------------
def targets(res):
    rows = []

    def add(name, target, value, met, note=""):
        rows.append({"target": name, "wanted": target, "value": value,
                     "met": None if met is None else bool(met), "note": note})

    L = res["launch"]
    mine = L["phantun-run"]["median_us"]
    musl = [(p, L[p]["median_us"]) for p in MUSL_RIVALS if L.get(p, {}).get("median_us") is not None]
    if musl:
        best = min(musl, key=lambda x: x[1])
        add("launch time (median), against the best static musl peer", f"≤ 1.00× {best[0]} ({fmt(best[1], 0, ' µs')})",
            f"{fmt(mine, 0, ' µs')} = {fmt_ratio(ratio(mine, best[1]))}", None if mine is None else mine <= best[1],
            "peers: tini, dumb-init, catatonit built with musl-gcc from Debian's sources (musl_peers.sh)")
    rivals = [(p, L[p]["median_us"]) for p in RIVALS if L.get(p, {}).get("median_us") is not None]
    fastest = min(rivals, key=lambda x: x[1]) if rivals else (None, None)
    add("launch time (median), against Debian's builds", f"≤ fastest ({fastest[0]}: {fmt(fastest[1], 0, ' µs')})",
        f"{fmt(mine, 0, ' µs')} = {fmt_ratio(ratio(mine, fastest[1]))}",
        None if mine is None or fastest[1] is None else mine <= fastest[1],
        "tini-static, dumb-init, catatonit as Debian ships them (glibc), and sh-exec")

    mem = res["memory"].get("phantun-run", {})
    rss = mem.get("vmrss_kib")
    add("VmRSS of phantun-run while phantun runs", f"≤ {TARGET_RSS_KIB} KiB", fmt(rss, 0, " KiB"),
        None if rss is None else rss <= TARGET_RSS_KIB,
        f"in its final wait; of which anonymous {fmt(mem.get('anonymous_kib'), 0, ' KiB')}; peak during start-up (VmHWM) "
        f"{fmt(mem.get('vmhwm_kib'), 0, ' KiB')}; page by page in section 2")

    x86 = [r for r in res["sizes"] if r["kind"] == "runtime" and (
        r["arch"].startswith("x86_64") or r["machine"] == "x86_64")]
    size = x86[0]["stripped_bytes"] if x86 else None
    add("stripped x86_64 phantun-runtime", f"≤ {TARGET_SIZE_BYTES // 1024} KiB",
        fmt(None if size is None else size / 1024.0, 1, " KiB"), None if size is None else size <= TARGET_SIZE_BYTES)

    S = res["stop"]
    if "phantun-run" in S and "direct" in S and S["phantun-run"]["median_us"] is not None and S["direct"]["median_us"] is not None:
        extra = S["phantun-run"]["median_us"] - S["direct"]["median_us"]
        add("stop latency beyond the child's own exit (median)", f"≤ {TARGET_STOP_EXTRA_US / 1000:.0f} ms",
            fmt(extra, 0, " µs"), extra <= TARGET_STOP_EXTRA_US,
            f"phantun-run {fmt(S['phantun-run']['median_us'], 0, ' µs')}, child alone {fmt(S['direct']['median_us'], 0, ' µs')}")
    P = res["stop_pidns"].get("phantun-run")
    if P:
        add("stops on SIGTERM as PID 1 of a PID namespace", "every round, no SIGKILL",
            f"{P['stopped']}/{P['rounds']} rounds", P["stopped"] == P["rounds"],
            "without a launcher: " + stuck_text(res["stop_pidns"].get("direct")))

    D = res["datapath"]
    add("data path throughput, phantun-run / direct (medians)", f"≥ {TARGET_DATA_RATIO}",
        "—" if D["ratio"] is None else f"{D['ratio']:.3f}", None if D["ratio"] is None else D["ratio"] >= TARGET_DATA_RATIO,
        f"fixed offered load; CPU per datagram ratio {'—' if D['cpu_ratio'] is None else format(D['cpu_ratio'], '.3f')} (informative)")

    for name, d in res["doctor"].items():
        add(f"`{name}` (mean)", f"< {TARGET_DOCTOR_MS:.0f} ms", fmt(d["mean_ms"], 2, " ms"), d["mean_ms"] < TARGET_DOCTOR_MS)
    return rows


def stuck_text(row):
    if not row:
        return "—"
    if row["stopped"] == 0:
        return f"did not stop within {row['timeout_ms'] / 1000:g} s in {row['rounds']}/{row['rounds']} rounds (SIGKILL needed)"
    return f"stopped in {row['stopped']}/{row['rounds']} rounds"


# ------------------------------------------------------------------------------------------------
def markdown(res):
    meta = res["meta"]
    out = []
    w = out.append
    w("# phantun-run benchmarks")
    w("")
    w(f"Generated by `bash tests/bench/run.sh` ({meta.get('mode')} mode) on {meta.get('date')}; every figure "
      "comes from this one run on this one machine, so the ratios compare like with like. Raw figures: "
      "`results.json`.")
    if meta.get("mode") == "quick":
        w("")
        w("**Quick mode: a handful of runs, only to check that the benchmark works. These figures mean nothing.**")
    w("")
    w(f"- machine: {meta.get('cpu')}, {meta.get('cores')} cores, {meta.get('os')}, {meta.get('kernel')}; "
      f"load average at the start {meta.get('load')} (the machine is shared: timings are noisy, instruction "
      "counts and sizes are not)")
    if meta.get("commit"):
        w(f"- phantun-runtime: {meta.get('runtime_version')}, commit {meta.get('commit')}")
    else:
        w(f"- phantun-runtime: {meta.get('runtime_version')}")
    if meta.get("musl_peers"):
        w(f"- static musl peers: {meta.get('musl_peers')} (Debian source package versions), musl-gcc with musl "
          f"{meta.get('musl_version')}")
    w(f"- phantun: {meta.get('phantun_version')}; peers (Debian): tini {meta.get('tini_version')}, "
      f"dumb-init {meta.get('dumb-init_version')}, catatonit {meta.get('catatonit_version')}, "
      f"sh = {meta.get('sh-exec_version')}")
    w(f"- tools: hyperfine {meta.get('hyperfine_version')}, {meta.get('valgrind_version')}")
    w("")
    w("## Targets (reported, not enforced)")
    w("")
    w("| target | wanted | measured | result | note |")
    w("| --- | --- | --- | --- | --- |")
    for t in res["targets"]:
        result = "n/a" if t["met"] is None else ("met" if t["met"] else "**missed**")
        w(f"| {t['target']} | {t['wanted']} | {t['value']} | {result} | {t['note']} |")
    w("")
    w("## Peers")
    w("")
    w("Each starts the same static child. `phantun-run` finds it in its own folder as `phantun_client` "
      "(MODE=client); `floor` is `tests/bench/floor_supervisor.c` (posix_spawn, signal forwarding, waitpid: the "
      "least a correct launcher does); `direct` is the child alone. floor and direct are lower bounds, not peers.")
    w("")
    w("| peer | command (CHILD = exit_now or wait_child) |")
    w("| --- | --- |")
    for p in PEERS:
        cmd = meta.get(f"cmd_{p}", "").replace("|", "\\|")
        w(f"| {p} | `{cmd}` |")

    L = res["launch"]
    w("")
    w(f"## 1. Launch overhead: start `exit_now`, return its status")
    w("")
    w(f"hyperfine `-N` (no shell), {meta.get('launch_runs')} runs per peer in {meta.get('launch_rounds')} rounds "
      "(peer order rotated each round), warm-up runs first. Ratio = peer's median / phantun-run's median "
      "(above 1: slower than phantun-run).")
    w("")
    w("| peer | median | mean ± σ | min | p90 | over direct | ratio to phantun-run |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for p in PEERS:
        r = L[p]
        w(f"| {p} | {fmt(r['median_us'], 0, ' µs')} | {fmt(r['mean_us'], 0)} ± {fmt(r['stddev_us'], 0, ' µs')} | "
          f"{fmt(r['min_us'], 0, ' µs')} | {fmt(r['p90_us'], 0, ' µs')} | {fmt(r['over_direct_us'], 0, ' µs')} | "
          f"{fmt_ratio(r['ratio_to_phantun_run'])} |")
    I = res["instructions"]
    w("")
    w("Instructions (callgrind `--trace-children=yes`; deterministic, noise does not move them): the launcher's "
      "own process (for sh-exec: the shell before it execs) and the child's image. The few instructions a forked "
      "child runs between fork and execve are counted only for dynamically linked launchers (callgrind needs "
      "the symbols to cut there); dynamic linking itself (ld.so) is counted, as it is paid at every start.")
    w("")
    w("| peer | launcher Ir | child Ir | total Ir | total ratio to phantun-run | launcher ratio |")
    w("| --- | ---: | ---: | ---: | ---: | ---: |")
    for p in PEERS:
        if p not in I:
            continue
        r = I[p]
        spread = "" if r["total_ir_min"] == r["total_ir_max"] else f" ({r['total_ir_min']:,}–{r['total_ir_max']:,})"
        w(f"| {p} | {r['launcher_ir']:,} | {r['child_ir']:,} | {r['total_ir']:,}{spread} | "
          f"{fmt_ratio(r['ratio_to_phantun_run'])} | {fmt_ratio(r['launcher_ratio_to_phantun_run'])} |")

    M = res["memory"]
    w("")
    w("## 2. Memory of the launcher process while its child runs")
    w("")
    w("`wait_child` blocks until told to exit; bench_probe reads /proc/PID/status and /proc/PID/smaps_rollup of "
      "the launcher once the child said \"ready\" and the launcher sleeps in its final wait (phantun-run: its "
      "read of the signalfd, which it reaches once phantun has run 100 ms and it has given back its start-up "
      "memory; `bench_probe mem --final-read`). Medians of "
      f"{M.get('phantun-run', {}).get('runs', '?')} runs. For sh-exec and direct there is no launcher process "
      "(the shell became the child): their row is the child's own figure.")
    w("")
    w("| peer | VmRSS | Pss | anonymous | VmRSS ratio to phantun-run |")
    w("| --- | ---: | ---: | ---: | ---: |")
    for p in PEERS:
        if p not in M:
            continue
        r = M[p]
        name = p if r["launcher_process"] else f"{p} (child only)"
        w(f"| {name} | {fmt(r['vmrss_kib'], 0, ' KiB')} | {fmt(r['pss_kib'], 0, ' KiB')} | "
          f"{fmt(r['anonymous_kib'], 0, ' KiB')} | {fmt_ratio(r['vmrss_ratio_to_phantun_run'])} |")
    w("")
    w("Anonymous = the process's own memory (stack, heap, written data); the rest of VmRSS is the "
      "executable's pages from the page cache (clean, shared by every process running the same file). "
      "Linux maps those by whole fault-around windows (64 KiB by default): touching one byte of a "
      "window makes all of its cached pages resident, so VmRSS follows how the code the launcher runs "
      "is spread over its executable more than how much of it runs. phantun-run therefore splits its "
      "executable's read-only segments into one-page mappings and drops them from its page tables once "
      "phantun runs (runtime/run/resident_memory.h): what is left resident is what its loop touches again. "
      "The price is kernel memory the VmRSS does not show: one mapping (a vm_area_struct, about 200 bytes "
      "of slab) per page of code and constants, the mapping count below.")
    pages = res.get("resident_pages")
    if pages:
        w("")
        w("Where each of phantun-run's resident pages comes from (`tests/bench/resident_pages.py`: its smaps, "
          "with the symbols of the same code built with them):")
        w("")
        out.extend(pages.rstrip("\n").split("\n"))
    smaps = M.get("phantun-run", {}).get("smaps", [])
    if smaps and not pages:
        w("")
        w("Where phantun-run's resident memory is (/proc/PID/smaps):")
        w("")
        w("| mapping | size | Rss | anonymous |")
        w("| --- | ---: | ---: | ---: |")
        for r in smaps:
            if r["size_kib"] == 0:
                continue
            w(f"| {r['mapping']} | {r['size_kib']} KiB | {r['rss_kib']} KiB | {r['anonymous_kib']} KiB |")

    Z = res["sizes"]
    w("")
    w("## 3. Binary size (stripped)")
    w("")
    w("phantun-runtime for every release architecture (tests/release/arches.sh, each a `--config` of "
      ".bazelrc), then each peer. Sizes after `strip --strip-all` of a copy (the same as shipped when the "
      "binary is already stripped).")
    w("")
    w("| binary | architecture | linkage | stripped size | ratio to phantun-runtime x86_64 |")
    w("| --- | --- | --- | ---: | ---: |")
    x86 = next((r["stripped_bytes"] for r in Z if r["kind"] == "runtime" and (
        r["arch"].startswith("x86_64") or r["machine"] == "x86_64")), None)
    for r in Z:
        if r["kind"] == "lib":
            continue
        size = "build failed¹" if r["linkage"] == "build failed" else fmt(r["stripped_bytes"] / 1024.0, 1, " KiB")
        rt = "" if r["kind"] == "runtime" and r["stripped_bytes"] == x86 else fmt_ratio(ratio(r["stripped_bytes"], x86))
        linkage = "—" if r["linkage"] == "build failed" else r["linkage"]
        w(f"| {r['name']} | {r['arch']} | {linkage} | {size} | {rt} |")
    failed = [r for r in Z if r["linkage"] == "build failed"]
    if failed:
        w("")
        w("¹ `bazel build --config=NAME //cmd:phantun-runtime` failed in this run: " + "; ".join(
            f"{r['name'].split()[-1]}: `{r['note'] or 'see the bazel output'}`" for r in failed) + ".")
    libs = [r for r in Z if r["kind"] == "lib"]
    if libs:
        w("")
        w("Shared libraries the dynamic peers load as well: " +
          ", ".join(f"{r['name']} {r['stripped_bytes'] / 1024.0:,.1f} KiB" for r in libs) + ".")
    if res.get("size_parts"):
        w("")
        w("What each part of phantun-runtime x86_64 takes, in bytes (`tests/bench/size_parts.py`, from the "
          "symbols of the same code; a part's template instances of libc++ count as that part's):")
        w("")
        out.extend(res["size_parts"].rstrip("\n").split("\n"))

    S, P = res["stop"], res["stop_pidns"]
    w("")
    w("## 4. Stop latency")
    w("")
    w("From `kill(launcher, SIGTERM)` to the launcher's exit (its pidfd becomes readable), CLOCK_MONOTONIC, "
      "measured by bench_probe. The child, `wait_child`, has no SIGTERM handler and dies at once; `direct` is that "
      "child's own exit, the floor of every row.")
    w("")
    w("| peer | rounds | median | p90 | max | exit status | ratio to phantun-run |")
    w("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
    for p in PEERS:
        if p not in S:
            continue
        r = S[p]
        w(f"| {p} | {r['stopped']}/{r['rounds']} | {fmt(r['median_us'], 0, ' µs')} | {fmt(r['p90_us'], 0, ' µs')} | "
          f"{fmt(r['max_us'], 0, ' µs')} | {', '.join(r['statuses'])} | {fmt_ratio(r['ratio_to_phantun_run'])} |")
    w("")
    w(f"As PID 1 of a new PID namespace (clone CLONE_NEWPID, signal sent from the parent namespace as "
      f"`docker stop` does). The kernel drops a signal to a namespace's PID 1 that has no handler for it, so "
      f"without a launcher SIGTERM does nothing; bounded at {meta.get('stop_timeout_ms')} ms, then SIGKILL.")
    w("")
    w("| peer | stopped by SIGTERM | median | max | exit status |")
    w("| --- | --- | ---: | ---: | --- |")
    for p in PEERS:
        if p not in P:
            continue
        r = P[p]
        if r["stopped"] == 0:
            t = f"did not stop within {r['timeout_ms'] / 1000:g} s (SIGKILL needed; gone {fmt(r['after_sigkill_median_us'], 0, ' µs')} after it)"
            w(f"| {p} | {t} | — | — | {', '.join(r['statuses'])} |")
        else:
            w(f"| {p} | {r['stopped']}/{r['rounds']} rounds | {fmt(r['median_us'], 0, ' µs')} | {fmt(r['max_us'], 0, ' µs')} | "
              f"{', '.join(r['statuses'])} |")

    D = res["datapath"]
    w("")
    w("## 5. Data path: UDP through the real phantun tunnel")
    w("")
    w(f"Upstream phantun_server and phantun_client in two network namespaces (the lab of tests/lab/netns.sh: "
      f"198.18.0.0/15 only, nftables NAT inside the namespaces), started by phantun-run or directly; rounds "
      f"interleaved A-B-B-A, phantun restarted for each. Per round, udp_bench offers a fixed load, "
      f"{meta.get('data_rate_pps')} datagrams/s of {meta.get('data_size')} bytes, to phantun_client and counts what "
      f"reaches the UDP sink behind phantun_server in a {meta.get('data_window_ms')} ms window (after a warm-up). "
      f"Rate = UDP payload received (datagrams in flight at the window's edges can put \"delivered\" a little "
      f"over 100 %). CPU = time on a CPU of every thread of phantun_client and phantun_server "
      f"(and of both phantun-run processes when used) in that window, per datagram delivered: the cost of the "
      f"data path, which other jobs on the machine move far less than they move a saturating throughput.")
    w("")
    w("| round | launched | received | offered | delivered | Mbit/s | CPU per datagram |")
    w("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in D["rounds"]:
        x = r["result"]
        delivered = ratio(x["datagrams"], x["offered"])
        w(f"| {r['round']} | {r['variant']} | {x['datagrams']:,} | {x['offered']:,} | "
          f"{'—' if delivered is None else f'{delivered * 100:.1f} %'} | {x['mbit_per_s']:,.1f} | "
          f"{fmt(x.get('cpu_us_per_datagram'), 2, ' µs')} |")
    md, mc = D["median_mbit_per_s"], D["median_cpu_us_per_datagram"]
    w("")
    w(f"Medians: direct {fmt(md.get('direct'), 1, ' Mbit/s')} at {fmt(mc.get('direct'), 2, ' µs')} CPU per datagram, "
      f"phantun-run {fmt(md.get('phantun-run'), 1, ' Mbit/s')} at {fmt(mc.get('phantun-run'), 2, ' µs')}. "
      f"Throughput ratio phantun-run / direct = {'—' if D['ratio'] is None else format(D['ratio'], '.3f')}; "
      f"CPU cost ratio = {'—' if D['cpu_ratio'] is None else format(D['cpu_ratio'], '.3f')}.")
    w("")
    w("## 6. phantun-doctor")
    w("")
    w("hyperfine `-N`, a full run of each, with MODE=client in the environment as in a client container (its "
      "exit status reports this host's findings and is ignored).")
    w("")
    w("| command | mean ± σ | median | max | runs | exit status |")
    w("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, d in res["doctor"].items():
        w(f"| `{name}` | {fmt(d['mean_ms'], 2)} ± {fmt(d['stddev_ms'], 2, ' ms')} | {fmt(d['median_ms'], 2, ' ms')} | "
          f"{fmt(d['max_ms'], 2, ' ms')} | {d['runs']} | {', '.join(map(str, d['exit_codes']))} |")
    w("")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True, help="the raw measurements of run.sh")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    w = args.work
    # The peers run.sh ran: the musl peers only with --musl-peers (or when it built them).
    global PEERS
    ran = set()
    for path in glob.glob(os.path.join(w, "launch-*.json")):
        ran.update(r["command"] for r in load_json(path)["results"])
    PEERS = [p for p in PEERS if p in ran]
    res = {
        "schema": "phantun-runtime-bench/1",
        "meta": read_meta(w),
        "launch": launch(w),
        "instructions": instructions(w),
        "memory": memory(w),
        "sizes": sizes(w),
        "stop": stop(w, "stop"),
        "stop_pidns": stop(w, "stop-pidns"),
        "datapath": datapath(w),
        "doctor": doctor(w),
        "resident_pages": read_text(os.path.join(w, "resident-pages.md")),
        "size_parts": read_text(os.path.join(w, "size-parts.md")),
    }
    res["targets"] = targets(res)
    # Paths of this run's temp folder or Bazel's output base mean nothing later.
    for row in res["sizes"]:
        if row["path"].startswith(w):
            row["path"] = os.path.basename(row["path"])
        elif "/bazel-out/" in row["path"]:
            row["path"] = row["path"][row["path"].index("bazel-out/"):]
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=False)
        f.write("\n")
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(markdown(res))
        f.write("\n")


if __name__ == "__main__":
    main()
