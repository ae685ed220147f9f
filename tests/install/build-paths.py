#!/usr/bin/env python3
"""No absolute path of the tree in what the build ships (docs/packaging.md,
"Reproducible builds"): a build elsewhere must give the same bytes.

    build-paths.py --root SOURCE_ROOT --root BUILD_ROOT FILE...

Prints TAP: one line per FILE, naming the paths found in it and a few of
the strings that hold them (debug info's compilation directories, file
names, __FILE__).
"""
import argparse
import re


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
    print(f"1..{len(args.files)}")
    failed = False
    for n, path in enumerate(args.files, 1):
        with open(path, "rb") as f:
            data = f.read()
        found = set()
        for root in roots:
            found |= strings_with(data, root.encode())
        if found:
            failed = True
            shown = ", ".join(repr(s) for s in sorted(found)[:5])
            print(f"not ok {n} - {path} names the build tree {len(found)} times: {shown}")
        else:
            print(f"ok {n} - {path} names no directory of the build tree")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
