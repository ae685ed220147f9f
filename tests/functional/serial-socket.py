#!/usr/bin/env python3
"""-serial unix:PATH,server end to end, one case per run.

Usage: serial-socket.py CASE RIVET FIRMWARE [--expected FILE] [-- EMULATOR-ARGS...]

Cases (EMULATOR-ARGS, e.g. -M virt,pl011-impl=c, go to every rivet started):
  echo             wait=on, a client types a line into uart-echo; the whole
                   output seen through the socket must equal FILE, status 0
  flood-read       uart-flood to a client that reads, pausing now and then:
                   all 1 MiB arrives intact (back-pressure loses nothing)
  flood-no-read    uart-flood to a client that connects and never reads:
                   the guest sees a full transmit FIFO and gives up (status
                   3) in bounded time; the queued bytes are reported lost
  echo-write-only  uart-echo with a client that writes and never reads: the
                   machine keeps running to -save-at, and the snapshot
                   resumes with a reading client to a clean finish
  two-servers      a second rivet on a live server's path is refused with
                   one line; the first keeps serving
  stale-socket     a socket file nobody listens on is replaced
  regular-file     a regular file at the path is refused and left intact
A hang is a failure: every wait is bounded.
"""
import argparse
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import time

from host_command import host_command, step_timeout

# Seconds for any one step.  flood-no-read's guest spins 100 ms of guest
# time (1e8 instructions) on a full FIFO before it gives up: about 1 s of
# CPU natively, 18 s under qemu-user, minutes on a loaded machine.
TIMEOUT = step_timeout(60)


class Rivet:
    """One emulator with its UART on unix:PATH,server."""

    def __init__(self, args, path: str, firmware: str, *more: str,
                 wait: bool = False):
        spec = f"unix:{path},server" + (",wait=on" if wait else "")
        self.proc = subprocess.Popen(
            host_command([args.rivet, "-serial", spec, "-bios", firmware]
                         + list(more) + args.extra),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)

    def finish(self) -> tuple[int, str]:
        """Exit status and stderr (less the wait=on notice); a run that
        does not end is killed.  rivet prints nothing on stdout."""
        try:
            out, err = self.proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
            raise SystemExit(f"rivet did not finish within {TIMEOUT} s "
                             f"(stderr: {err.decode()!r})")
        check(out == b"", f"unexpected stdout: {out!r}")
        err = re.sub(r"(?m)^rivet: waiting for a connection on .*\n", "",
                     err.decode())
        return self.proc.returncode, err


def connect(path: str, rivet: Rivet) -> socket.socket:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            client.connect(path)
            return client
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline or rivet.proc.poll() is not None:
                rivet.proc.kill()
                raise SystemExit(f"rivet never listened on {path}: "
                                 f"{rivet.proc.communicate()[1].decode()}")
            time.sleep(0.02)


def read_all(client: socket.socket, pause_every: int = 0) -> bytes:
    """Everything until EOF, pausing 50 ms every pause_every bytes."""
    client.settimeout(TIMEOUT)
    got = bytearray()
    next_pause = pause_every
    while chunk := client.recv(65536):
        got += chunk
        if pause_every and len(got) >= next_pause:
            time.sleep(0.05)
            next_pause += pause_every
    return bytes(got)


def flood_lines() -> bytes:
    """What firmware/tests/uart-flood prints, to the byte."""
    tail = ("abcdefghijklmnopqrstuvwxyz" * 3)[:64 - 14]
    body = "".join(f"flood {n:06d} {tail}\n" for n in range(16384))
    return (body + "uart-flood: 16384 lines sent\n").encode()


def check(ok: bool, what: str) -> None:
    if not ok:
        raise SystemExit(what)


LOST_LINE = (r"(?m)^rivet: unix:.*: [1-9][0-9]* bytes of guest output not "
             r"delivered: the client stopped reading$")


def case_echo(args, path: str) -> None:
    rivet = Rivet(args, path, args.firmware, wait=True)
    client = connect(path, rivet)
    client.sendall(b"hello, rivet.")
    got = read_all(client)
    client.close()
    status, err = rivet.finish()
    want = pathlib.Path(args.expected).read_bytes()
    check(got == want, f"socket output {got!r}\nexpected      {want!r}")
    check(status == 0, f"exit status {status}, stderr: {err}")


def case_flood_read(args, path: str) -> None:
    rivet = Rivet(args, path, args.firmware, wait=True)
    client = connect(path, rivet)
    got = read_all(client, pause_every=256 * 1024)
    status, err = rivet.finish()
    want = flood_lines()
    check(got == want, f"got {len(got)} bytes, expected {len(want)}; first "
          f"difference at {next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))}")
    check(status == 0, f"exit status {status}, stderr: {err}")
    check(err == "", f"unexpected stderr: {err}")


def case_flood_no_read(args, path: str) -> None:
    rivet = Rivet(args, path, args.firmware, wait=True)
    client = connect(path, rivet)
    status, err = rivet.finish()  # the client never reads
    client.close()
    check(status == 3, f"exit status {status} (expected 3: the guest saw its "
          f"transmit FIFO stay full), stderr: {err}")
    check(re.search(LOST_LINE, err) is not None,
          f"no line counting the undelivered bytes in stderr: {err!r}")


def case_echo_write_only(args, path: str) -> None:
    snapshot = os.path.join(os.path.dirname(path), "stalled.snap")
    # Far past the point where the echo fills every buffer on the way
    # back: the guest then spins on UARTFR.TXFF, the machine keeps going.
    rivet = Rivet(args, path, args.firmware,
                  "-save-at", f"{args.save_at},file:{snapshot}", wait=True)
    client = connect(path, rivet)
    client.setblocking(False)
    chunk = b"abcdefghijklmnopqrstuvwxyz" * 2521  # about 64 KiB, no '.'
    written = 0
    while rivet.proc.poll() is None:
        try:
            written += client.send(chunk)
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:
            break  # rivet closed its end
        check(written < 1 << 30, "rivet consumed 1 GiB without stalling")
    status, err = rivet.finish()
    client.close()
    check(status == 0, f"-save-at: exit status {status}, stderr: {err}")
    check(re.search(LOST_LINE, err) is not None,
          f"no line counting the undelivered bytes in stderr: {err!r}")

    # The snapshot resumes with a reading client: the guest finishes its
    # echo and stops at the '.'.
    rivet = Rivet(args, path, args.firmware, "-incoming", f"file:{snapshot}",
                  wait=True)
    client = connect(path, rivet)
    client.sendall(b"x.")
    got = read_all(client)
    client.close()
    status, err = rivet.finish()
    check(status == 0, f"resumed: exit status {status}, stderr: {err}")
    check(got.endswith(b"X.\nuart-echo: done\n"),
          f"resumed output ends {got[-60:]!r}")


def case_two_servers(args, path: str) -> None:
    first = Rivet(args, path, args.firmware)
    client = connect(path, first)
    second = Rivet(args, path, args.firmware)
    status, err = second.finish()
    want = (f"rivet: unix:{path}: another process is listening on this "
            "socket (a second rivet?)\n")
    check(status == 1 and err == want,
          f"second rivet: status {status}, stderr {err!r}, expected {want!r}")
    check(os.path.exists(path), "the second rivet removed the first's socket")
    # The first still owns the path and serves its client.
    client.sendall(b"still here.")
    got = read_all(client)
    client.close()
    status, err = first.finish()
    check(status == 0 and got.endswith(b"STILL HERE.\nuart-echo: done\n"),
          f"first rivet: status {status}, output {got!r}, stderr {err}")


def case_stale_socket(args, path: str) -> None:
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)  # bound, never listening, left behind: a killed run
    stale.close()
    rivet = Rivet(args, path, args.firmware, wait=True)
    client = connect(path, rivet)
    client.sendall(b"ok.")
    got = read_all(client)
    client.close()
    status, err = rivet.finish()
    check(status == 0 and got.endswith(b"OK.\nuart-echo: done\n"),
          f"status {status}, output {got!r}, stderr {err}")
    check(not os.path.exists(path), "rivet left its socket file behind")


def case_regular_file(args, path: str) -> None:
    pathlib.Path(path).write_bytes(b"precious")
    rivet = Rivet(args, path, args.firmware)
    status, err = rivet.finish()
    want = f"rivet: unix:{path}: exists and is not a socket; not replacing it\n"
    check(status == 1 and err == want,
          f"status {status}, stderr {err!r}, expected {want!r}")
    check(pathlib.Path(path).read_bytes() == b"precious",
          "the regular file was changed")


CASES = {
    "echo": case_echo,
    "flood-read": case_flood_read,
    "flood-no-read": case_flood_no_read,
    "echo-write-only": case_echo_write_only,
    "two-servers": case_two_servers,
    "stale-socket": case_stale_socket,
    "regular-file": case_regular_file,
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=CASES)
    parser.add_argument("rivet")
    parser.add_argument("firmware")
    parser.add_argument("--expected")
    parser.add_argument("--save-at", default=100_000_000)
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:len(argv) - len(extra) - bool(extra)])
    args.extra = extra
    with tempfile.TemporaryDirectory(prefix="rivet-sock-") as tmp:
        CASES[args.case](args, str(pathlib.Path(tmp) / "serial.sock"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
