#!/usr/bin/env python3
"""The doctor's printed fixes, applied on real traffic (tests/doctor/matrix/matrix.sh, issue 13 item 4).

  fix_commands.py plan REPORT.json SCENARIO_DIR
      reads the broken side's --json report; decides whether its failed netfilter checks
      (nat.masquerade, nat.dnat, fwd.chains) carry a fix made of commands; appends what it found
      to SCENARIO_DIR/meta (fix_state=apply|na|harness, fix_checks, fix_text, fix_note) and, for
      apply, writes the parsed commands to SCENARIO_DIR/fix-commands.json. Exit 0 when there is
      something to apply, 3 when not (not applicable, or a harness problem: see the meta).
  fix_commands.py apply NETNS SCENARIO_DIR
      runs every command of fix-commands.json as `ip netns exec NETNS WORD...` (no shell), in
      order; stops at the first that fails, noting it in the meta (fix_apply=...). Exit 0 when
      all ran.

A fix is shell text: commands separated by "; ", each a list of words, interface names in double
quotes, nft chain specs (with their own semicolons and braces) in single quotes. It is never given
to a shell: it is split into words here, and accepted only when every command starts with nft,
iptables-legacy, iptables-nft, ip6tables-legacy or ip6tables-nft and no character a shell would
expand or redirect appears anywhere ($, backquote, backslash, |, &, <, >, (, ), *, ?, [, ], !, #,
~, control characters; braces only as words of their own outside quotes, so that no brace
expansion could happen). Anything else is reported as a harness problem, not run.
"""

import json
import os
import subprocess
import sys

NETFILTER_CHECKS = ("nat.masquerade", "nat.dnat", "fwd.chains")
BINARIES = ("nft", "iptables-legacy", "iptables-nft", "ip6tables-legacy", "ip6tables-nft")
NO_RULE_PREFIX = "no single added rule"
SHELL_SPECIAL = set("$`\\|&<>()*?[]!#~")


class Rejected(Exception):
    pass


def split_commands(text):
    """The fix text as a list of commands, each a list of words, as bash would split it (without
    any expansion, which the checks below rule out). Raises Rejected."""
    for ch in text:
        if ch in SHELL_SPECIAL:
            raise Rejected("shell metacharacter %r in the fix" % ch)
        if ord(ch) < 0x20 or ord(ch) > 0x7e:
            raise Rejected("control or non-ASCII character %r in the fix" % ch)
    commands, words = [], []
    word, in_word, quoted_part, i = "", False, False, 0
    unquoted_brace = False

    def end_word():
        nonlocal word, in_word, quoted_part, unquoted_brace
        if in_word:
            if unquoted_brace and not (word in ("{", "}") and not quoted_part):
                raise Rejected("a brace inside the unquoted word %r (brace expansion)" % word)
            words.append(word)
        word, in_word, quoted_part, unquoted_brace = "", False, False, False

    def end_command():
        nonlocal words
        end_word()
        if not words:
            raise Rejected("an empty command (stray ';')")
        commands.append(words)
        words = []

    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            close = text.find(ch, i + 1)
            if close < 0:
                raise Rejected("an unterminated %s quote" % ch)
            word += text[i + 1:close]
            in_word, quoted_part = True, True
            i = close + 1
            continue
        if ch == " ":
            end_word()
        elif ch == ";":
            end_command()
        else:
            if ch in "{}":
                unquoted_brace = True
            word += ch
            in_word = True
        i += 1
    end_word()
    if words:
        commands.append(words)
    if not commands:
        raise Rejected("no command in the fix")
    for c in commands:
        if c[0] not in BINARIES:
            raise Rejected("a command that does not start with %s: %r" % (", ".join(BINARIES), " ".join(c)))
    return commands


def append_meta(folder, **kv):
    with open(os.path.join(folder, "meta"), "a", encoding="utf-8") as f:
        for key, value in kv.items():
            f.write("%s=%s\n" % (key, str(value).replace("\n", " ")))


def plan(report_path, folder):
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    failed = [c for c in report.get("checks", []) if c.get("status") == "fail"]
    netfilter = [c for c in failed if c.get("id") in NETFILTER_CHECKS]
    if not netfilter:
        ids = ", ".join(c.get("id", "?") for c in failed) or "nothing"
        append_meta(folder, fix_state="na", fix_note="the failed checks (%s) are not netfilter rules" % ids)
        return 3
    to_apply, checks, texts, notes = [], [], [], []
    for c in netfilter:
        fix = (c.get("fix") or "").strip()
        if not fix:
            notes.append("%s: no fix printed" % c["id"])
            continue
        if fix.startswith(NO_RULE_PREFIX):
            notes.append("%s: %s" % (c["id"], fix))
            continue
        try:
            commands = split_commands(fix)
        except Rejected as e:
            append_meta(folder, fix_state="harness", fix_checks=c["id"], fix_text=fix,
                        fix_note="%s's fix was not run: %s" % (c["id"], e))
            return 3
        to_apply.extend(commands)
        checks.append(c["id"])
        texts.append(fix)
    if not to_apply:
        append_meta(folder, fix_state="na", fix_checks=" ".join(c["id"] for c in netfilter),
                    fix_note="; ".join(notes))
        return 3
    with open(os.path.join(folder, "fix-commands.json"), "w", encoding="utf-8") as f:
        json.dump(to_apply, f)
    append_meta(folder, fix_state="apply", fix_checks=" ".join(checks), fix_text="; ".join(texts),
                fix_note="; ".join(notes))
    return 0


def apply(netns, folder):
    with open(os.path.join(folder, "fix-commands.json"), encoding="utf-8") as f:
        commands = json.load(f)
    for words in commands:
        argv = ["ip", "netns", "exec", netns] + words
        print("    $ ip netns exec %s %s" % (netns, " ".join(
            w if w and all(ch.isalnum() or ch in "-_.:/,=@+" for ch in w) else "'%s'" % w for w in words)),
            flush=True)
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in p.stdout.splitlines():
            print("      | " + line)
        if p.returncode != 0:
            out = " ".join(p.stdout.split())[:300]
            append_meta(folder, fix_apply="'%s' exited with status %d: %s" % (" ".join(words), p.returncode, out))
            return 1
    append_meta(folder, fix_apply="ok")
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "plan":
        return plan(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "apply":
        return apply(argv[2], argv[3])
    if len(argv) == 3 and argv[1] == "split":  # for trying the parser by hand
        try:
            print(json.dumps(split_commands(argv[2])))
        except Rejected as e:
            print("rejected: %s" % e)
            return 1
        return 0
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
