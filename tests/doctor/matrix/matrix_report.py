#!/usr/bin/env python3
"""Judges the doctor matrix's scenarios (tests/doctor/matrix/matrix.sh) and writes the results table.

  matrix_report.py --one SCENARIO_DIR [--schema FILE]
      one line for the progress log: what the echo and both doctors did, and whether it matches
  matrix_report.py RUN_DIR [--out FILE]... [--total-ms N] [--schema FILE]
      the results table (Markdown) to every --out and to stdout; exit 0 when every scenario
      matches, 1 otherwise

A scenario folder holds `meta` (key=value lines written by matrix.sh) and, once the doctors ran,
doctor-server.json / doctor-client.json (the --json reports) with their text twins.

The rule (issue 13): the doctor FAILs on the broken side exactly when the echo fails, and fails
nowhere when it works. So, for a scenario that breaks SIDE and lists check ids:
  - the echo must come out as the scenario expects, and the counters must show the datagrams
    stopping where the scenario says (else the harness, not the doctor, is wrong);
  - echo fails: SIDE's doctor exits 1 and every listed id (a glob, or alternatives a|b) is among
    its failed checks; the other side's doctor exits 0;
  - echo works: neither doctor exits 1.
And the doctor's printed fixes (issue 13 item 4): when the broken side's doctor failed a netfilter
check (nat.masquerade, nat.dnat, fwd.chains) with a fix made of nft/iptables commands, matrix.sh
ran them there (fix_commands.py) and then the echo and that doctor again; the fix must have
applied, the echo must now work and the doctor must fail nothing (a scenario breaks one thing).
A fix that does not is the doctor's mismatch; one the harness would not run is a harness problem.
Fixes of other checks (routes, forwarding switches, privileges) and "no single added rule makes
this pass" are not applicable ("n.a.").
An exit status other than 0 or 1 (64: usage error) is never a verdict. With --schema, every report
must also match docs/doctor-report.schema.json.
"""

import argparse
import fnmatch
import json
import os
import re
import sys

SIDES = ("server", "client")


def read_meta(path):
    meta = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if "=" in line:
                    key, value = line.split("=", 1)
                    meta[key] = value
    except FileNotFoundError:
        pass
    return meta


SCHEMA = None  # docs/doctor-report.schema.json, loaded by --schema


def schema_problem(report):
    """Why a report does not match the schema ("" when it does, or when no schema was given)."""
    if SCHEMA is None:
        return ""
    import jsonschema  # python3-jsonschema (third_party/setup.sh installs it)
    try:
        jsonschema.validate(report, SCHEMA)
    except jsonschema.ValidationError as e:
        return "its --json report does not match docs/doctor-report.schema.json: %s (at %s)" % (
            e.message[:200], "/".join(str(p) for p in e.absolute_path) or "top level")
    return ""


class Doctor:
    """One side's doctor run: exit status and the report's checks."""

    def __init__(self, folder, side, meta):
        self.side = side
        self.exit = meta.get(side + "_exit")
        self.exit = int(self.exit) if self.exit not in (None, "") else None
        self.checks = []  # (id, status, finding, fix) in report order
        self.error = ""
        self.schema_problem = ""
        path = os.path.join(folder, "doctor-%s.json" % side)
        if self.exit is None:
            return
        try:
            with open(path, encoding="utf-8") as f:
                report = json.load(f)
            self.schema_problem = schema_problem(report)
            for c in report.get("checks", []):
                self.checks.append((c.get("id", "?"), c.get("status", "?"), c.get("finding", ""), c.get("fix", "")))
        except (OSError, ValueError) as e:
            self.error = "no JSON report (%s)" % e

    @property
    def fails(self):
        return [c[0] for c in self.checks if c[1] == "fail"]

    def verdict(self, families=()):
        """The exit status in words; with families, also the warnings of those check families."""
        if self.exit is None:
            return "not run"
        if self.exit == 0:
            warns = [c[0] for c in self.checks if c[1] == "warn" and c[0].split(".", 1)[0] in families]
            return "pass" + (" (warn " + ", ".join(warns) + ")" if warns else "")
        if self.exit == 1:
            return "FAIL " + ", ".join(self.fails)
        return "exit %d%s" % (self.exit, " (usage error)" if self.exit == 64 else "")

    def find(self, pattern):
        return [c for c in self.checks if fnmatch.fnmatchcase(c[0], pattern)]


# The check families a scenario is about: their warnings are shown next to a pass (a "may fail"
# that hides a real failure shows there); the rest (the capabilities of the lab's root shell,
# the namespace without a default route) are the same in every scenario.
BASE_FAMILIES = {"nat", "fwd", "route"}


class Scenario:
    def __init__(self, folder):
        self.folder = folder
        self.meta = read_meta(os.path.join(folder, "meta"))
        self.name = self.meta.get("name") or os.path.basename(folder)
        self.side = self.meta.get("side", "?")
        self.expect_echo = self.meta.get("expect_echo", "?")
        ids = self.meta.get("expect_fail", "-")
        self.expect_ids = [] if ids in ("", "-") else ids.split()
        self.echo = self.meta.get("echo", "-")
        self.doctors = {s: Doctor(folder, s, self.meta) for s in SIDES}
        self.fixed = None  # the broken side's doctor run again with its fix applied
        if self.side in SIDES:
            self.fixed = Doctor(folder, self.side + "_fixed", self.meta)
        self.fix_cell, fix_problems, fix_kind = self.judge_fix()
        self.fix_problems = fix_problems
        self.fix_kind = fix_kind
        self.order = int(self.meta.get("order", "0"))
        self.families = BASE_FAMILIES | {p.split(".", 1)[0] for p in self.expect_ids}
        self.problems, self.kind = self.judge()

    def judge(self):
        """Returns (problems, kind): kind is "match", "doctor" (the doctor is wrong) or "harness"."""
        m = self.meta
        if m.get("error"):
            return ["harness error: " + m["error"]], "harness"
        if m.get("done") != "yes":
            return ["harness error: the scenario did not finish (see scenario.log)"], "harness"
        harness, doctor = [], []
        if self.echo != self.expect_echo:
            harness.append("harness: the echo %s, the scenario expects it to %s" % (
                "works" if self.echo == "ok" else "fails", "work" if self.expect_echo == "ok" else "fail"))
        if m.get("evidence", "ok") != "ok":
            harness.append("harness: the break is not where the scenario says (%s)" % m["evidence"].rstrip("; "))
        if m.get("guard_drops", "0") != "0":
            harness.append("harness: the lab guard dropped %s packet(s) addressed outside the lab" % m["guard_drops"])
        for d in self.doctors.values():
            if d.exit not in (0, 1):
                harness.append("%s doctor: %s" % (d.side, d.verdict()))
            elif d.error:
                harness.append("%s doctor: %s" % (d.side, d.error))
        for d in self.doctors.values():
            if d.schema_problem:
                doctor.append("%s doctor: %s" % (d.side, d.schema_problem))
        if self.echo == "fail" and self.side in SIDES:
            broken = self.doctors[self.side]
            healthy = self.doctors[[s for s in SIDES if s != self.side][0]]
            if broken.exit == 0:
                doctor.append("%s doctor passes (exit 0) though the echo fails" % broken.side)
            if broken.exit in (0, 1):
                for pattern in self.expect_ids:
                    alternatives = pattern.split("|")
                    if not any(fnmatch.fnmatchcase(f, a) for f in broken.fails for a in alternatives):
                        doctor.append("%s doctor: %s not failed" % (broken.side, pattern))
            if healthy.exit == 1:
                doctor.append("%s doctor fails on the healthy side: %s" % (healthy.side, ", ".join(healthy.fails)))
        elif self.echo == "ok":
            for d in self.doctors.values():
                if d.exit == 1:
                    doctor.append("%s doctor fails though the echo works: %s" % (d.side, ", ".join(d.fails)))
        if self.fix_kind == "harness":
            harness.extend(self.fix_problems)
        elif self.fix_kind == "doctor":
            doctor.extend(self.fix_problems)
        if harness:
            return harness + doctor, "harness"
        if doctor:
            return doctor, "doctor"
        return [], "match"

    def judge_fix(self):
        """Returns (cell, problems, kind) for the printed fix: cell for the "fix works" column,
        kind None (works, or not applicable), "doctor" or "harness"."""
        m = self.meta
        state = m.get("fix_state")
        if self.side not in SIDES:
            return "n.a.", [], None
        if state is None:
            return "n.a.", [], None  # no failed echo with a failing doctor: nothing to fix
        if state == "na":
            return "n.a.", [], None
        if state == "harness":
            note = m.get("fix_note", "?")
            return "**HARNESS**: " + note, ["harness: " + note], "harness"
        problems, harness = [], []
        text = m.get("fix_text", "")
        checks = m.get("fix_checks", "").split()
        must = m.get("fix_must")
        if must and not re.search(must, text):
            problems.append("the fix does not do what this scenario needs: %s" % m.get("fix_must_what", must))
        applied = m.get("fix_apply")
        restarted = m.get("fix_client_restarted") == "yes"
        if applied is None:
            harness.append("harness: the fix was not applied (see scenario.log)")
        elif applied != "ok":
            problems.append("the printed command failed: %s" % applied)
        else:
            if m.get("fix_echo") != "ok":
                problems.append("the echo still fails with the fix applied%s" % (
                    " (also after restarting phantun_client)" if restarted else ""))
            d = self.fixed
            if d is None or d.exit is None:
                harness.append("harness: the %s doctor was not run again with the fix" % self.side)
            elif d.exit not in (0, 1):
                harness.append("harness: the %s doctor with the fix: %s" % (self.side, d.verdict()))
            elif d.error:
                harness.append("harness: the %s doctor with the fix: %s" % (self.side, d.error))
            else:
                if d.schema_problem:
                    problems.append("%s doctor with the fix: %s" % (self.side, d.schema_problem))
                still = [f for f in d.fails if f in checks]
                other = [f for f in d.fails if f not in checks]
                if still:
                    problems.append("with the fix, the %s doctor still fails %s" % (self.side, ", ".join(still)))
                if other:
                    problems.append("with the fix, the %s doctor fails %s" % (self.side, ", ".join(other)))
        if harness:
            return "**HARNESS**: " + "; ".join(harness + problems), harness + problems, "harness"
        if problems:
            return "**no**: " + "; ".join(problems), ["fix (%s): " % ", ".join(checks) + p for p in problems], "doctor"
        return "yes" + (" (after restarting phantun_client)" if restarted else ""), [], None

    def matches_cell(self):
        if self.kind == "match":
            return "yes"
        if self.kind == "harness":
            return "**HARNESS**: " + "; ".join(self.problems)
        return "**NO**: " + "; ".join(self.problems)

    def one_line(self):
        return "%-30s echo %-4s (want %s)  server doctor: %-28s client doctor: %-28s fix works: %-5s %s" % (
            self.name, self.echo, self.expect_echo, self.doctors["server"].verdict(self.families),
            self.doctors["client"].verdict(self.families), self.fix_cell.split(":")[0].strip("*"),
            "match" if self.kind == "match" else ("MISMATCH: " + "; ".join(self.problems)))


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def details(s):
    """The findings behind a mismatch: the listed checks and every failed or warned check."""
    out = []
    for side in SIDES:
        d = s.doctors[side]
        shown = []
        if side == s.side:
            for pattern in s.expect_ids:
                for alt in pattern.split("|"):
                    found = d.find(alt)
                    if not found:
                        out.append("  - %s: no check %s in the report" % (side, alt))
                    shown.extend(found)
        # Every failed check, and the warnings of the families the scenario is about (the
        # lab's own warnings, such as the capabilities of a root shell, are noise here).
        shown.extend(c for c in d.checks if c not in shown and (
            c[1] == "fail" or (c[1] == "warn" and c[0].split(".", 1)[0] in s.families)))
        for c in shown:
            finding = c[2] if len(c[2]) <= 400 else c[2][:400] + "..."
            out.append("  - %s `%s` %s: %s" % (side, c[0], c[1].upper(), finding))
    return out


def build_table(scenarios, run_meta, total_ms):
    n = len(scenarios)
    matched = sum(1 for s in scenarios if s.kind == "match")
    doctor = sum(1 for s in scenarios if s.kind == "doctor")
    harness = sum(1 for s in scenarios if s.kind == "harness")
    lines = ["# phantun-doctor truth matrix: results", ""]
    lines.append("Generated by `tests/doctor/matrix/matrix.sh` (`bazel test //tests/doctor/matrix:matrix_test`);"
                 " each scenario is a real phantun tunnel in two fresh network namespaces, a UDP echo"
                 " through it, and phantun-doctor on both hosts.")
    lines.append("")
    for key, label in (("commit", "checkout"), ("doctor_version", "phantun-runtime"),
                       ("phantun_version", "phantun"), ("kernel", "kernel"),
                       ("server_doctor", "server doctor"), ("client_doctor", "client doctor")):
        if key in run_meta:
            lines.append("- %s: `%s`" % (label, run_meta[key]))
    if total_ms is not None:
        lines.append("- whole matrix: %.1f s" % (total_ms / 1000.0))
    lines.append("")
    lines.append("summary: %d scenarios, %d match, %d mismatch (the doctor is wrong), %d harness problem(s)"
                 % (n, matched, doctor, harness))
    applied = [s for s in scenarios if s.meta.get("fix_state") == "apply"]
    lines.append("")
    lines.append("fixes: %d printed fix(es) applied on real traffic, %d made the echo work with the doctor"
                 " passing, %d did not, %d harness problem(s)" % (
                     len(applied), sum(1 for s in applied if s.fix_kind is None),
                     sum(1 for s in applied if s.fix_kind == "doctor"),
                     sum(1 for s in scenarios if s.fix_kind == "harness")))
    lines.append("")
    lines.append("| # | scenario | broken side | echo (expected) | server doctor | client doctor | fix works | matches |")
    lines.append("| ---: | --- | --- | --- | --- | --- | --- | --- |")
    for s in scenarios:
        lines.append("| %d | %s | %s | %s (%s) | %s | %s | %s | %s |" % (
            s.order, cell(s.name), s.side, s.echo, s.expect_echo, cell(s.doctors["server"].verdict(s.families)),
            cell(s.doctors["client"].verdict(s.families)), cell(s.fix_cell), cell(s.matches_cell())))
    lines.append("")
    lines.append("## Scenarios")
    lines.append("")
    for s in scenarios:
        must = " ".join("`%s`" % i for i in s.expect_ids) or "nothing"
        lines.append("- **%s** (%s; must fail on the broken side: %s): %s" % (
            s.name, "working recipe" if s.side == "none" else "broken: " + s.side, must,
            s.meta.get("description", "")))
    fixes = [s for s in scenarios if s.meta.get("fix_state")]
    if fixes:
        lines.append("")
        lines.append("## The broken side's printed fixes")
        lines.append("")
        lines.append("Applied as printed in the broken side's namespace, then the echo and that side's doctor again"
                     " (\"n.a.\": the failed checks are not netfilter rules, or no added rule can fix them).")
        lines.append("")
        for s in fixes:
            m = s.meta
            if m["fix_state"] == "apply":
                after = ""
                if s.fixed is not None and s.fixed.exit is not None:
                    after = "; echo with the fix: %s; %s doctor with the fix: %s" % (
                        m.get("fix_echo", "-"), s.side, s.fixed.verdict())
                lines.append("- **%s** (%s): `%s`%s; fix works: %s" % (
                    s.name, m.get("fix_checks", ""), m.get("fix_text", ""), after, s.fix_cell))
            else:
                lines.append("- **%s**: fix: not applicable (%s)%s" % (
                    s.name, m.get("fix_note", ""), "" if m["fix_state"] == "na" else "; " + s.fix_cell))
    bad = [s for s in scenarios if s.kind != "match"]
    if bad:
        lines.append("")
        lines.append("## Mismatches: what the doctor reported")
        for s in bad:
            lines.append("")
            lines.append("- **%s**: %s" % (s.name, "; ".join(s.problems)))
            lines.extend(details(s))
    lines.append("")
    return "\n".join(lines), n > 0 and matched == n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--one", action="store_true")
    ap.add_argument("--out", action="append", default=[])
    ap.add_argument("--total-ms", type=int)
    ap.add_argument("--schema", help="validate every --json report against this schema")
    a = ap.parse_args()
    if a.schema:
        global SCHEMA
        with open(a.schema, encoding="utf-8") as f:
            SCHEMA = json.load(f)
    if a.one:
        print(Scenario(a.folder).one_line())
        return 0
    scenarios = []
    for entry in os.listdir(a.folder):
        path = os.path.join(a.folder, entry)
        if os.path.isfile(os.path.join(path, "meta")):
            scenarios.append(Scenario(path))
    scenarios.sort(key=lambda s: s.order)
    text, ok = build_table(scenarios, read_meta(os.path.join(a.folder, "run.meta")), a.total_ms)
    for out in a.out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
