#!/usr/bin/env python3
"""Snapshot determinism: for one firmware, save at several instruction
counts (-save-at N,file:), resume each snapshot (-incoming file:), and
require the two runs' concatenated UART output and the final exit status to
equal an uninterrupted run's, byte for byte.

--require NAME[@N] makes the test find (by scanning save points) and check at
least one snapshot in that state: `rx-fifo` (PL011 receive FIFO holding
characters, i.e. mid-burst), `hpet-pending` (an HPET interrupt latched
in the HPET or pending at the PLIC), `pc-halfword` (the hart stopped at an
instruction 2 bytes past a word: mid-way through compressed code),
`u-mode-pmp` (the hart in U-mode with PMP entries set), `trigger-armed`
(an mcontrol6 trigger set up), `htif-read` (an HTIF console read waiting
for input), `eeprom-page-write` (the 24C02 holds bytes of a page write that its STOP
has not yet written) or `expander-read` (the I2C controller is in a read
transfer from the PCF8574 at 0x20); N, where the state was found before,
is tried first to keep the test fast.  --save-machine / --resume-machine
give the -machine of each side, so the C and Rust twins can be crossed;
--rivet-arg ARG (repeatable) is given to every run (a -global).

stdin (--stdin TEXT) is one file shared by the save run and the resume run
(same open file description), so the resume run reads exactly the input
the save run left unread, as one uninterrupted process would.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_stream  # noqa: E402
from scratch import scratch_dir  # noqa: E402

HPET_ROUTES = 0x00FF0104  # PLIC sources the HPET may drive on virt
I2C_PHASE_READ = 2  # I2CBusPhase, include/i2c/i2c.h
PCF8574_ADDR = 0x20  # the board table's VIRT_I2C_TARGET(PCF8574, ...)


# In a cross build Meson passes the qemu-user wrapper (docs/cross.md).
WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))


def run(cmd, stdin_file):
    p = subprocess.run(WRAPPER + cmd, stdin=stdin_file, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def conditions(snapshot):
    s = qemu_stream.parse(snapshot)
    f = {k: v.value for k, v in s.fields.items()}
    found = set()
    if f.get("pl011/rx_count", 0) > 0:
        found.add("rx-fifo")
    if f.get("hpet/isr", 0) or f.get("plic/pending", 0) & HPET_ROUTES:
        found.add("hpet-pending")
    # The hart's subsections (riscv-cpu/priv, /pmp, /trigger) and the
    # board's HTIF queue (virt/htif), sent only when not at reset values.
    if any(k.endswith("/priv/priv") and v == 0 for k, v in f.items()) and \
            any("/pmp/pmpcfg" in k and v for k, v in f.items()):
        found.add("u-mode-pmp")
    if any("/trigger/tdata1" in k and v >> 60 == 6 for k, v in f.items()):
        found.add("trigger-armed")
    if any(k.endswith("/htif/reads_pending") and v for k, v in f.items()):
        found.add("htif-read")
    if f.get("at24c02/latched", 0):
        found.add("eeprom-page-write")
    if f.get("riscv-cpu/pc", 0) & 3 == 2:
        found.add("pc-halfword")
    if (f.get("ocores/xfer.phase") == I2C_PHASE_READ
            and f.get("ocores/xfer.address") == PCF8574_ADDR):
        found.add("expander-read")
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rivet", required=True)
    ap.add_argument("--bios", help="firmware (default: the built-in demo)")
    ap.add_argument("--stdin", default="")
    ap.add_argument("--points", type=int, default=8)
    ap.add_argument("--require", action="append", default=[])
    ap.add_argument("--save-machine", default="virt")
    ap.add_argument("--resume-machine", default="virt")
    ap.add_argument("--rivet-arg", action="append", default=[])
    a = ap.parse_args()

    return check_firmware(a, scratch_dir("rivet-determinism-", in_memory=True))


def check_firmware(a, tmp):
    input_path = os.path.join(tmp, "stdin")
    with open(input_path, "wb") as f:
        f.write(a.stdin.encode())
    base = [a.rivet] + a.rivet_arg + (["-bios", a.bios] if a.bios else [])
    snap = os.path.join(tmp, "snap")

    with open(input_path, "rb") as f:
        rc0, out0, err0 = run(base + ["-M", a.save_machine], f)
    # The run's length: ask for a save point beyond its end.
    with open(input_path, "rb") as f:
        rc, _, err = run(base + ["-M", a.save_machine, "-save-at",
                                 "%d,file:%s" % (10**15, snap)], f)
    m = re.search(r"after (\d+) instructions", err)
    if rc != 1 or not m:
        print("could not measure the run: status %d, %s" % (rc, err))
        return 1
    total = int(m.group(1))
    print("# uninterrupted: status %d, %d bytes of output, %d instructions"
          % (rc0, len(out0), total))

    failures = 0
    checked = 0

    def check(n):
        nonlocal failures, checked
        with open(input_path, "rb") as f:
            rc1, out1, err1 = run(base + ["-M", a.save_machine, "-save-at",
                                          "%d,file:%s" % (n, snap)], f)
            if rc1 != 0:
                print("not ok - save at %d: status %d: %s" % (n, rc1, err1.strip()))
                failures += 1
                return set()
            with open(snap, "rb") as sf:
                state = conditions(sf.read())
            rc2, out2, err2 = run(base + ["-M", a.resume_machine, "-incoming",
                                          "file:" + snap], f)
        checked += 1
        tag = " (%s)" % ", ".join(sorted(state)) if state else ""
        if out1 + out2 != out0 or rc2 != rc0:
            print("not ok - save at %d%s: output %s, status %d vs %d %s"
                  % (n, tag, "same" if out1 + out2 == out0 else "differs",
                     rc2, rc0, err2.strip()))
            failures += 1
        else:
            print("ok - save at %d%s, resume: same output and status" % (n, tag))
        return state

    for i in range(a.points):
        check(1 + (total - 2) * i // max(1, a.points - 1))
    for want in a.require:
        # STATE@N: N is where the state was found last time; try it first,
        # then scan outwards from it: a firmware change usually moves the
        # state by a few instructions, and a scan from the start cost up
        # to 350 runs per state.
        want, _, hint = want.partition("@")
        step = max(1, total // 400)
        start = int(hint) if hint else 1
        candidates = [start] + sorted(range(1, total, step),
                                      key=lambda n: abs(n - start))
        for n in candidates:
            with open(input_path, "rb") as f:
                rc1, _, _ = run(base + ["-M", a.save_machine, "-save-at",
                                        "%d,file:%s" % (n, snap)], f)
            with open(snap, "rb") as sf:
                if rc1 == 0 and want in conditions(sf.read()):
                    if hint and n != int(hint):
                        print("# %s found at %d, not at its hint %s: update "
                              "the hint in tests/migration/meson.build or the "
                              "device's meson.build" % (want, n, hint))
                    check(n)
                    break
        else:
            print("not ok - no save point in state %s found" % want)
            failures += 1
    print("# %d save points checked, %d failures" % (checked, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
