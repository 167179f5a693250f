"""Normalises a namespace's ruleset listing (nft list ruleset, then iptables-legacy-save and
ip6tables-legacy-save after a "### legacy" line) for comparison in setup_proof.sh: counters and
the save tools' comments go, and so do the empty built-in tables that the iptables tools register
on first use and never remove (an nft table whose chains are all base chains with policy accept
and no rule; a legacy table with no rule and every policy ACCEPT)."""

import re
import sys


def nft_tables(text):
    """Splits nft's listing into top-level table blocks."""
    blocks, current, depth = [], [], 0
    for line in text.splitlines():
        current.append(line)
        depth += line.count("{") - line.count("}")
        if depth == 0 and current:
            if any(part.strip() for part in current):
                blocks.append(current)
            current = []
    return blocks


def nft_empty(block):
    body = [line.strip() for line in block[1:-1] if line.strip()]
    for line in body:
        if line.startswith("chain ") or line == "}":
            continue
        if line.startswith("type ") and line.endswith("policy accept;"):
            continue
        return False
    return True


def legacy_tables(text):
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        current.append(re.sub(r" \[\d+:\d+\]$", "", line))
        if line == "COMMIT":
            tables.append(current)
            current = []
    return tables


def legacy_empty(table):
    return all(line.startswith(("*", ":")) and (not line.startswith(":") or " ACCEPT" in line) or line == "COMMIT"
               for line in table)


def main():
    text = sys.stdin.read()
    nft, _, rest = text.partition("### legacy\n")
    legacy, _, sysctls = rest.partition("### sysctls\n")
    out = []
    for block in nft_tables(nft):
        if not nft_empty(block):
            out.extend(re.sub(r"counter packets \d+ bytes \d+", "counter", line) for line in block)
    out.append("### legacy")
    for table in legacy_tables(legacy):
        if not legacy_empty(table):
            out.extend(table)
    out.append("### sysctls")
    out.extend(sysctls.splitlines())
    print("\n".join(out))


main()
