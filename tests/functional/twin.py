#!/usr/bin/env python3
"""Twin test: boot one firmware with the C and with the Rust implementation
of every twin device (-machine virt,pl011-impl=c|rust,hpet-impl=c|rust,...) and
require byte-identical UART output, the same exit status, and identical device registers when the
machine stops (`-d dev_regs`: each device's read-only "registers" property,
docs/devices-rust.md).

Usage: twin.py RIVET TWINS FIRMWARE [STDIN-TEXT]
(TWINS: the twin devices' names, comma-separated)
"""
import os
import subprocess
import sys
import tempfile

from host_command import host_command

# Registers the dump must show, so that a dump that lost a device or an
# item fails here instead of comparing equal on both sides.
REQUIRED = {
    "/machine/uart0": ["ibrd", "fbrd", "lcr_h", "cr", "ifls", "imsc", "ris",
                       "fr", "rx_level", "rx_fifo"],
    "/machine/hpet": ["cap", "config", "isr", "counter", "timer0.config",
                      "timer0.comparator", "timer0.period", "timer2.period"],
}


def run(rivet: str, twins: list[str], impl: str, firmware: str, stdin: bytes,
        tmp: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    log = os.path.join(tmp, f"regs-{impl}.log")
    # Input from a file, as run-guest.py: all there from the first
    # instruction, so where the guest sees it does not depend on when a
    # pipe happens to be written.
    stdin_path = os.path.join(tmp, "stdin")
    with open(stdin_path, "wb") as f:
        f.write(stdin)
    with open(stdin_path, "rb") as f:
        proc = subprocess.run(
            host_command([rivet, "-M", ",".join(["virt"] + [f"{t}-impl={impl}" for t in twins]),
                          "-bios", firmware, "-d", "dev_regs", "-D", log]),
            stdin=f, capture_output=True, timeout=120)
    try:
        with open(log, encoding="utf-8") as f:
            regs = f.read().splitlines()
    except FileNotFoundError:
        regs = []
    return proc, regs


def missing_items(regs: list[str]) -> list[str]:
    present = {tuple(line.split("=", 1)[0].split(" ", 1))
               for line in regs if " " in line}
    return [f"{path} {name}" for path, names in REQUIRED.items()
            for name in names if (path, name) not in present]


def main() -> int:
    rivet, twins, firmware = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
    stdin = sys.argv[4].encode() if len(sys.argv) > 4 else b""
    with tempfile.TemporaryDirectory() as tmp:
        c, c_regs = run(rivet, twins, "c", firmware, stdin, tmp)
        rust, rust_regs = run(rivet, twins, "rust", firmware, stdin, tmp)
    ok = True
    if c.stdout != rust.stdout:
        print(f"twin: UART output differs:\n--- c\n{c.stdout!r}\n--- rust\n{rust.stdout!r}")
        ok = False
    if c.returncode != rust.returncode:
        print(f"twin: exit status c={c.returncode} rust={rust.returncode}")
        ok = False
    if not c.stdout:
        print("twin: the firmware printed nothing: nothing was compared")
        ok = False
    if c_regs != rust_regs:
        print("twin: registers differ when the machine stops:")
        width = max(len(line) for line in c_regs + rust_regs + ["c"])
        for i in range(max(len(c_regs), len(rust_regs))):
            left = c_regs[i] if i < len(c_regs) else ""
            right = rust_regs[i] if i < len(rust_regs) else ""
            mark = "   " if left == right else " ! "
            print(f"  {left:<{width}}{mark}{right}")
        ok = False
    for impl, regs in (("c", c_regs), ("rust", rust_regs)):
        missing = missing_items(regs)
        if missing:
            print(f"twin: the {impl} register dump lacks: {', '.join(missing)}")
            ok = False
    print(f"twin: {len(c.stdout)} bytes, status {c.returncode}, "
          f"{len(c_regs)} register items: {'identical' if ok else 'DIFFERENT'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
