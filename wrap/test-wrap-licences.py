#!/usr/bin/env python3
"""Tests of `rivet-wrap licences`, the licence manifest (TAP).

A made-up workspace: a member that links foo (which links bar and has the
build.rs dependency bld, and winonly on Windows only, which Meson never
unpacks) and uses a proc-macro member (which uses pm), and a
dev-dependency devonly.  The manifest lists foo and bar as linked, pm as
run while building, and none of bld, winonly, devonly; each row has the version,
the SPDX expression and Cargo.lock's checksum.  A crate with no licence, or
one the allow-list does not allow, is one line naming it and no manifest.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

TOOL = Path(__file__).resolve().parent / "rivet-wrap"
results = []

CRATES = {  # name: (version, licence, dependencies)
    "foo": ("1.0.0", "MIT/Apache-2.0", '[dependencies.bar]\nversion = "2"\n'
                                        '[build-dependencies.bld]\nversion = "0.1"\n'
                                        '[target."cfg(windows)".dependencies.winonly]\nversion = "1"\n'),
    "bar": ("2.0.0", "(MIT OR Apache-2.0) AND Unicode-3.0", ""),
    "bld": ("0.1.0", "GPL-3.0-only", ""),
    "pm": ("1.0.0", "GPL-2.0-only OR MIT", ""),
    "devonly": ("1.0.0", "GPL-3.0-only", ""),
    "winonly": ("1.0.0", "GPL-3.0-only", ""),
}
# Crates a Linux build never compiles: not unpacked in subprojects/.
NOT_UNPACKED = {"winonly"}


def ok(cond, name, detail=""):
    results.append(cond)
    print(f"{'ok' if cond else 'not ok'} {len(results)} - {name}")
    if not cond and detail:
        print("# " + detail.replace("\n", "\n# "))


def checksum(name):
    return (name.encode().hex() * 64)[:64]


def workspace(tmp: Path, licences: dict) -> Path:
    root = tmp / "ws"
    (root / "app").mkdir(parents=True)
    (root / "mac").mkdir()
    (root / "Cargo.toml").write_text('[workspace]\nmembers = ["app", "mac"]\n')
    (root / "app" / "Cargo.toml").write_text(
        '[package]\nname = "app"\nversion = "0.1.0"\n'
        '[dependencies]\nfoo = "1"\nmac = { path = "../mac" }\n[dev-dependencies]\ndevonly = "1"\n')
    (root / "mac" / "Cargo.toml").write_text(
        '[package]\nname = "mac"\nversion = "0.1.0"\n[lib]\nproc-macro = true\n[dependencies]\npm = "1"\n')
    lock = ('version = 4\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n'
            'dependencies = ["devonly", "foo", "mac"]\n\n'
            '[[package]]\nname = "mac"\nversion = "0.1.0"\ndependencies = ["pm"]\n')
    deps = {"foo": '["bar", "bld", "winonly"]'}
    for name, (version, _, manifest_deps) in CRATES.items():
        lock += (f'\n[[package]]\nname = "{name}"\nversion = "{version}"\n'
                 f'source = "registry+https://github.com/rust-lang/crates.io-index"\n'
                 f'checksum = "{checksum(name)}"\n')
        if name in deps:
            lock += f"dependencies = {deps[name]}\n"
        if name in NOT_UNPACKED:
            continue
        crate = root / "subprojects" / f"{name}-{version}"
        crate.mkdir(parents=True)
        licence = licences.get(name, CRATES[name][1])
        licence_line = f'license = "{licence}"\n' if licence else 'license-file = "LICENSE"\n'
        lib = "[lib]\nproc-macro = true\n" if name == "pm" else ""
        (crate / "Cargo.toml").write_text(f'[package]\nname = "{name}"\nversion = "{version}"\n'
                                          f"{licence_line}{lib}{manifest_deps}")
    (root / "Cargo.lock").write_text(lock)
    return root


def run(root: Path):
    out = root / "licences.tsv"
    p = subprocess.run([sys.executable, str(TOOL), "licences", "--root", str(root), "--output", str(out)],
                       capture_output=True, text=True)
    return p, out


def main():
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        root = workspace(tmp / "good", {})
        p, out = run(root)
        ok(p.returncode == 0, "allowed licences: exit 0", p.stderr)
        rows = [line.split("\t") for line in out.read_text().splitlines()] if out.is_file() else []
        ok(rows[:1] == [["crate", "version", "license", "sha256", "use"]], "a header row", str(rows[:1]))
        by_name = {r[0]: r for r in rows[1:]}
        ok(sorted(by_name) == ["bar", "foo", "pm"],
           "linked crates and proc-macros listed; build.rs, Windows-only and dev dependencies not", str(sorted(by_name)))
        ok(by_name.get("foo") == ["foo", "1.0.0", "MIT OR Apache-2.0", checksum("foo"), "linked"],
           "a row: crate, version, SPDX expression (old / form as OR), Cargo.lock checksum, use",
           str(by_name.get("foo")))
        ok(by_name.get("bar", [""])[-1] == "linked" and by_name.get("pm", [""])[-1] == "build",
           "a dependency of a linked crate is linked; a proc-macro is build", str(rows))

        for label, licences, message in [
            ("disallowed", {"bar": "MIT AND GPL-2.0-only"},
             "crate bar 2.0.0 is licensed MIT AND GPL-2.0-only, which licences-allowed.txt does not allow"),
            ("missing", {"foo": ""}, "crate foo 1.0.0 states no SPDX licence"),
            ("proc-macro", {"pm": "GPL-3.0-only"}, "crate pm 1.0.0 is licensed GPL-3.0-only"),
            ("unparsable", {"bar": "MIT OR (Apache-2.0"}, "crate bar 2.0.0: licence unbalanced"),
        ]:
            root = workspace(tmp / label, licences)
            p, out = run(root)
            lines = p.stderr.strip().splitlines()
            ok(p.returncode == 1 and len(lines) == 1 and message in lines[0] and not out.exists(),
               f"{label} licence: one line naming the crate, no manifest", p.stderr)
    print(f"1..{len(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
