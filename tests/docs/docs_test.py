#!/usr/bin/python3
"""Holds the operator documentation to the code and to itself.

  1. Every check id `phantun-doctor --list-checks` prints has an entry (a heading naming the id in
     backticks) in docs/troubleshooting.md and docs/troubleshooting-cn.md, and no entry names an id
     the doctor does not have. Both files list the ids in the same order.
  2. README.md and README-CN.md have the same second-level sections in the same order: every "## "
     heading sits right under a `<!-- section: NAME -->` comment, and the NAME lists are equal. The
     same holds for DESIGN.md and DESIGN-CN.md. Sections still marked `<!-- placeholder ... -->`
     are listed (they do not fail the test).
  3. Every project path in the documents' code (fenced blocks and `inline code`) and every relative
     link exists in the checkout: tests/tunnel/demo.sh, image/examples/, docs/..., README-CN.md,
     Bazel labels such as //tests/image:all (their package), and #anchors of links.
  4. Every option given to phantun-runtime, phantun-doctor or phantun-iface-write in the documents'
     code appears in that program's --help; every `bazel ... --config=NAME` names a config of
     .bazelrc. phantun-run's arguments are phantun's and are not checked.
  5. Every exit status defined in runtime/exit_codes.h (kExit... = N) has a row in phantun-run's
     exit status table in `phantun-runtime --help`, README.md and README-CN.md (128 as "128+N"), and
     the three tables list the same statuses in the same order.

Usage: docs_test.py PHANTUN_RUNTIME EXIT_CODES_H DOC...
       (README.md among the documents; the checkout is found through it)
Only the Python standard library is used.
"""

import glob
import os
import re
import subprocess
import sys
import unicodedata

failures = []


def fail(message):
    failures.append(message)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ------------------------------------------------------------------------------------------------
# Markdown pieces


def split_fences(text):
    """Yields (in_fence, line_number, line) for every line; fence marker lines count as in_fence."""
    in_fence = False
    marker = ""
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip()
        if not in_fence and (stripped.startswith("```") or stripped.startswith("~~~")):
            in_fence, marker = True, stripped[:3]
            yield True, number, line
            continue
        if in_fence and stripped.startswith(marker):
            in_fence = False
            yield True, number, line
            continue
        yield in_fence, number, line


def code_snippets(text):
    """(line_number, code) for every fenced block (continuation lines joined) and inline span."""
    snippets = []
    block, start, inside = [], 0, False
    paragraph, paragraph_start = [], 0

    def end_paragraph():
        # An inline span may run over a line break inside its paragraph.
        for match in re.finditer(r"(`+)(.+?)\1", " ".join(paragraph)):
            snippets.append((paragraph_start, match.group(2)))
        del paragraph[:]

    for in_fence, number, line in split_fences(text):
        stripped = line.lstrip()
        if in_fence and (stripped.startswith("```") or stripped.startswith("~~~")):
            end_paragraph()
            if inside:  # the closing fence
                snippets.append((start, "\n".join(block).replace("\\\n", " ")))
                block = []
            else:
                start = number + 1
            inside = not inside
            continue
        if in_fence:
            block.append(line)
        elif not stripped:
            end_paragraph()
        else:
            if not paragraph:
                paragraph_start = number
            paragraph.append(line)
    end_paragraph()
    return snippets


def prose_lines(text):
    return [(number, line) for in_fence, number, line in split_fences(text) if not in_fence]


def headings(text):
    """(line_number, level, text) of every ATX heading outside code."""
    found = []
    for number, line in prose_lines(text):
        match = re.match(r"^(#{1,6}) +(.*?)\s*#*\s*$", line)
        if match:
            found.append((number, len(match.group(1)), match.group(2)))
    return found


def slug(heading_text):
    """GitHub's anchor for a heading: rendered text, lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading_text)
    text = text.replace("`", "").replace("*", "").lower()
    kept = []
    for c in text:
        category = unicodedata.category(c)
        if c == " ":
            kept.append("-")
        elif c == "-" or c == "_" or category[0] in "LNM":
            kept.append(c)
    return "".join(kept)


def anchors(text):
    result = set()
    seen = {}
    for _, _, heading_text in headings(text):
        base = slug(heading_text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else "%s-%d" % (base, count))
    result.update(re.findall(r'<a\s+(?:id|name)="([^"]+)"', text))
    return result


# ------------------------------------------------------------------------------------------------
# 1. The doctor's check ids


def check_troubleshooting(ids, path):
    name = os.path.basename(path)
    listed = []
    for number, _, heading_text in headings(read(path)):
        for token in re.findall(r"`([^`]+)`", heading_text):
            if re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_.]+", token):
                listed.append(token)
                if token not in ids:
                    fail("%s:%d: entry for `%s`, which phantun-doctor --list-checks does not print" % (name, number, token))
    for check_id in ids:
        if check_id not in listed:
            fail("%s: no entry (a heading with `%s` in backticks) for the doctor's check %s" % (name, check_id, check_id))
    return [token for token in listed if token in ids]


# ------------------------------------------------------------------------------------------------
# 2. Sections kept in step between the two languages


def sections(path):
    """The NAME of every "## " section in order, and the placeholders."""
    names, placeholders = [], []
    previous = ""
    current = None
    for number, line in prose_lines(read(path)):
        if line.startswith("## "):
            match = re.fullmatch(r"<!--\s*section:\s*([a-z0-9-]+)\s*-->", previous.strip())
            if not match:
                fail("%s:%d: section '%s' has no <!-- section: NAME --> line right above it; add one, and the "
                     "same section to the other language's file" % (os.path.basename(path), number, line[3:]))
                current = "?" + line[3:]
            else:
                current = match.group(1)
            names.append(current)
        if re.match(r"\s*<!--\s*placeholder\b", line):
            placeholders.append("%s:%d (section %s)" % (os.path.basename(path), number, current))
        if line.strip():
            previous = line
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        fail("%s: section names used twice: %s" % (os.path.basename(path), ", ".join(duplicates)))
    return names, placeholders


def check_pair(english, chinese):
    english_names, english_placeholders = sections(english)
    chinese_names, chinese_placeholders = sections(chinese)
    if english_names != chinese_names:
        fail("%s and %s differ in their sections:\n    %s\n    %s" %
             (os.path.basename(english), os.path.basename(chinese), " ".join(english_names), " ".join(chinese_names)))
    if not english_names:
        fail("%s has no sections" % os.path.basename(english))
    return english_placeholders + chinese_placeholders


# ------------------------------------------------------------------------------------------------
# 3. Paths, labels and links

PATH_RE = re.compile(r"(?<![\w./@$~-])(?:\./)?((?:cmd|runtime|tests|third_party|image|docs|\.ci)/[\w.@+/*-]*"
                     r"|(?:README|DESIGN)(?:-CN)?\.md|Dockerfile|WORKSPACE|\.bazelrc)(?![\w-])")
LABEL_RE = re.compile(r"(?<![\w:@/.-])//([\w/.+-]*)(:[\w.+-]+)?")
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")


def check_paths(path, repo):
    name = os.path.relpath(path, repo) if path.startswith(repo) else os.path.basename(path)
    text = read(path)
    for number, code in code_snippets(text):
        for match in PATH_RE.finditer(code):
            target = match.group(1).rstrip(".")
            if "*" in target:  # runtime/run/spawn.*: at least one file must match
                if not glob.glob(os.path.join(repo, target)):
                    fail("%s:%d: nothing in the checkout matches '%s'" % (name, number, target))
            elif not os.path.exists(os.path.join(repo, target)):
                fail("%s:%d: '%s' does not exist in the checkout" % (name, number, target))
        for match in LABEL_RE.finditer(code):
            package = match.group(1)
            if package.endswith("..."):  # //... or //tests/...: a folder of packages
                ok = os.path.isdir(os.path.join(repo, package[:-3]))
            else:
                ok = os.path.isfile(os.path.join(repo, package.rstrip("/"), "BUILD.bazel"))
            if not ok:
                fail("%s:%d: Bazel label '%s' names no package of the checkout" % (name, number, match.group(0)))
    own_anchors = anchors(text)
    for number, line in prose_lines(text):
        for match in LINK_RE.finditer(line):
            target = match.group(1)
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            file_part, _, anchor = target.partition("#")
            if file_part:
                linked = os.path.normpath(os.path.join(os.path.dirname(path), file_part))
                if not os.path.exists(linked):
                    fail("%s:%d: link to '%s', which does not exist" % (name, number, file_part))
                    continue
                if anchor and linked.endswith(".md") and anchor not in anchors(read(linked)):
                    fail("%s:%d: link to '%s': no heading or anchor '%s' there" % (name, number, file_part, anchor))
            elif anchor not in own_anchors:
                fail("%s:%d: link to '#%s': no heading or anchor of that name in this file" % (name, number, anchor))


# ------------------------------------------------------------------------------------------------
# 4. Options of the binary's programs

PROGRAMS = ("phantun-runtime", "phantun-doctor", "phantun-iface-write", "phantun-run")


def commands(code):
    """Simple commands of a snippet: lists of words, comments and shell operators removed."""
    result = []
    for line in code.split("\n"):
        line = re.sub(r"(^|\s)#.*$", "", line)
        for part in re.split(r"\|\||&&|[|;()`]|\$\(", line):
            words = part.split()
            while words and (re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]) or words[0] in ("sudo", "exec", "env")):
                words.pop(0)
            if words:
                result.append(words)
    return result


def check_options(path, help_texts, bazel_configs):
    name = os.path.basename(path)
    for number, code in code_snippets(read(path)):
        for words in commands(code):
            program = os.path.basename(words[0])
            if program == "bazel":
                for word in words[1:]:
                    match = re.match(r"--config=([\w-]+)$", word)
                    if match and match.group(1) not in bazel_configs:
                        fail("%s:%d: bazel --config=%s is not a config of .bazelrc" % (name, number, match.group(1)))
                continue
            if program not in PROGRAMS:
                continue
            arguments = words[1:]
            if program == "phantun-runtime" and arguments and arguments[0] in PROGRAMS:
                program, arguments = arguments[0], arguments[1:]
            if program == "phantun-run":
                continue  # every argument is phantun's
            for word in arguments:
                if not word.startswith("-") or word == "-" or word == "--":
                    continue
                option = word.split("=", 1)[0].strip("\"'")
                if option == "--help":
                    continue  # main() has run PROGRAM --help, which must exit 0
                if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(option), help_texts[program]):
                    fail("%s:%d: '%s %s': %s --help does not mention %s" % (name, number, program, option, program, option))


# ------------------------------------------------------------------------------------------------
# 5. phantun-run's exit statuses

EXIT_CODE_RE = re.compile(r"^inline constexpr int (kExit\w+) = (\d+);", re.M)


def exit_codes(path):
    """{name: value} of every constant in runtime/exit_codes.h."""
    codes = {name: int(value) for name, value in EXIT_CODE_RE.findall(read(path))}
    if not codes:
        fail("%s: no 'inline constexpr int kExit... = N;' found; has its form changed?" % os.path.basename(path))
    return codes


def help_exit_table(help_text):
    """First column of the lines under "Exit status of phantun-run" in --help, up to a blank line."""
    lines = help_text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("Exit status of phantun-run")]
    if not starts:
        fail("phantun-runtime --help has no 'Exit status of phantun-run' table")
        return []
    statuses = []
    for line in lines[starts[0] + 1:]:
        if not line.strip():
            break
        statuses.append(line.split()[0])
    return statuses


def readme_exit_table(path):
    """First column of the first table after the first ### heading of the README's contract section."""
    statuses = []
    section, in_subsection = None, False
    for _, line in prose_lines(read(path)):
        match = re.fullmatch(r"<!--\s*section:\s*([a-z0-9-]+)\s*-->", line.strip())
        if match:
            section = match.group(1)
            continue
        if section != "contract":
            continue
        if line.startswith("### "):
            in_subsection = True
        elif in_subsection and line.startswith("|"):
            cell = line.strip("|").split("|")[0].strip().strip("`")
            if not re.fullmatch(r"-+", cell):
                statuses.append(cell)
        elif in_subsection and statuses:
            break  # the first line after the table
    if len(statuses) < 2:
        fail("%s: no exit status table under the contract section's ### heading" % os.path.basename(path))
        return []
    return statuses[1:]  # the header row names the column


def check_exit_statuses(codes, tables):
    for table_name, statuses in tables:
        for name, value in sorted(codes.items(), key=lambda item: item[1]):
            if str(value) not in statuses and "%d+N" % value not in statuses:
                fail("%s: phantun-run's exit status table has no row for %d (%s in runtime/exit_codes.h)" %
                     (table_name, value, name))
    first_name, first = tables[0]
    for table_name, statuses in tables[1:]:
        if statuses != first:
            fail("phantun-run's exit statuses differ between %s and %s:\n    %s\n    %s" %
                 (first_name, table_name, " ".join(first), " ".join(statuses)))


# ------------------------------------------------------------------------------------------------


def run(binary, *arguments):
    completed = subprocess.run([binary] + list(arguments), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if completed.returncode != 0:
        fail("%s %s exited %d: %s" % (os.path.basename(binary), " ".join(arguments), completed.returncode,
                                      completed.stderr.decode(errors="replace").strip()))
    return completed.stdout.decode()


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 64
    binary = os.path.abspath(argv[1])
    exit_codes_h = argv[2]
    docs = [os.path.realpath(path) for path in argv[3:]]
    by_name = {os.path.basename(path): path for path in docs}
    # The documents are symbolic links into the checkout: that is where the paths they name live.
    repo = os.path.dirname(by_name["README.md"])
    if not os.path.isfile(os.path.join(repo, "WORKSPACE")):
        fail("cannot find the checkout: %s has no WORKSPACE next to it" % by_name["README.md"])
        repo = None

    ids = run(binary, "phantun-doctor", "--list-checks").split()
    if not ids:
        fail("phantun-doctor --list-checks printed no check id")
    help_texts = {
        "phantun-runtime": run(binary, "--help"),
        "phantun-doctor": run(binary, "phantun-doctor", "--help"),
        "phantun-iface-write": run(binary, "phantun-iface-write", "--help"),
    }

    english = check_troubleshooting(ids, by_name["troubleshooting.md"])
    chinese = check_troubleshooting(ids, by_name["troubleshooting-cn.md"])
    if english != chinese:
        fail("troubleshooting.md and troubleshooting-cn.md list the checks in different orders")

    placeholders = check_pair(by_name["README.md"], by_name["README-CN.md"])
    placeholders += check_pair(by_name["DESIGN.md"], by_name["DESIGN-CN.md"])
    for english_name, chinese_name in (("README.md", "README-CN.md"), ("DESIGN.md", "DESIGN-CN.md"),
                                       ("troubleshooting.md", "troubleshooting-cn.md")):
        if chinese_name not in read(by_name[english_name]):
            fail("%s does not link to %s" % (english_name, chinese_name))
        if english_name not in read(by_name[chinese_name]):
            fail("%s does not link to %s" % (chinese_name, english_name))

    bazel_configs = set()
    if repo:
        bazel_configs = set(re.findall(r"^\w+:([\w-]+)\s", read(os.path.join(repo, ".bazelrc")), re.M))
        for path in docs:
            check_paths(path, repo)
    for path in docs:
        check_options(path, help_texts, bazel_configs)

    codes = exit_codes(exit_codes_h)
    check_exit_statuses(codes, [
        ("phantun-runtime --help", help_exit_table(help_texts["phantun-runtime"])),
        ("README.md", readme_exit_table(by_name["README.md"])),
        ("README-CN.md", readme_exit_table(by_name["README-CN.md"])),
    ])

    print("checked %d check ids, %d documents, %d exit statuses" % (len(ids), len(docs), len(codes)))
    for placeholder in placeholders:
        print("placeholder (to be synced): " + placeholder)
    if failures:
        print("\n%d problem(s):" % len(failures))
        for message in failures:
            print("  " + message)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
