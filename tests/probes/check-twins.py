#!/usr/bin/env python3
"""Twin check: the C and the Rust implementation of each twin device fire
the same device events with the same arguments, in the same order, on the
same firmware.

Each twin's test firmware (--twin NAME FIRMWARE PROBES) runs twice, with -machine virt,DEV=c and
DEV=rust; the event sequences are collected through gdb's `break
-probe-stap rivet:NAME` breakpoints (the USDT probes themselves) and, in a
second pair of runs, through `-trace 'DEV_*'` (the log backend), and must
be identical and non-empty.  Exit 77 (skip) when this emulator has no Rust
twins, or with -Dprobes=disabled; the gdb half is skipped, saying so,
without gdb or USDT probes.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
from tap import Tap  # noqa: E402

# In a cross build Meson passes the qemu-user wrapper (docs/cross.md).
WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))

SKIP = 77
# gdb watches every event of a twin's probes file, except these: the HPET
# firmware polls the counter tens of thousands of times.
GDB_UNWATCHED = {"hpet_read"}


def gdb_events(probegen, probes_file):
    """Event name -> argument count, of the events gdb watches."""
    return {e.name: len(e.args) for e in probegen.all_events(probegen.load([probes_file]))
            if e.name not in GDB_UNWATCHED}


def gdb_hits(gdb, rivet, machine, firmware, events):
    script = ["set pagination off"]
    for name, nargs in events.items():
        vals = ", ".join(f"$_probe_arg{i}" for i in range(nargs))
        # Unsigned 64-bit: the C probes record exact widths, the probe crate
        # records every argument as a signed 64-bit value.
        fmt = " ".join(["%lu"] * nargs)
        script += [f"break -probe-stap rivet:{name}", "commands", "silent",
                   f'printf "HIT {name} {fmt}\\n", {vals}', "continue", "end"]
    script.append("run")
    with tempfile.NamedTemporaryFile("w", suffix=".gdb") as f:
        f.write("\n".join(script) + "\n")
        f.flush()
        proc = subprocess.run(
            [gdb, "-q", "-batch", "-nx", "-x", f.name, "--args", rivet, "-M", machine,
             "-bios", firmware, "-serial", "null"],
            capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    return [l for l in proc.stdout.splitlines() if l.startswith("HIT ")]


def trace_lines(rivet, machine, firmware, dev):
    proc = subprocess.run(WRAPPER + [rivet, "-M", machine, "-bios", firmware, "-serial", "null",
                           "-trace", f"{dev}_*"], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stderr.splitlines()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", required=True)
    parser.add_argument("--rivet", required=True)
    parser.add_argument("--probegen", required=True)
    parser.add_argument("--twin", nargs=3, action="append", default=[],
                        metavar=("NAME", "FIRMWARE", "PROBES"))
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.probegen)))
    import probegen  # the generator's own parser: one reading of the definitions

    if args.mode == "disabled":
        print("SKIP: built with -Dprobes=disabled")
        return SKIP
    if not args.twin:
        print("SKIP: no twin device has a test firmware")
        return SKIP
    names = [name for name, _, _ in args.twin]
    rust_all = ",".join(["virt"] + [f"{name}=rust" for name in names])
    probe = subprocess.run(WRAPPER + [args.rivet, "-M", rust_all, "-bios",
                            "/nonexistent"], capture_output=True, text=True)
    if any(name in probe.stderr for name in names):
        print(f"SKIP: this emulator has no Rust twins ({probe.stderr.strip()})")
        return SKIP
    gdb = shutil.which("gdb")
    tap = Tap()
    for dev, firmware, probes_file in args.twin:
        events = gdb_events(probegen, probes_file)
        c_machine, rust_machine = f"virt,{dev}-impl=c", f"virt,{dev}-impl=rust"
        c_status, c_log = trace_lines(args.rivet, c_machine, firmware, dev)
        r_status, r_log = trace_lines(args.rivet, rust_machine, firmware, dev)
        first_difference = next((f"first difference: C '{a}' vs Rust '{b}'"
                                 for a, b in zip(c_log, r_log) if a != b), "")
        tap.check(c_status == r_status == 0 and c_log == r_log and len(c_log) > 10,
                  f"{dev}: -trace '{dev}_*' gives the same {len(c_log)} events from C "
                  f"and {len(r_log)} from Rust", first_difference)
        if args.mode != "usdt" or not gdb or WRAPPER:
            why = ("no USDT probes in this build" if args.mode != "usdt" else
                   "no gdb" if not gdb else "gdb cannot run the emulator under qemu-user")
            tap.check(True, f"{dev}: gdb sees the same probe hits from C and Rust # SKIP {why}")
            continue
        c_hits = gdb_hits(gdb, args.rivet, c_machine, firmware, events)
        r_hits = gdb_hits(gdb, args.rivet, rust_machine, firmware, events)
        watched = [l for l in c_log if l.split(" ", 1)[0] in events]
        tap.check(c_hits == r_hits and len(c_hits) == len(watched),
                  f"{dev}: gdb sees the same {len(c_hits)} probe hits from C and "
                  f"{len(r_hits)} from Rust, one per -trace line")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
