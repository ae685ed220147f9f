#!/usr/bin/env python3
"""scripts/test-summary.py counts what `meson test` logged (TAP output).

Each case writes a testlog.json and checks the final line and exit status.
A test that Meson logged as OK but whose program exited non-zero (Meson's
'rust' protocol only looks at the subtests, so a LeakSanitizer report at
exit is "OK") must count as failed.
"""
import json
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "migration"))
from tap import Tap  # noqa: E402

SUMMARY = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "test-summary.py"


def summarise(entries):
    with tempfile.TemporaryDirectory() as build:
        logs = pathlib.Path(build) / "meson-logs"
        logs.mkdir()
        (logs / "testlog.json").write_text(
            "".join(json.dumps(e) + "\n" for e in entries))
        proc = subprocess.run([sys.executable, SUMMARY, build],
                              capture_output=True, text=True)
    return proc.returncode, proc.stdout


def entry(name, result, returncode):
    return {"name": name, "suite": ["unit"], "result": result, "returncode": returncode}


CASES = [
    ("passing tests pass",
     [entry("a", "OK", 0), entry("b", "SKIP", 77)], 0, "1 passed, 0 failed"),
    ("a failed test fails",
     [entry("a", "OK", 0), entry("b", "FAIL", 1)], 1, "1 passed, 1 failed"),
    ("an OK test that exited non-zero fails",
     [entry("a", "OK", 0), entry("rust-x", "OK", -6)], 1, "1 passed, 1 failed"),
    ("a skip by status 77 or TAP's 1..0 is a skip",
     [entry("a", "OK", 0), entry("b", "SKIP", 77), entry("c", "SKIP", 0)], 0, "1 passed, 0 failed"),
    ("a skipped test that exited 1 fails (rustdoc refusing its flags)",
     [entry("a", "OK", 0), entry("rust-x-doctests", "SKIP", 1)], 1, "1 passed, 1 failed"),
]

tap = Tap()
for what, entries, status, last_line in CASES:
    rc, out = summarise(entries)
    tap.check(rc == status and out.splitlines()[-1] == last_line, what,
              f"status {rc}, output {out!r}")
sys.exit(tap.finish())
