#!/usr/bin/env python3
"""Tests of `rivet-wrap fetch` on a made-up project and cargo cache (TAP).

No network: --no-cargo makes the tool take crates from the CARGO_HOME given
here.  Checks that a good crate lands in subprojects/packagecache under
Meson's name, and that a crate whose bytes do not match Cargo.lock is a
one-line error naming it, with nothing copied.
"""
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TOOL = Path(__file__).resolve().parent / "rivet-wrap"
results = []


def ok(cond, name, detail=""):
    results.append(cond)
    print(f"{'ok' if cond else 'not ok'} {len(results)} - {name}")
    if not cond and detail:
        print("# " + detail.replace("\n", "\n# "))


def project(tmp: Path, checksum: str) -> Path:
    root = tmp / "proj"
    root.mkdir()
    (root / "Cargo.lock").write_text(f"""version = 4

[[package]]
name = "demo"
version = "0.1.0"

[[package]]
name = "foo"
version = "1.2.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "{checksum}"
""")
    return root


def run(root: Path, cargo_home: Path):
    env = dict(os.environ, CARGO_HOME=str(cargo_home))
    return subprocess.run([sys.executable, str(TOOL), "fetch", "--root", str(root), "--no-cargo"],
                          capture_output=True, text=True, env=env)


def main():
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        home = tmp / "cargo"
        cache = home / "registry" / "cache" / "index.crates.io-0000"
        cache.mkdir(parents=True)
        data = b"pretend crate contents\n"
        (cache / "foo-1.2.3.crate").write_bytes(data)
        good = hashlib.sha256(data).hexdigest()

        root = project(tmp, good)
        p = run(root, home)
        out = root / "subprojects" / "packagecache" / "foo-1.2.3.tar.gz"
        ok(p.returncode == 0, "good checksum: exit 0", p.stderr)
        ok(out.is_file() and out.read_bytes() == data, "crate copied to packagecache/<name>-<version>.tar.gz")
        ok(not (root / "subprojects" / "packagecache" / "demo-0.1.0.tar.gz").exists(),
           "workspace members are not fetched")

        (tmp / "bad").mkdir()
        root = project(tmp / "bad", "0" * 64)
        p = run(root, home)
        lines = p.stderr.strip().splitlines()
        ok(p.returncode == 1, "checksum mismatch: exit 1")
        ok(len(lines) == 1 and "checksum mismatch for crate foo 1.2.3" in lines[0],
           "one line naming the crate", p.stderr)
        ok(not (root / "subprojects" / "packagecache" / "foo-1.2.3.tar.gz").exists(),
           "nothing copied on mismatch")

        (tmp / "missing").mkdir()
        root = project(tmp / "missing", good)
        p = run(root, tmp / "empty-cargo-home")
        ok(p.returncode == 1 and "foo 1.2.3 is not in cargo's cache" in p.stderr,
           "a crate missing from the cache is named", p.stderr)
    print(f"1..{len(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
