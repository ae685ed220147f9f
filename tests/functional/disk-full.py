#!/usr/bin/env python3
"""A snapshot that cannot be written loses nothing (TAP).

A full disk is made two ways: a file-size limit (RLIMIT_FSIZE, with
SIGXFSZ ignored, so write() fails with EFBIG; works for any user) and,
as root, a real 8 KiB tmpfs (write() fails with ENOSPC).  In each case:
  - `-save-at N,file:PATH` exits 1 with one line naming PATH and the
    reason; an older snapshot at PATH stays byte for byte, and no
    temporary file is left beside it;
  - QMP `migrate` (file-size limit only) fails, query-migrate says so,
    the guest runs on, and a later `migrate` where there is room works.
Usage: disk-full.py RIVET DEMO_ELF EXIT_CODE_ELF
"""
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile

from host_command import host_command, step_timeout
from qmp_machine import TIMEOUT, QEMUMonitorProtocol, RivetQmp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
from tap import Tap  # noqa: E402

RIVET, DEMO, EXIT_CODE = sys.argv[1:4]
LIMIT = 64 * 1024  # bytes; a snapshot of the demo is about 160 KiB
TAP = Tap()


def limit_file_size() -> None:
    """In the child: files may not grow past LIMIT; writes past it fail
    with EFBIG instead of killing the process."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def save_refused(directory: str, how: str, reason: str, preexec=None) -> None:
    target = os.path.join(directory, "snap")
    # An older snapshot, small enough for the tmpfs: only its bytes matter.
    older = b"an older snapshot the failed save must not replace\n"
    with open(target, "wb") as f:
        f.write(older)
    p = subprocess.run(host_command([RIVET, "-serial", "null", "-bios", DEMO,
                                     "-save-at", f"5000,file:{target}"]),
                       capture_output=True, text=True, preexec_fn=preexec,
                       timeout=step_timeout(TIMEOUT))
    want = f"rivet: cannot write snapshot '{target}': {reason}"
    TAP.check(p.returncode == 1 and p.stderr == want + "\n",
           f"{how}: -save-at exits 1 with one line naming the target",
           f"status {p.returncode}, stderr {p.stderr!r}, wanted {want!r}")
    with open(target, "rb") as f:
        TAP.check(f.read() == older, f"{how}: the older snapshot is unchanged")
    left = sorted(os.listdir(directory))
    TAP.check(left == ["snap"], f"{how}: nothing left beside it", f"found {left}")


def migrate_fails_then_works(directory: str) -> None:
    big = os.path.join(directory, "migrate-too-big")
    later = os.path.join(directory, "migrate-later")
    # The guest waits for its input line meanwhile.  The limit is the
    # process's, so "room again" is a second process without it.
    with RivetQmp(RIVET, ["-serial", "null", "-bios", EXIT_CODE],
                  preexec_fn=limit_file_size) as vm:
        qmp = vm.connect()
        rsp = qmp.cmd_obj({"execute": "migrate", "arguments": {"uri": f"file:{big}"}})
        info = qmp.cmd("query-migrate")
        TAP.check(info.get("status") == "failed"
               and "File too large" in info.get("error-desc", ""),
               "migrate to a full disk: query-migrate says failed, and why",
               f"migrate answered {rsp}, query-migrate {info}")
        TAP.check(not os.path.exists(big) and os.listdir(directory) == [],
               "migrate to a full disk: no file left", f"{os.listdir(directory)}")
        st = qmp.cmd("query-status")
        TAP.check(st["status"] == "running", "the guest runs on", f"{st}")
        qmp.cmd("quit")
        code, _, err = vm.finish()
        TAP.check(code == 0 and err == "", "quit after the failure exits 0",
               f"status {code}, stderr {err!r}")
    with RivetQmp(RIVET, ["-serial", "null", "-bios", EXIT_CODE]) as vm:
        qmp = vm.connect()
        ok = qmp.cmd("migrate", uri=f"file:{later}") == {}
        info = qmp.cmd("query-migrate")
        TAP.check(ok and info.get("status") == "completed" and os.path.getsize(later) > LIMIT,
               "the same migrate with room completes", f"{info}")
        qmp.cmd("quit")
        vm.finish()


def tiny_tmpfs_refuses(parent: str) -> None:
    mnt = os.path.join(parent, "tiny")
    os.mkdir(mnt)
    if os.geteuid() != 0:
        print("# skip the tmpfs case: mounting needs root")
        return
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", mnt],
                       capture_output=True, text=True)
    if m.returncode != 0:
        print(f"# skip the tmpfs case: {m.stderr.strip()}")
        return
    try:
        save_refused(mnt, "a full tmpfs", "No space left on device")
    finally:
        subprocess.run(["umount", mnt], check=False)


def main() -> int:
    if QEMUMonitorProtocol is None:  # pinned in requirements.txt
        print("1..0 # SKIP qemu.qmp is not installed (pip install -r requirements.txt)")
        return 0
    with tempfile.TemporaryDirectory(prefix="rivet-disk-full-") as tmp:
        limited = os.path.join(tmp, "limited")
        os.mkdir(limited)
        save_refused(limited, "a file-size limit", "File too large", limit_file_size)
        migrating = os.path.join(tmp, "migrating")
        os.mkdir(migrating)
        migrate_fails_then_works(migrating)
        tiny_tmpfs_refuses(tmp)
    return TAP.finish()


if __name__ == "__main__":
    sys.exit(main())
