#!/usr/bin/python3
"""Counts the test cases of one `bazel test` invocation from its build event file.

Usage: count_results.py BEP_JSON_FILE BAZEL_EXIT_STATUS

Prints one line per failure, `failed: LABEL: WHY`, then `count PASSED FAILED`. The target-level
truth is Bazel's own, from the Build Event Protocol (as written by --build_event_json_file), not a
grep of the logs: a log only tells what a test wrote, and a test that crashed, timed out or never
built may write nothing. Bazel 4.2.3 reports, as this script relies on:

  testSummary      one per test target that ran (or was cached): overallStatus PASSED, FLAKY,
                   TIMEOUT, FAILED, INCOMPLETE, ...; anything but PASSED is a failure, FLAKY too.
  testResult       one per run, shard and attempt, naming that attempt's test.xml: only the
                   invocation's own logs are read, never stale ones left in bazel-testlogs.
  targetCompleted  one per requested target; `success` absent means it did not build. A test
                   target that failed to build gets no testSummary at all, only this.
  aborted          an event Bazel could not complete: a pattern that did not load, a target that
                   was not analysed or not built.

Test cases come from each target's test.xml: GoogleTest writes one <testcase> per TEST; for a test
that writes no XML (an sh_test), Bazel writes one <testcase> with an <error> when it failed. A
<testcase> holding <failure> or <error> failed; one holding <skipped> (GTEST_SKIP) or never run
(status="notrun", a DISABLED_ test) neither passed nor failed. A target that is not PASSED counts at
least one failed case even when its XML shows none, or there is none. Finally, if Bazel exited
non-zero and no failure was found above, that is one failure too: the failed count is non-zero
whenever Bazel's status is.
"""

import json
import sys
import urllib.parse
import xml.etree.ElementTree as ElementTree


def file_path(uri):
    """The local path of a BEP file URI (file:///...)."""
    parsed = urllib.parse.urlparse(uri)
    return urllib.parse.unquote(parsed.path) if parsed.scheme == "file" else None


def xml_cases(path):
    """(passed, failed) test cases in one test.xml; None when it is missing or unreadable."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return None
    passed = failed = 0
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is None and case.get("status") != "notrun":
            passed += 1
    return passed, failed


def read_events(path):
    """The events of a BEP JSON file (one JSON object a line); a torn last line is ignored."""
    events = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    events.append(json.loads(line))
                except ValueError:
                    pass
    except OSError:
        pass
    return events


def main():
    bep_path, bazel_status = sys.argv[1], int(sys.argv[2])
    events = read_events(bep_path)

    summaries = {}  # label -> overallStatus
    attempts = {}  # (label, run, shard) -> (attempt, test.xml path)
    not_built = {}  # label or pattern -> why
    finished = None
    for event in events:
        kind, event_id = next(iter(event["id"].items()))
        label = event_id.get("label") or " ".join(event_id.get("pattern", []))
        if "aborted" in event:
            aborted = event["aborted"]
            # Only what names a target or pattern: anything else that went wrong makes Bazel exit
            # non-zero, which is counted below. SKIPPED is a target incompatible with the
            # platform, deliberately not built.
            if label and aborted.get("reason") != "SKIPPED":
                why = aborted.get("reason", "ABORTED")
                if aborted.get("description"):
                    why += " (" + aborted["description"].splitlines()[0] + ")"
                not_built.setdefault(label, why)
        elif kind == "testSummary":
            summaries[label] = event["testSummary"].get("overallStatus", "NO_STATUS")
        elif kind == "testResult":
            key = (label, event_id.get("run", 1), event_id.get("shard", 1))
            attempt = event_id.get("attempt", 1)
            xml = next((file_path(o["uri"]) for o in event["testResult"].get("testActionOutput", [])
                        if o.get("name") == "test.xml" and "uri" in o), None)
            # A flaky test's earlier attempts are kept in test_attempts/; only the last one counts.
            if key not in attempts or attempt > attempts[key][0]:
                attempts[key] = (attempt, xml)
        elif kind == "targetCompleted":
            if not event.get("completed", {}).get("success", False):
                not_built.setdefault(label, "FAILED_TO_BUILD")
        elif kind == "buildFinished":
            finished = event.get("finished", {})

    passed = failed = 0
    failures = []
    for label in sorted(summaries):
        status = summaries[label]
        # Shards split a target's cases: they add up. Runs (--runs_per_test) repeat them: the run
        # with the most failed cases stands for the target.
        runs = {}
        for (result_label, run, _shard), (_attempt, xml) in attempts.items():
            if result_label != label:
                continue
            counts = xml_cases(xml) if xml else None
            total = runs.setdefault(run, [0, 0])
            if counts:
                total[0] += counts[0]
                total[1] += counts[1]
        target_passed, target_failed = max(runs.values(), key=lambda c: c[1], default=[0, 0])
        if status != "PASSED" and target_failed == 0:
            # Failed without a failing case in its XML (crash, timeout, flaky retry): one failure,
            # taken from the cases that seemed to pass.
            target_failed = 1
            target_passed = max(target_passed - 1, 0)
        if target_failed:
            failures.append("%s: %s, %d of %d test cases failed"
                            % (label, status, target_failed, target_passed + target_failed))
        passed += target_passed
        failed += target_failed
    for label in sorted(not_built):
        if label not in summaries:
            failures.append("%s: %s" % (label, not_built[label]))
            failed += 1

    exit_code = (finished or {}).get("exitCode", {})
    if failed == 0 and (bazel_status != 0 or finished is None or exit_code.get("code", 0) != 0):
        if finished is None:
            why = "no build event file, or an incomplete one (%s)" % bep_path
        else:
            why = exit_code.get("name", "unknown exit code")
        failures.append("bazel test: exited with status %d: %s" % (bazel_status, why))
        failed += 1

    for line in failures:
        print("failed: " + line)
    print("count %d %d" % (passed, failed))


if __name__ == "__main__":
    main()
