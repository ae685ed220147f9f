#!/usr/bin/env python3
"""-save-at replaces only regular files, and only from the point asked.

The snapshot is written to a temporary file that is renamed over the
target, which would replace whatever the target is.  So a target that
exists and is not a regular file is refused before the guest runs, with
one line and exit status 1, and stays as it was: a FIFO, a directory, a
symbolic link (to a regular file, whose content stays too) and a dangling
symbolic link, all made in a temporary directory.  A regular file is
replaced.  -save-at N on a snapshot that resumes after N instructions is
refused as well; N equal to the resume point saves at once.
Usage: save-at-target.py RIVET
"""
import os
import pathlib
import re
import stat
import subprocess
import sys
import tempfile

from host_command import host_command

SAVE_POINT = 2000


def rivet(rivet_path: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(host_command([rivet_path, "-serial", "null", *args]),
                          capture_output=True, text=True, timeout=60)


def main() -> int:
    rivet_path = sys.argv[1]
    failures = []

    def refused(proc, pattern, what):
        lines = proc.stderr.splitlines()
        if proc.returncode != 1 or len(lines) != 1 or not re.search(pattern, lines[0]):
            failures.append(f"{what}: exit {proc.returncode}, stderr {proc.stderr!r}")

    with tempfile.TemporaryDirectory(prefix="rivet-save-at-") as tmp:
        d = pathlib.Path(tmp)
        fifo = d / "fifo"
        os.mkfifo(fifo)
        directory = d / "dir"
        directory.mkdir()
        real = d / "real"
        real.write_text("the file the link names\n")
        link = d / "link"
        link.symlink_to(real)
        dangling = d / "dangling"
        dangling.symlink_to(d / "nothing-here")

        for target, kind in [(fifo, "a FIFO"), (directory, "a directory"),
                             (link, "a symbolic link"), (dangling, "a symbolic link")]:
            proc = rivet(rivet_path, "-save-at", f"{SAVE_POINT},file:{target}")
            refused(proc, rf"^rivet: -save-at {SAVE_POINT},file:{re.escape(str(target))}: "
                    rf"'{re.escape(str(target))}' exists and is not a regular file "
                    rf"\({kind}\); refusing to replace it with a snapshot$", target.name)
        if not stat.S_ISFIFO(os.lstat(fifo).st_mode):
            failures.append("the FIFO was replaced")
        if not directory.is_dir() or any(directory.iterdir()):
            failures.append("the directory was changed")
        if not link.is_symlink() or os.readlink(link) != str(real):
            failures.append("the symbolic link was replaced")
        if real.read_text() != "the file the link names\n":
            failures.append("the file behind the symbolic link was written")
        if not dangling.is_symlink() or (d / "nothing-here").exists():
            failures.append("the dangling link was replaced or followed")

        # A regular file is replaced by the snapshot.
        snap = d / "snap"
        snap.write_text("old")
        proc = rivet(rivet_path, "-save-at", f"{SAVE_POINT},file:{snap}")
        if proc.returncode != 0 or not snap.read_bytes().startswith(b"QEVM"):
            failures.append(f"regular file: exit {proc.returncode}, {proc.stderr!r}")

        # A point before the snapshot's own is refused; nothing is written.
        early = d / "early"
        proc = rivet(rivet_path, "-incoming", f"file:{snap}",
                     "-save-at", f"100,file:{early}")
        refused(proc, rf"^rivet: -save-at 100,file:{re.escape(str(early))}: the snapshot "
                rf"{re.escape(str(snap))} resumes after {SAVE_POINT} instructions, "
                r"past the point to save at$", "-save-at before the resume point")
        if early.exists():
            failures.append("-save-at before the resume point created its file")
        # The resume point itself is a valid point: saved at once.
        proc = rivet(rivet_path, "-incoming", f"file:{snap}",
                     "-save-at", f"{SAVE_POINT},file:{early}")
        if proc.returncode != 0 or early.read_bytes() != snap.read_bytes():
            failures.append(f"-save-at at the resume point: exit {proc.returncode}, "
                            f"{proc.stderr!r}")
        leftovers = [p.name for p in d.iterdir() if ".tmp" in p.name]
        if leftovers:
            failures.append(f"temporary files left: {leftovers}")

    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
