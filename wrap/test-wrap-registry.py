#!/usr/bin/env python3
"""Tests of `rivet-wrap fetch --registry` and `rivet-wrap vendor` (TAP).

A made-up project and a directory registry in Debian's layout
(REGISTRY/<name>-<version>/ with .cargo-checksum.json), built here: crates
land in subprojects/<name>-<version>/ with our packagefiles overlay applied;
a missing crate, a package checksum other than Cargo.lock's and a file that
does not match the checksum file are each one line naming the crate, with
nothing written.  `vendor` writes the same layout from cargo's cache.

With SOURCE_ROOT given (meson.build, Rust builds only),
also the real tree: a registry in Debian's layout made from the crates of
Cargo.lock (from the package cache, or a release tarball's vendor/) (Debian 12's librust-*-dev are too old to serve, docs/packaging.md),
then `meson setup -Dcrate_registry=` of a scratch copy configures with Rust,
and refuses, naming the crate, when the registry lacks one.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

TOOL = Path(__file__).resolve().parent / "rivet-wrap"
results = []


def ok(cond, name, detail=""):
    results.append(cond)
    print(f"{'ok' if cond else 'not ok'} {len(results)} - {name}")
    if not cond and detail:
        print("# " + detail.replace("\n", "\n# "))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def project(tmp: Path, crates) -> Path:
    root = tmp / "proj"
    (root / "subprojects" / "packagefiles" / "bar-0-rs" / "meson").mkdir(parents=True)
    (root / "subprojects" / "packagefiles" / "bar-0-rs" / "meson" / "meson.build").write_text("# overlay\n")
    lock = 'version = 4\n\n[[package]]\nname = "demo"\nversion = "0.1.0"\n'
    for name, version, checksum in crates:
        lock += (f'\n[[package]]\nname = "{name}"\nversion = "{version}"\n'
                 f'source = "registry+https://github.com/rust-lang/crates.io-index"\n'
                 f'checksum = "{checksum}"\n')
    (root / "Cargo.lock").write_text(lock)
    return root


def registry_crate(registry: Path, name: str, version: str, package: str, list_files: bool):
    """A crate as Debian's librust-*-dev ships it (files: {}), or as cargo
    vendor writes it (every file listed)."""
    d = registry / f"{name}-{version}"
    (d / "src").mkdir(parents=True)
    files = {"Cargo.toml": f'[package]\nname = "{name}"\nversion = "{version}"\n'.encode(),
             "src/lib.rs": f"//! {name}\n".encode()}
    for rel, data in files.items():
        (d / rel).write_bytes(data)
    listed = {rel: sha(data) for rel, data in files.items()} if list_files else {}
    (d / ".cargo-checksum.json").write_text(json.dumps({"files": listed, "package": package}))
    return d


def run(*args, env=None):
    return subprocess.run([sys.executable, str(TOOL)] + [str(a) for a in args],
                          capture_output=True, text=True, env=env)


def one_line(p, text):
    lines = p.stderr.strip().splitlines()
    return p.returncode == 1 and len(lines) == 1 and text in lines[0]


def made_up(tmp: Path):
    foo, bar = sha(b"foo crate"), sha(b"bar crate")
    crates = [("foo", "1.2.3", foo), ("bar", "0.0.5", bar)]

    def fresh(label):
        (tmp / label).mkdir()
        reg = tmp / label / "registry"
        registry_crate(reg, "foo", "1.2.3", foo, list_files=False)
        registry_crate(reg, "bar", "0.0.5", bar, list_files=True)
        return project(tmp / label, crates), reg

    root, reg = fresh("good")
    p = run("fetch", "--root", root, "--registry", reg)
    subs = root / "subprojects"
    ok(p.returncode == 0, "a Debian-layout registry: exit 0", p.stderr)
    lib = subs / "foo-1.2.3" / "src" / "lib.rs"
    ok(lib.is_file() and lib.read_text() == "//! foo\n",
       "crate copied to subprojects/<name>-<version>/")
    ok((subs / "bar-0.0.5" / "meson" / "meson.build").is_file(),
       "packagefiles overlay <name>-<api>-rs applied (0.0.x: api 0)")
    p = run("fetch", "--root", root, "--registry", reg)
    ok(p.returncode == 0 and "(0 new)" in p.stdout, "a second run rewrites nothing", p.stdout + p.stderr)

    root, reg = fresh("missing")
    shutil.rmtree(reg / "bar-0.0.5")
    p = run("fetch", "--root", root, "--registry", reg)
    ok(one_line(p, "crate bar 0.0.5 (Cargo.lock) is not in the registry"),
       "a missing crate: one line naming it", p.stderr)
    ok(not (root / "subprojects" / "foo-1.2.3").exists(), "nothing written when one crate is missing")

    root, reg = fresh("package")
    (reg / "foo-1.2.3" / ".cargo-checksum.json").write_text(json.dumps({"files": {}, "package": "0" * 64}))
    p = run("fetch", "--root", root, "--registry", reg)
    ok(one_line(p, "checksum mismatch for crate foo 1.2.3"), "another package checksum: one line", p.stderr)

    root, reg = fresh("tampered")
    (reg / "bar-0.0.5" / "src" / "lib.rs").write_text("// changed\n")
    p = run("fetch", "--root", root, "--registry", reg)
    ok(one_line(p, "checksum mismatch for crate bar 0.0.5"), "a changed file: one line naming the crate",
       p.stderr)
    ok(not (root / "subprojects" / "foo-1.2.3").exists(), "nothing written when a file does not match")

    # vendor: from a made-up cargo cache, the same layout cargo checks.
    (tmp / "vendor").mkdir()
    home = tmp / "vendor" / "cargo"
    cache = home / "registry" / "cache" / "index.crates.io-0000"
    cache.mkdir(parents=True)
    src = tmp / "vendor" / "foo-1.2.3"
    (src / "src").mkdir(parents=True)
    (src / "Cargo.toml").write_text('[package]\nname = "foo"\nversion = "1.2.3"\n')
    (src / "src" / "lib.rs").write_text("//! foo\n")
    subprocess.run(["tar", "-czf", str(cache / "foo-1.2.3.crate"), "-C", str(tmp / "vendor"), "foo-1.2.3"],
                   check=True)
    data = (cache / "foo-1.2.3.crate").read_bytes()
    root = project(tmp / "vendor", [("foo", "1.2.3", sha(data))])
    env = dict(os.environ, CARGO_HOME=str(home))
    out = tmp / "vendor" / "out"
    p = run("vendor", out, "--root", root, "--no-cargo", env=env)
    listed = json.loads((out / "foo-1.2.3" / ".cargo-checksum.json").read_text()) if p.returncode == 0 else {}
    ok(listed.get("package") == sha(data) and listed.get("files", {}).get("src/lib.rs") == sha(b"//! foo\n"),
       "vendor: unpacked crate with every file and the package checksum listed", p.stderr)
    root2 = project(tmp / "vendor" / "again", [("foo", "1.2.3", sha(data))])
    p = run("fetch", "--root", root2, "--registry", out)
    ok(p.returncode == 0, "fetch --registry takes what vendor wrote", p.stderr)
    bad = project(tmp / "vendor" / "bad", [("foo", "1.2.3", "0" * 64)])
    p = run("vendor", tmp / "vendor" / "out-bad", "--root", bad, "--no-cargo", env=env)
    ok(one_line(p, "checksum mismatch for crate foo 1.2.3") and not (tmp / "vendor" / "out-bad" / "foo-1.2.3").exists(),
       "vendor: a crate that does not match Cargo.lock is named, nothing written", p.stderr)


def scratch_copy(source: Path, dest: Path):
    """The source tree without build output, extracted crates or vendor/."""
    def ignore(directory, names):
        rel = Path(directory).relative_to(source).as_posix()
        skip = {".git", ".venv", "target", "vendor"} | {n for n in names if n.startswith("build")} \
            if rel == "." else set()
        if rel == "subprojects":
            skip |= {n for n in names if n != "packagefiles"}
        return skip
    shutil.copytree(source, dest, ignore=ignore, symlinks=True)


def real_tree(tmp: Path, source: Path):
    reg = tmp / "debian-registry"
    vendored = source / "vendor" / "crates"
    if vendored.is_dir():
        # A release tarball: no package cache, its crates are in vendor/.
        with open(source / "Cargo.lock", "rb") as f:
            lock = tomllib.load(f)["package"]
        for pkg in lock:
            if pkg.get("source"):
                shutil.copytree(vendored / f"{pkg['name']}-{pkg['version']}",
                                reg / f"{pkg['name']}-{pkg['version']}")
    else:
        p = run("vendor", reg, "--root", source, "--no-cargo")
        ok(p.returncode == 0, "a registry from the crates of Cargo.lock", p.stderr)
        if p.returncode != 0:
            return
    # Debian's librust-*-dev list no files, only the package checksum.
    for crate in reg.iterdir():
        listed = json.loads((crate / ".cargo-checksum.json").read_text())
        (crate / ".cargo-checksum.json").write_text(json.dumps({"package": listed["package"], "files": {}}))
    src = tmp / "src"
    scratch_copy(source, src)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESON")}
    env["PATH"] = str(source / ".venv" / "bin") + os.pathsep + env.get("PATH", "")
    meson = shutil.which("meson", path=env["PATH"])
    p = subprocess.run([meson, "setup", "--wrap-mode=nodownload", "-Drust=enabled",
                        f"-Dcrate_registry={reg}", str(tmp / "build"), str(src)],
                       capture_output=True, text=True, env=env)
    crates = sorted(c.name for c in reg.iterdir())
    stamped = all((src / "subprojects" / c / ".rivet-registry").is_file() for c in crates)
    ok(p.returncode == 0 and stamped, "meson setup -Dcrate_registry= configures with Rust from the registry",
       (p.stdout + p.stderr)[-3000:])
    shutil.rmtree(reg / "probe-0.5.2")
    p = subprocess.run([meson, "setup", "--reconfigure", "--wrap-mode=nodownload",
                        f"-Dcrate_registry={reg}", str(tmp / "build"), str(src)],
                       capture_output=True, text=True, env=env)
    error = [line for line in (p.stdout + p.stderr).splitlines() if "ERROR:" in line]
    ok(p.returncode != 0 and len(error) == 1 and "crate probe 0.5.2 (Cargo.lock) is not in the registry" in error[0],
       "a crate missing from the registry stops meson setup with one line naming it", (p.stdout + p.stderr)[-3000:])


def main():
    with tempfile.TemporaryDirectory() as t:
        made_up(Path(t))
        if len(sys.argv) > 1:
            real_tree(Path(t), Path(sys.argv[1]).resolve())
    print(f"1..{len(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
