#!/usr/bin/env python3
"""-serial stdio on a terminal, end to end, through a pseudo-terminal.

Checks that keys reach the guest as they are typed (no line buffering, no
local echo: the guest does the echoing), and that the terminal settings are
restored both when the guest powers off and when the user presses ^C.
Usage: stdio-tty.py RIVET UART_ECHO_FIRMWARE
"""
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time

from host_command import host_command


def read_until(fd: int, wanted: bytes, timeout: float = 20) -> bytes:
    got = b""
    deadline = time.monotonic() + timeout
    while wanted not in got:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise SystemExit(f"timed out waiting for {wanted!r}; got {got!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            raise SystemExit(f"terminal closed before {wanted!r}; got {got!r}")
        got += chunk
    return got


def lflags(fd: int) -> int:
    return termios.tcgetattr(fd)[3]


def start(rivet: str, firmware: str):
    master, slave = pty.openpty()
    proc = subprocess.Popen(host_command([rivet, "-bios", firmware]), stdin=slave,
                            stdout=slave, stderr=subprocess.PIPE)
    read_until(master, b"uart-echo: ready")
    return master, slave, proc


def main() -> int:
    rivet, firmware = sys.argv[1:3]
    failures = []

    master, slave, proc = start(rivet, firmware)
    if lflags(slave) & (termios.ICANON | termios.ECHO):
        failures.append("terminal not switched to raw-ish mode while running")
    if not lflags(slave) & termios.ISIG:
        failures.append("ISIG cleared: ^C would not reach rivet")
    os.write(master, b"ab")
    # Without line buffering the guest sees the keys before any newline.
    echoed = read_until(master, b"AB")
    if b"ab" in echoed:
        failures.append(f"local echo still on: {echoed!r}")
    os.write(master, b".")
    read_until(master, b"uart-echo: done")
    if proc.wait(timeout=20) != 0:
        failures.append(f"exit status {proc.returncode}: {proc.stderr.read()!r}")
    if (lflags(slave) & (termios.ICANON | termios.ECHO)) != (termios.ICANON | termios.ECHO):
        failures.append("terminal not restored after the guest powered off")
    os.close(master)
    os.close(slave)

    master, slave, proc = start(rivet, firmware)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=20)
    if proc.returncode != -signal.SIGINT:
        failures.append(f"^C: exit {proc.returncode}, expected death by SIGINT")
    if (lflags(slave) & (termios.ICANON | termios.ECHO)) != (termios.ICANON | termios.ECHO):
        failures.append("terminal not restored after ^C")
    os.close(master)
    os.close(slave)

    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
