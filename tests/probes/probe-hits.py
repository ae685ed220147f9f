#!/usr/bin/env python3
"""USDT probes fire with the right arguments, seen through gdb.

Runs the PL011 test firmware under `gdb -batch` with `break -probe-stap
rivet:NAME` breakpoints (no root needed: gdb increments the semaphores
itself) and checks the hits against what the firmware did:
  - the bytes written to UARTDR are exactly the UART output (captured
    through -serial file:), and each went out as one chardev_write;
  - the eight ID registers read back as the PL011 r1p5 identification;
  - the interrupt line events alternate (each one is a real change);
  - the last device event is the power/test write of 0x5555 (pass).
Exit 77 (skip) without gdb or without USDT probes in this build.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
from tap import Tap  # noqa: E402

SKIP = 77
PL011_DR = 0x000
PL011_ID = [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1]  # PeriphID0..3, PCellID0..3
EVENTS = {  # event -> number of arguments printed
    "pl011_read": 3,
    "pl011_write": 3,
    "pl011_irq": 1,
    "power_write": 3,
    "chardev_write": 3,
}


def gdb_script():
    lines = ["set pagination off", "set confirm off"]
    for name, nargs in EVENTS.items():
        fmt = " ".join(["%lu"] * nargs)
        vals = ", ".join(f"$_probe_arg{i}" for i in range(nargs))
        if name == "chardev_write":  # label is a string: skip it
            fmt, vals = "0 %lu %ld", "$_probe_arg1, $_probe_arg2"
        lines += [f"break -probe-stap rivet:{name}", "commands", "silent",
                  f'printf "HIT {name} {fmt}\\n", {vals}', "continue", "end"]
    lines.append("run")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", required=True)
    parser.add_argument("--rivet", required=True)
    parser.add_argument("--firmware", required=True, help="the pl011 test firmware")
    args = parser.parse_args()

    if args.mode != "usdt":
        print(f"SKIP: this build has no USDT probes (probes mode '{args.mode}')")
        return SKIP
    if os.environ.get("MESON_EXE_WRAPPER"):
        # A cross build (ci/cross/*.ini): the emulator runs under qemu-user,
        # which the host's gdb cannot start it in; probes-notes still checks
        # the probes in the binary.
        print("SKIP: cross build: gdb cannot run the emulator under qemu-user")
        return SKIP
    gdb = shutil.which("gdb")
    if not gdb:
        print("SKIP: gdb is not installed (scripts/setup installs it as root)")
        return SKIP

    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "probes.gdb")
        serial = os.path.join(tmp, "uart.out")
        with open(script, "w") as f:
            f.write(gdb_script())
        # In an ASan build (make check-sanitize) LeakSanitizer cannot run
        # under ptrace and aborts the emulator at exit: check leaks
        # everywhere but here (the same run without gdb is leak-checked by
        # the functional tests); ASan and UBSan stay on.
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
        proc = subprocess.run(
            [gdb, "-q", "-batch", "-nx", "-x", script, "--args", args.rivet,
             "-bios", args.firmware, "-serial", f"file:{serial}"],
            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, env=env)
        with open(serial, "rb") as f:
            uart_output = f.read()

    hits = []
    for line in proc.stdout.splitlines():
        if line.startswith("HIT "):
            name, *vals = line.split()[1:]
            hits.append((name, [int(v) for v in vals]))
    tap = Tap()
    check = tap.check
    if "exited normally" not in proc.stdout:
        check(False, "the firmware passes under gdb", proc.stdout[-2000:] + proc.stderr[-2000:])
        return tap.finish()

    counts = {name: sum(1 for h in hits if h[0] == name) for name in EVENTS}
    check(all(counts.values()), f"every watched probe fired: {counts}")

    dr = bytes(v[2] & 0xFF for n, v in hits if n == "pl011_write" and v[0] == PL011_DR)
    check(dr == uart_output and len(dr) > 100,
          f"the {len(dr)} bytes written to UARTDR are the {len(uart_output)} bytes of UART output")
    writes = [v for n, v in hits if n == "chardev_write"]
    check(len(writes) == len(dr) and all(v[1] == 1 and v[2] == 1 for v in writes),
          "each transmitted byte is one 1-byte chardev_write that succeeded")
    sizes = {v[1] for n, v in hits if n in ("pl011_read", "pl011_write")}
    check(sizes == {4}, f"the firmware makes 4-byte accesses only (sizes seen: {sorted(sizes)})")

    ids = {}
    for n, v in hits:
        if n == "pl011_read" and 0xFE0 <= v[0] <= 0xFFC:
            ids.setdefault(v[0], v[2])
    check([ids.get(0xFE0 + 4 * i) for i in range(8)] == PL011_ID,
          "the ID registers read back the PL011 r1p5 identification")

    levels = [v[0] for n, v in hits if n == "pl011_irq"]
    check(levels and levels[0] == 1 and all(a != b for a, b in zip(levels, levels[1:])),
          f"pl011_irq reports changes only: {len(levels)} alternating levels from 1")

    device = [h for h in hits if h[0] != "chardev_write"]
    check(device and device[-1] == ("power_write", [0, 4, 0x5555]),
          "the last device event is the power/test pass write (0x5555)")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
