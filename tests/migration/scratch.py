"""A scratch directory for a test's files, removed when the test exits
(however it exits), so test runs leave nothing in /tmp: packagers run the
suite on their build machines."""
import atexit
import os
import shutil
import tempfile


def scratch_dir(prefix: str, in_memory: bool = False) -> str:
    """in_memory: on /dev/shm where there is one, for tests that save
    many snapshots (rivet syncs each to disk, about 50 ms on a busy disk)."""
    where = "/dev/shm" if in_memory and os.access("/dev/shm", os.W_OK) else None
    path = tempfile.mkdtemp(prefix=prefix, dir=where)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path
