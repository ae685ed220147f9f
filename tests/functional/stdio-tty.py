#!/usr/bin/env python3
"""-serial stdio on a terminal, end to end, through a pseudo-terminal.

Checks that keys reach the guest as they are typed (no line buffering, no
local echo: the guest does the echoing), and that the terminal settings are
restored when the guest powers off, when the user presses ^C, and whatever
fatal signal ends rivet (each re-raised: rivet dies of it), including the
SIGPIPE of `rivet | head -1`.
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


# The signals are sent by kill(), not raised by a fault: keep a sanitizer's
# own SIGSEGV/SIGBUS/SIGFPE report out of the way of rivet's handler.
ENV = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "")
           + ":handle_segv=0:handle_sigbus=0:handle_sigfpe=0")


# The signals the test sends.  A test started in the background by a
# non-interactive shell (make ... &, a package build) inherits SIGINT and
# SIGQUIT ignored, and rivet rightly keeps an ignored signal ignored.
SENT = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGABRT,
        signal.SIGSEGV, signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM)


def child_signals(ignore):
    """In the child: each sent signal at its default, but `ignore`."""
    for sig in SENT:
        signal.signal(sig, signal.SIG_IGN if sig == ignore else signal.SIG_DFL)


def start(rivet: str, firmware: str, pipe=None, ignore=None):
    """Start on a new terminal; stdout is the terminal or pipe (r, w);
    signal `ignore` is ignored from the start, as under nohup."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(host_command([rivet, "-bios", firmware]), stdin=slave,
                            stdout=pipe[1] if pipe else slave,
                            stderr=subprocess.PIPE, env=ENV,
                            preexec_fn=lambda: child_signals(ignore))
    read_until(pipe[0] if pipe else master, b"uart-echo: ready")
    return master, slave, proc


def restored(slave: int) -> bool:
    return (lflags(slave) & (termios.ICANON | termios.ECHO)) == (termios.ICANON | termios.ECHO)


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

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGABRT,
                signal.SIGSEGV, signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM):
        master, slave, proc = start(rivet, firmware)
        proc.send_signal(sig)
        proc.wait(timeout=20)
        if proc.returncode != -sig:
            failures.append(f"{sig.name}: exit {proc.returncode}, expected death by {sig.name}")
        if not restored(slave):
            failures.append(f"terminal not restored after {sig.name}")
        os.close(master)
        os.close(slave)

    # rivet | head -1: the reader goes away, the next guest output raises
    # SIGPIPE.
    reader, writer = os.pipe()
    master, slave, proc = start(rivet, firmware, pipe=(reader, writer))
    os.close(writer)
    os.close(reader)
    os.write(master, b"x")
    proc.wait(timeout=20)
    if proc.returncode != -signal.SIGPIPE:
        failures.append(f"SIGPIPE: exit {proc.returncode}, expected death by SIGPIPE")
    if not restored(slave):
        failures.append("terminal not restored after SIGPIPE")
    os.close(master)
    os.close(slave)

    # nohup: a signal ignored by whoever started rivet stays ignored.
    master, slave, proc = start(rivet, firmware, ignore=signal.SIGHUP)
    proc.send_signal(signal.SIGHUP)
    os.write(master, b".")
    read_until(master, b"uart-echo: done")
    if proc.wait(timeout=20) != 0:
        failures.append(f"ignored SIGHUP: exit {proc.returncode}, expected 0")
    os.close(master)
    os.close(slave)

    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
