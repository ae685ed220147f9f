#!/usr/bin/env python3
"""Twin test: boot one firmware with the C and with the Rust PL011 and HPET
(-machine virt,pl011=c|rust,hpet=c|rust) and require byte-identical UART
output and the same exit status.

Usage: twin.py RIVET FIRMWARE [STDIN-TEXT]
"""
import subprocess
import sys


def run(rivet: str, impl: str, firmware: str, stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [rivet, "-M", f"virt,pl011={impl},hpet={impl}", "-bios", firmware],
        input=stdin, capture_output=True, timeout=120)


def main() -> int:
    rivet, firmware = sys.argv[1], sys.argv[2]
    stdin = sys.argv[3].encode() if len(sys.argv) > 3 else b""
    c = run(rivet, "c", firmware, stdin)
    rust = run(rivet, "rust", firmware, stdin)
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
    print(f"twin: {len(c.stdout)} bytes, status {c.returncode}: "
          f"{'identical' if ok else 'DIFFERENT'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
