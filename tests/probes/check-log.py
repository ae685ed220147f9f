#!/usr/bin/env python3
"""The -trace log backend prints exactly the selected events, in order,
each formatted as its definition says.

  - `-trace help` lists every defined event; a pattern that matches
    nothing is a one-line error with exit status 1;
  - on the PL011 test firmware, `-trace PAT -trace PAT2 -D FILE` writes to
    FILE exactly the lines of a `-trace '*'` run whose event matches one of
    the patterns, in the same order (so selection, order and repetition
    are all checked), and nothing to stderr;
  - every line of the full run has a defined event name and matches that
    event's format with its argument types;
  - the ID register reads print as the format and the PL011 TRM say.
With -Dprobes=disabled, -trace must be refused with a clear error instead.
"""
import argparse
import fnmatch
import os
import re
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
from tap import Tap  # noqa: E402

PL011_ID = [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1]
PATTERNS = ["pl011_irq", "power_*", "chardev_[oc]*"]

# What each conversion prints, by argument class (see probegen.CONVERSIONS).
CONV_REGEX = {"x": "[0-9a-f]+", "X": "[0-9A-F]+", "u": "[0-9]+", "o": "[0-7]+",
              "d": "-?[0-9]+", "i": "-?[0-9]+", "s": ".*", "p": "(0x[0-9a-f]+|\\(nil\\))"}


def run(cmd):
    # In a cross build Meson passes the qemu-user wrapper (ci/cross/*.ini).
    cmd = shlex.split(os.environ.get("MESON_EXE_WRAPPER", "")) + list(cmd)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def line_regex(event, probegen):
    out, pos = [], 0
    for m in probegen.CONV_RE.finditer(event.fmt):
        out.append(re.escape(event.fmt[pos:m.start()]))
        pos = m.end()
        out.append("%" if m.group(2) == "%" else "(?:" + CONV_REGEX[m.group(2)] + ")")
    out.append(re.escape(event.fmt[pos:]))
    return re.compile("^" + re.escape(event.name) + " " + "".join(out) + "$")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", required=True)
    parser.add_argument("--rivet", required=True)
    parser.add_argument("--firmware", required=True, help="the pl011 test firmware")
    parser.add_argument("--probegen", required=True)
    parser.add_argument("defs", nargs="+")
    args = parser.parse_args()

    sys.dont_write_bytecode = True  # keep the source tree clean
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.probegen)))
    import probegen  # the generator's own parser: one reading of the definitions

    events = {e.name: e for e in probegen.all_events(probegen.load(args.defs))}
    tap = Tap()
    check = tap.check

    if args.mode == "disabled":
        r = run([args.rivet, "-trace", "pl011_*"])
        check(r.returncode == 1 and r.stderr.startswith("rivet: -trace: this rivet was built without probes")
              and r.stderr.count("\n") == 1,
              "-trace is refused with one line when built with -Dprobes=disabled", r.stderr)
        return tap.finish()

    r = run([args.rivet, "-trace", "help"])
    listed = re.findall(r"^  ([a-z0-9_]+)\(", r.stdout, re.M)
    check(r.returncode == 0 and listed == sorted(listed, key=list(events).index)
          and set(listed) == set(events), f"-trace help lists the {len(events)} events")

    r = run([args.rivet, "-trace", "nomatch*"])
    check(r.returncode == 1 and r.stderr == "rivet: -trace nomatch*: no probe matches (try -trace help)\n",
          "a pattern matching nothing is a one-line error, exit 1", r.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        sel_log = os.path.join(tmp, "selected.log")
        all_log = os.path.join(tmp, "all.log")
        sel_args = [a for p in PATTERNS for a in ("-trace", p)]
        sel = run([args.rivet, "-bios", args.firmware, "-serial", "null", "-D", sel_log] + sel_args)
        full = run([args.rivet, "-bios", args.firmware, "-serial", "null", "-D", all_log,
                    "-trace", "*"])
        with open(sel_log) as f:
            selected = f.read().splitlines()
        with open(all_log) as f:
            everything = f.read().splitlines()

    check(sel.returncode == 0 and full.returncode == 0, "the firmware passes with -trace on")
    check(sel.stderr == "" and full.stderr == "", "with -D FILE nothing goes to stderr",
          sel.stderr + full.stderr)

    expected = [l for l in everything
                if any(fnmatch.fnmatchcase(l.split(" ", 1)[0], p) for p in PATTERNS)]
    check(selected == expected and len(selected) > 3,
          f"{' '.join(sel_args)} prints exactly the matching {len(expected)} lines of -trace '*', in order",
          "\n".join(f"{a!r} vs {b!r}" for a, b in zip(selected, expected) if a != b)[:2000]
          + f"\n{len(selected)} vs {len(expected)} lines")

    bad = []
    for l in everything:
        name = l.split(" ", 1)[0]
        if name not in events or not line_regex(events[name], probegen).match(l):
            bad.append(l)
    names = {l.split(" ", 1)[0] for l in everything}
    check(not bad and len(everything) > 1000,
          f"all {len(everything)} lines of -trace '*' ({len(names)} events) match their definitions' formats",
          "\n".join(bad[:10]))

    ids = [l for l in everything if l.startswith("pl011_read offset=0xf")][:8]
    want = [f"pl011_read offset=0x{0xFE0 + 4 * i:03x} size=4 value=0x{v:x}" for i, v in enumerate(PL011_ID)]
    check(ids == want, "the ID register reads print as formatted: " + want[0], "\n".join(ids))
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
