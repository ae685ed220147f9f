#!/usr/bin/env python3
"""No absolute path of the tree in what the build ships (docs/packaging.md,
"Reproducible builds"): a build elsewhere must give the same bytes.

    build-paths.py --root SOURCE_ROOT --root BUILD_ROOT FILE...

Prints TAP: one line per FILE, naming the paths found in it and a few of
the strings that hold them (debug info's compilation directories, file
names, __FILE__).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
from tap import Tap  # noqa: E402


def strings_with(data, root):
    """The printable runs of data that contain root."""
    found = set()
    for m in re.finditer(re.escape(root), data):
        start = m.start()
        while start > 0 and 32 <= data[start - 1] < 127:
            start -= 1
        end = m.end()
        while end < len(data) and 32 <= data[end] < 127:
            end += 1
        found.add(data[start:end].decode("ascii", "replace"))
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", action="append", required=True,
                        help="an absolute directory no output may name")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    roots = sorted({r.rstrip("/") for r in args.root})
    tap = Tap()
    tap.plan(len(args.files))
    for path in args.files:
        with open(path, "rb") as f:
            data = f.read()
        found = set()
        for root in roots:
            found |= strings_with(data, root.encode())
        shown = ", ".join(repr(s) for s in sorted(found)[:5])
        tap.check(not found, f"{path} names no directory of the build tree",
                  f"it names the build tree {len(found)} times: {shown}")
    return tap.finish()


if __name__ == "__main__":
    raise SystemExit(main())
