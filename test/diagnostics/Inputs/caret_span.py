#!/usr/bin/env python3
"""Reads spinec's diagnostics on stdin and, for each `file:line:col: severity: message` followed by its source
line and marker line, prints what the marker covers *as a terminal shows it* (tabs expanded to 8 columns on both
lines):

    <line>:<col>: covered 'source text under ^ through the last ~'

so a test can check that the caret and tildes line up with the source even when the line holds tabs, whatever
mix of tabs and spaces the marker line uses. A marker that starts or ends in the middle of a tab's columns maps
to that tab.
"""
import re
import sys

HEAD = re.compile(r"^.*?:(\d+):(\d+): (?:fatal error|error|warning|note): ")


def visual_columns(line):
    """The first visual column of each byte of `line`, and the total width."""
    cols, v = [], 0
    for ch in line:
        cols.append(v)
        v = (v // 8 + 1) * 8 if ch == "\t" else v + 1
    return cols, v


def main():
    lines = sys.stdin.read().split("\n")
    for i, text in enumerate(lines):
        m = HEAD.match(text)
        if not m or i + 2 >= len(lines):
            continue
        source, marker = lines[i + 1], lines[i + 2]
        shown = marker.expandtabs(8)
        if "^" not in shown:
            continue
        first = shown.index("^")
        last = max(shown.rfind("~"), first)
        cols, width = visual_columns(source)

        def byte_at(v):
            for b in range(len(cols)):
                nxt = cols[b + 1] if b + 1 < len(cols) else width
                if cols[b] <= v < nxt:
                    return b
            return len(source)

        begin, end = byte_at(first), byte_at(last)
        print(f"{m.group(1)}:{m.group(2)}: covered {source[begin:end + 1]!r}")


if __name__ == "__main__":
    main()
