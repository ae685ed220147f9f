#!/usr/bin/env python3
"""Compile-fail tests of rivet-macros: each snippet in compile-fail/ misuses
a derive, and rustc must refuse it with exactly the errors the snippet
announces, each at the announced line and column.

A snippet announces its errors in comments:

    // expect-error: LINE:COL: TEXT

TEXT must occur in the message of an error whose primary span starts at
LINE:COL of the snippet.  Every error rustc reports must be announced, so a
macro error that moves to the derive's call site, or that comes with
follow-on errors, fails the test.

The snippets are compiled as libraries (metadata only) against the built
proc-macro and the safe crates' rlibs, as a device crate would be; run by
`meson test` (crates/meson.build):

    compile-fail.py --rustc=WORD... --extern NAME=PATH... -L DIR SNIPPET...
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

EXPECT = re.compile(r"^\s*//\s*expect-error:\s*(\d+):(\d+):\s*(.+?)\s*$")


def expectations(path: str) -> list[tuple[int, int, str]]:
    with open(path, encoding="utf-8") as f:
        return [(int(m.group(1)), int(m.group(2)), m.group(3))
                for m in map(EXPECT.match, f) if m]


def compile_errors(args: argparse.Namespace, snippet: str,
                   tmp: str) -> tuple[int, list[tuple[int, int, str]]]:
    """rustc's exit status and its errors as (line, column, message) of
    their primary span in the snippet ((0, 0) when it is elsewhere)."""
    command = args.rustc + [
        "--edition", args.edition, "--crate-type", "lib",
        "--crate-name", "snippet", "--emit", "metadata",
        "--error-format", "json", "-o", os.path.join(tmp, "snippet.rmeta")]
    for extern in args.extern:
        command += ["--extern", extern]
    for directory in args.L:
        command += ["-L", f"dependency={directory}"]
    proc = subprocess.run(command + [snippet], capture_output=True, text=True)
    errors = []
    for line in proc.stderr.splitlines():
        try:
            diag = json.loads(line)
        except json.JSONDecodeError:
            continue
        if diag.get("level") != "error" or diag["message"].startswith("aborting due to"):
            continue
        where = (0, 0)
        for span in diag.get("spans", []):
            if not span.get("is_primary"):
                continue
            # An error inside a macro of rivet (qdev_prop!) is reported
            # where the snippet's tokens invoked it, as rustc shows it.
            while span and os.path.basename(span["file_name"]) != os.path.basename(snippet):
                span = (span.get("expansion") or {}).get("span")
            if span:
                where = (span["line_start"], span["column_start"])
                break
        errors.append((where[0], where[1], diag["message"]))
    return proc.returncode, errors


def check(args: argparse.Namespace, snippet: str, tmp: str) -> bool:
    name = os.path.basename(snippet)
    wanted = expectations(snippet)
    if not wanted:
        print(f"not ok - {name}: announces no expect-error")
        return False
    status, errors = compile_errors(args, snippet, tmp)
    problems = []
    if status == 0:
        problems.append("rustc accepted it")
    unmatched = list(errors)
    for line, column, text in wanted:
        match = next((e for e in unmatched
                      if e[:2] == (line, column) and text in e[2]), None)
        if match:
            unmatched.remove(match)
        else:
            problems.append(f"no error at {line}:{column} containing {text!r}")
    problems += [f"unannounced error at {l}:{c}: {m}" for l, c, m in unmatched]
    if problems:
        print(f"not ok - {name}")
        for problem in problems:
            print(f"#   {problem}")
        for line, column, message in errors:
            print(f"#   rustc: {line}:{column}: {message}")
        return False
    print(f"ok - {name}: {len(wanted)} error(s) where announced")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rustc", action="append", required=True,
                        metavar="WORD",
                        help="a word of the rustc command (repeat it: --rustc=rustc --rustc=-C ...)")
    parser.add_argument("--edition", default="2021")
    parser.add_argument("--extern", action="append", default=[],
                        metavar="NAME=PATH")
    parser.add_argument("-L", action="append", default=[], metavar="DIR",
                        help="where the externs' own dependencies are")
    parser.add_argument("snippets", nargs="+")
    args = parser.parse_args()
    print(f"1..{len(args.snippets)}")
    with tempfile.TemporaryDirectory() as tmp:
        results = [check(args, s, tmp) for s in args.snippets]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
