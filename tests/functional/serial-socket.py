#!/usr/bin/env python3
"""-serial unix:PATH,server,wait=on end to end.

Starts the emulator with the UART on a listening unix socket, connects as the
client, types a line and checks the guest's whole output as seen through the
socket, and the exit status.
Usage: serial-socket.py RIVET FIRMWARE EXPECTED [EMULATOR-ARGS...]
"""
import pathlib
import socket
import subprocess
import sys
import tempfile
import time

from host_command import host_command


def main() -> int:
    rivet, firmware, expected = sys.argv[1:4]
    extra = sys.argv[4:]  # e.g. -M virt,pl011=c
    want = pathlib.Path(expected).read_bytes()
    with tempfile.TemporaryDirectory(prefix="rivet-sock-") as tmp:
        path = str(pathlib.Path(tmp) / "serial.sock")
        proc = subprocess.Popen(
            host_command([rivet, "-serial", f"unix:{path},server,wait=on",
                          "-bios", firmware] + extra),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline or proc.poll() is not None:
                    print("emulator never listened on", path)
                    proc.kill()
                    print(proc.communicate()[1].decode())
                    return 1
                time.sleep(0.02)
        client.sendall(b"hello, rivet.")
        client.settimeout(30)
        got = b""
        while True:
            chunk = client.recv(4096)
            if not chunk:
                break
            got += chunk
        client.close()
        out, err = proc.communicate(timeout=30)
    ok = True
    if got != want:
        print(f"socket output {got!r}\nexpected      {want!r}")
        ok = False
    if proc.returncode != 0:
        print(f"exit status {proc.returncode}, stderr: {err.decode()}")
        ok = False
    if out:
        print(f"unexpected stdout: {out!r}")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
