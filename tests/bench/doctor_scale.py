#!/usr/bin/env python3
"""The timer and the report of tests/bench/doctor_scale.sh.

  doctor_scale.py time --round R --namespace nft|ipt --doctor PATH
      run in the namespace (ip netns exec NS python3 doctor_scale.py time ...): runs each command
      once, in an order rotated by R, stdout to /dev/null, and prints one JSON line per command
      with its wall time
  doctor_scale.py report --meta META.tsv --times TIMES.jsonl --out doctor_scale.md
      medians per namespace and command, the ratios doctor/peer and the targets
"""
import argparse
import json
import statistics
import subprocess
import sys
import time

# name -> command (the doctor's path is filled in); the order is the order of the table.
COMMANDS = [
    ("doctor", ["{doctor}", "--mode", "server", "--port", "4567", "--tun", "tun0", "--wan", "wan0"]),
    ("nft list ruleset", ["nft", "list", "ruleset"]),
    ("iptables-nft-save", ["iptables-nft-save"]),
    ("iptables-save", ["iptables-save"]),
]
# The target of issue 13: the doctor's full run takes at most half the time of this peer on the
# namespace's ruleset.
TARGET = {"nft": "nft list ruleset", "ipt": "iptables-nft-save"}
TARGET_RATIO = 0.5
NAMESPACES = {"nft": "nftables", "ipt": "iptables-nft"}


def time_round(args):
    order = COMMANDS[args.round % len(COMMANDS):] + COMMANDS[:args.round % len(COMMANDS)]
    for name, words in order:
        argv = [w.format(doctor=args.doctor) for w in words]
        t0 = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        seconds = time.perf_counter() - t0
        # The doctor reports failed checks with status 1: a report all the same.
        ok = done.returncode == 0 or (name == "doctor" and done.returncode == 1)
        if not ok:
            sys.stderr.write("%s exited with %d: %s\n" % (name, done.returncode, done.stderr[:300]))
            return 1
        print(json.dumps({"namespace": args.namespace, "round": args.round, "command": name, "seconds": seconds}))
    return 0


def read_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("\t")
            meta[key] = value
    return meta


def ms(seconds):
    return "%.1f" % (seconds * 1000)


def report(args):
    meta = read_meta(args.meta)
    times = {}
    with open(args.times) as f:
        for line in f:
            row = json.loads(line)
            times.setdefault((row["namespace"], row["command"]), []).append(row["seconds"])
    medians = {key: statistics.median(values) for key, values in times.items()}
    rules = {"nft": meta.get("nft_rules", "?"), "ipt": meta.get("ipt_rules", "?")}
    out = []
    out.append("# phantun-doctor at kube-proxy scale")
    out.append("")
    out.append("Written by `tests/bench/doctor_scale.sh`%s; do not edit by hand. Reproduce (as root, from the"
               % (" (--quick: small rulesets, a check of the script only)" if meta.get("mode") == "quick" else ""))
    out.append("checkout): `bash tests/bench/doctor_scale.sh`.")
    out.append("")
    out.append("The doctor's full run (`phantun-doctor --mode server --port 4567 --tun tun0 --wan wan0`, every check, report to")
    out.append("/dev/null) against the tools that print the same rules, in two network namespaces of the run, %s"
               % meta.get("rounds", "?"))
    out.append("rounds with the commands in a rotated order; the median wall time of each. Target (issue 13): the")
    out.append("doctor takes at most half the time of `nft list ruleset` on the nftables ruleset and of")
    out.append("`iptables-nft-save` on the iptables-nft one.")
    out.append("")
    out.append("| | |")
    out.append("| --- | --- |")
    for key, label in (("date", "date"), ("machine", "machine"), ("cpu", "cpu"), ("cores", "cores"),
                       ("kernel", "kernel"), ("os", "os"), ("load_before", "load average before"),
                       ("load_after", "load average after"), ("commit", "commit"),
                       ("runtime_version", "phantun-runtime"), ("runtime_bytes", "phantun-runtime bytes"),
                       ("nft_version", "nft"), ("iptables_version", "iptables"),
                       ("iptables-save", "iptables-save is")):
        if key in meta:
            out.append("| %s | %s |" % (label, meta[key].replace("|", "/")))
    out.append("")
    for ns in ("nft", "ipt"):
        out.append("## %s rules of %s" % (rules[ns], NAMESPACES[ns]))
        out.append("")
        out.append("| command | median ms | min ms | max ms | doctor / command |")
        out.append("| --- | ---: | ---: | ---: | ---: |")
        doctor = medians.get((ns, "doctor"))
        for name, _ in COMMANDS:
            values = times.get((ns, name))
            if not values:
                continue
            ratio = "" if name == "doctor" or not doctor else "%.2f" % (doctor / medians[(ns, name)])
            out.append("| `%s` | %s | %s | %s | %s |" % (name, ms(medians[(ns, name)]), ms(min(values)),
                                                         ms(max(values)), ratio))
        out.append("")
        peer = TARGET[ns]
        if doctor and (ns, peer) in medians:
            ratio = doctor / medians[(ns, peer)]
            out.append("Target doctor / `%s` <= %.1f: **%s** (%.2f)." % (peer, TARGET_RATIO,
                                                                      "met" if ratio <= TARGET_RATIO else "missed",
                                                                      ratio))
            out.append("")
    with open(args.out, "w") as f:
        f.write("\n".join(out))
    return 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    t = sub.add_parser("time")
    t.add_argument("--round", type=int, required=True)
    t.add_argument("--namespace", choices=sorted(NAMESPACES), required=True)
    t.add_argument("--doctor", required=True)
    r = sub.add_parser("report")
    r.add_argument("--meta", required=True)
    r.add_argument("--times", required=True)
    r.add_argument("--out", required=True)
    args = parser.parse_args()
    return time_round(args) if args.what == "time" else report(args)


if __name__ == "__main__":
    sys.exit(main())
