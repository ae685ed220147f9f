"""Start rivet with QMP monitors, for the functional tests (docs/qmp.md).

    from qmp_machine import RivetQmp

    with RivetQmp(rivet, ["-serial", "null"], monitors=2) as vm:
        qmp = vm.connect()           # qemu.qmp's QEMUMonitorProtocol, negotiated
        qmp.cmd("stop")
        event = qmp.pull_event(wait=5)
        raw = vm.raw()               # a plain socket speaking bytes
        status, out, err = vm.finish()

Each monitor is `-qmp unix:DIR/qmpN.sock,server=on,wait=off` in a fresh
temporary directory; more options (-S, -bios, ...) go in args.  Every wait
is bounded (TIMEOUT), so a hang fails the test instead of stalling it.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

from host_command import host_command

try:
    from qemu.qmp.legacy import QEMUMonitorProtocol
except ImportError:  # reported by require_qemu_qmp()
    QEMUMonitorProtocol = None

TIMEOUT = 30  # seconds for any one step; generous for qemu-user runs


def require_qemu_qmp() -> None:
    """Exit 77 (Meson's SKIP) when QEMU's client library is missing: it is
    pinned in requirements.txt, which scripts/setup installs into .venv."""
    if QEMUMonitorProtocol is None:
        print("qemu.qmp is not installed (pip install -r requirements.txt)")
        raise SystemExit(77)


class RawClient:
    """A QMP client that sends bytes and reads whole lines, for input
    qemu.qmp would never send."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.sock.settimeout(TIMEOUT)
        self.pending = b""

    def send(self, data) -> None:
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def line(self) -> bytes:
        """The next line, without its CRLF; b"" when the server closed."""
        while b"\n" not in self.pending:
            chunk = self.sock.recv(65536)
            if not chunk:
                rest, self.pending = self.pending, b""
                return rest
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.rstrip(b"\r")

    def message(self) -> dict:
        line = self.line()
        if not line:
            raise AssertionError("the monitor closed the connection")
        return json.loads(line)

    def reply(self, request) -> dict:
        """Send request (a dict, or text as is) and return the next
        message that is not an event."""
        self.send(request if isinstance(request, (str, bytes))
                  else json.dumps(request))
        while True:
            msg = self.message()
            if "event" not in msg:
                return msg

    def negotiate(self) -> dict:
        """Read the greeting, send qmp_capabilities; returns the greeting."""
        greeting = self.message()
        answer = self.reply({"execute": "qmp_capabilities"})
        if answer != {"return": {}}:
            raise AssertionError(f"qmp_capabilities answered {answer}")
        return greeting

    def close(self) -> None:
        self.sock.close()


class RivetQmp:
    """One rivet process with `monitors` QMP monitors on unix sockets."""

    def __init__(self, rivet: str, args=(), monitors: int = 1,
                 stdin=subprocess.DEVNULL, preexec_fn=None):
        self.dir = tempfile.mkdtemp(prefix="rivet-qmp-")
        self.sockets = [os.path.join(self.dir, f"qmp{i}.sock")
                        for i in range(monitors)]
        argv = [rivet]
        for path in self.sockets:
            argv += ["-qmp", f"unix:{path},server=on,wait=off"]
        argv += list(args)
        self.proc = subprocess.Popen(host_command(argv), stdin=stdin,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE,
                                     preexec_fn=preexec_fn)
        self.clients = []

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _socket(self, index: int) -> socket.socket:
        """A connected socket to monitor index, once rivet listens."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self.sockets[index])
                return sock
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                if self.proc.poll() is not None:
                    raise AssertionError(
                        "rivet exited before listening: "
                        + self.proc.stderr.read().decode())
                if time.monotonic() > deadline:
                    raise AssertionError(f"rivet never listened on "
                                         f"{self.sockets[index]}")
                time.sleep(0.01)

    def wait_listening(self, index: int = 0) -> None:
        """Wait until monitor index listens, without taking its client
        slot for long (the probe connects and leaves)."""
        self._socket(index).close()

    def connect(self, index: int = 0, negotiate: bool = True):
        """qemu.qmp's synchronous client on monitor index."""
        self.wait_listening(index)
        qmp = QEMUMonitorProtocol(self.sockets[index])
        qmp.connect(negotiate=negotiate)
        self.clients.append(qmp)
        return qmp

    def raw(self, index: int = 0) -> RawClient:
        client = RawClient(self._socket(index))
        self.clients.append(client)
        return client

    def finish(self, timeout: float = TIMEOUT) -> tuple[int, str, str]:
        """Exit status, stdout and stderr once rivet exits (killed, and the
        test failed, when it does not within timeout)."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError(f"rivet did not exit within {timeout} s "
                                 f"(stderr: {err.decode()!r})")
        return self.proc.returncode, out.decode(), err.decode()

    def close(self) -> None:
        for client in self.clients:
            try:
                client.close()
            except Exception:  # already closed by the test or the server
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
        shutil.rmtree(self.dir, ignore_errors=True)
