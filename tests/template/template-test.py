#!/usr/bin/env python3
"""Test (TAP): scripts/new-device makes devices that build, pass their
tests and touch nothing outside their folders but their board line.

In a scratch copy of the source tree (SCRATCH/src, kept between runs with
its own build directory SCRATCH/src/build, so after the first run the
build is incremental) it makes one device of each --lang and a Rust I2C target (--bus i2c), then
checks:
  - the files changed outside the new folders are exactly the board table
    (one VIRT_DEVICE or VIRT_I2C_TARGET line per device) and the generated files no person
    edits: hw/devices.list and Cargo.lock;
  - bad input (a taken name, a name that is not an identifier, an unknown
    class or language, a board with no free slot or PLIC source) gives one
    line on stderr and changes no file;
  - the scratch tree builds, and each new device's tests pass: C and Rust
    unit tests, firmware blob, functional test, migration determinism
    (across the twins for a twin), the twin and probe twin checks, the
    device list, clang-format; rustfmt and clippy accept the generated Rust.
At the end the scratch tree is put back as the source tree has it.

Usage: template-test.py SOURCE_DIR SCRATCH_DIR
"""
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
from tap import Tap  # noqa: E402

DEVICES = [("tplc", "c", "misc"), ("tplrust", "rust", "timer"), ("tpltwin", "twin", "char"),
           ("tpli2c", "rust", "gpio")]
# More new-device arguments of a device; its board line starts with the
# list's macro.
DEVICE_ARGS = {"tpli2c": ["--bus", "i2c"]}
BOARD_MACRO = {"tpli2c": "VIRT_I2C_TARGET("}
GENERATED = {"hw/devices.list", "Cargo.lock"}
BOARD = "include/machine/virt-board.h"
BAD_INPUT = [
    (["pl011", "--lang", "c"], "is taken"),
    (["virt", "--lang", "c"], "is taken"),  # the machine's QOM type
    (["Not-C", "--lang", "c"], "is not a usable device name"),
    (["tplbad", "--lang", "c", "--class", "nosuch"], "unknown --class"),
    (["tplbad", "--lang", "go"], "unknown --lang"),
    (["tplbad", "--lang", "c", "--bus", "i2c"], "makes a Rust target only"),
    (["tplbad", "--lang", "rust", "--bus", "spi"], "unknown --bus"),
    (["tplbad", "--lang", "rust", "--bus", "i2c", "--address", "0x50"], "is taken"),
    (["tplbad", "--lang", "rust", "--bus", "i2c", "--address", "0x78"], "not a usable 7-bit"),
    (["tplbad", "--lang", "rust", "--bus", "i2c", "--address", "twenty"], "is not a number"),
]

tap = Tap()
report = tap.check


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def snapshot(tree):
    """Relative path -> content hash of every file but the build's."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(tree):
        rel_dir = os.path.relpath(dirpath, tree)
        dirnames[:] = [d for d in dirnames if not (rel_dir == "." and d in ("build", "target", ".git"))]
        # Meson extracts crates into subprojects/ whenever it reconfigures
        # (after a Cargo.lock change, say): build output, ignored by git
        # like everything there but the committed packagefiles/.
        if rel_dir == "subprojects":
            dirnames[:] = [d for d in dirnames if d == "packagefiles"]
            continue
        for f in filenames:
            path = os.path.join(dirpath, f)
            if os.path.islink(path):
                continue
            with open(path, "rb") as fh:
                state[os.path.normpath(os.path.join(rel_dir, f))] = hashlib.sha256(fh.read()).hexdigest()
    return state


def reset_scratch(bench, source, src):
    """The scratch tree as the source tree has it: copied files, and no
    device folder the source does not have."""
    for name, _, cls in DEVICES:
        shutil.rmtree(os.path.join(src, "hw", cls, name), ignore_errors=True)
    bench.sync_tree(source, src)
    for rel in [BOARD] + sorted(GENERATED):
        if os.path.exists(os.path.join(source, rel)):
            shutil.copy2(os.path.join(source, rel), os.path.join(src, rel))


def run(cmd, cwd, env=None, timeout=3600):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=timeout)


def main():
    source, scratch = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    src = os.path.join(scratch, "src")
    build = os.path.join(src, "build")
    bench = load(os.path.join(source, "scripts", "bench.py"), "bench")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESON")}
    venv_bin = os.path.join(source, ".venv", "bin")
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    meson = shutil.which("meson", path=env["PATH"])
    ninja = shutil.which("ninja", path=env["PATH"])
    tap.plan(len(BAD_INPUT) + 2 + len(DEVICES) + 5)

    reset_scratch(bench, source, src)
    if not os.path.isfile(os.path.join(build, "build.ninja")):
        print(f"# building the scratch copy in {scratch} once (minutes)")
        proc = run([meson, "setup", "--wrap-mode=nodownload", build, src], src, env)
        if proc.returncode != 0:
            report(False, "the scratch copy configures", proc.stdout + proc.stderr)
            return 1
    before = snapshot(src)

    for args, message in BAD_INPUT:
        proc = run([sys.executable, "scripts/new-device"] + args, src, env)
        lines = proc.stderr.strip().splitlines()
        ok = (proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("rivet: ")
              and message in lines[0] and snapshot(src) == before)
        report(ok, f"new-device {' '.join(args)}: one line, nothing changed",
               proc.stdout + proc.stderr)

    # A full board: the slots region taken by one wide window, or every
    # PLIC source by a line of its own (the script reads only the table).
    board_path = os.path.join(src, BOARD)
    with open(board_path, encoding="utf-8") as f:
        board_text = f.read()
    full_boards = [
        ("no free slot", "VIRT_DEVICE(WIDE, wide, \"wide\", C, 0x10003000, 0x000fd000, 0)\n",
         "no free 4 KiB slot"),
        ("no free PLIC source", "".join(
            f"VIRT_DEVICE(S{n}, s{n}, \"s{n}\", C, 0x{0x20000000 + n * 0x1000:08x}, 0x00001000, {n})\n"
            for n in range(1, 32)), "no free PLIC source"),
    ]
    for what, lines, message in full_boards:
        with open(board_path, "w", encoding="utf-8") as f:
            f.write(board_text.replace("/* clang-format on */", lines + "/* clang-format on */"))
        full = snapshot(src)
        proc = run([sys.executable, "scripts/new-device", "tplbad", "--lang", "c"], src, env)
        lines_out = proc.stderr.strip().splitlines()
        ok = (proc.returncode == 1 and len(lines_out) == 1 and message in lines_out[0]
              and snapshot(src) == full)
        with open(board_path, "w", encoding="utf-8") as f:
            f.write(board_text)
        report(ok, f"new-device on a board with {what}: one line, nothing changed",
               proc.stdout + proc.stderr)

    for name, lang, cls in DEVICES:
        proc = run([sys.executable, "scripts/new-device", name, "--lang", lang,
                    "--class", cls] + DEVICE_ARGS.get(name, []), src, env)
        report(proc.returncode == 0, f"new-device {name} --lang {lang} --class {cls}",
               proc.stdout + proc.stderr)

    after = snapshot(src)
    folders = tuple(f"hw/{cls}/{name}/" for name, _, cls in DEVICES)
    outside = sorted(p for p in set(before) | set(after)
                     if before.get(p) != after.get(p) and not p.startswith(folders))
    unexpected = [p for p in outside if p != BOARD and p not in GENERATED]
    with open(os.path.join(source, BOARD), encoding="utf-8") as f:
        old = f.read().splitlines()
    with open(os.path.join(src, BOARD), encoding="utf-8") as f:
        new = f.read().splitlines()
    added = [line for line in new if line not in old]
    board_ok = (len(new) == len(old) + len(DEVICES) and len(added) == len(DEVICES)
                and all(any(line.startswith(BOARD_MACRO.get(name, "VIRT_DEVICE(") + name.upper() + ",")
                            for line in added) for name, _, _ in DEVICES))
    report(not unexpected and board_ok,
           f"outside the new folders only the board ({len(added)} lines) and generated "
           f"files changed: {', '.join(outside)}",
           "unexpected: " + " ".join(unexpected) if unexpected else "\n".join(added))

    proc = run([ninja, "-C", build], src, env)
    report(proc.returncode == 0, "the scratch tree builds with the new devices",
           proc.stdout[-4000:] + proc.stderr)

    tests = ["device-list", "clang-format", "probes-twins", "probes-notes"]
    for name, lang, _ in DEVICES:
        tests += [name, f"blob-{name}", f"determinism-{name}"]
        if lang in ("c", "twin"):
            tests.append(f"hw-{name}")
        if lang in ("rust", "twin"):
            tests += [f"rust-{name}", f"determinism-{name}-rust"]
        if lang == "twin":
            tests += [f"twin-{name}", f"{name}-c-twin", f"determinism-{name}-c-to-rust",
                      f"determinism-{name}-rust-to-c"]
    # Under valgrind too, where it is installed.
    listed = run([meson, "test", "-C", build, "--no-rebuild", "--list"], src, env).stdout
    tests += [f"rust-{name}-leaks" for name, lang, _ in DEVICES
              if lang != "c" and f"rivet:rust-{name}-leaks" in listed]
    proc = run([meson, "test", "-C", build, "--no-rebuild", "--print-errorlogs"] + tests,
               src, env)
    report(proc.returncode == 0, f"the new devices' {len(tests)} tests pass",
           proc.stdout[-6000:] + proc.stderr)

    rust_files = [os.path.join(src, "hw", cls, name, "rust", "src", f)
                  for name, lang, cls in DEVICES if lang != "c"
                  for f in os.listdir(os.path.join(src, "hw", cls, name, "rust", "src"))]
    rustfmt = shutil.which("rustfmt")
    if rustfmt:
        proc = run([rustfmt, "--check", "--edition", "2021"] + rust_files, src, env)
        report(proc.returncode == 0, "rustfmt accepts the generated Rust", proc.stdout + proc.stderr)
    else:
        report(True, "rustfmt accepts the generated Rust # SKIP no rustfmt")

    cargo = shutil.which("cargo")
    crates = [arg for name, lang, _ in DEVICES if lang != "c" for arg in ("-p", name)]
    if cargo:
        proc = run([cargo, "clippy", "--offline"] + crates + ["--all-targets", "--", "-D", "warnings"],
                   src, dict(env, RIVET_BUILD_DIR=build))
        report(proc.returncode == 0, "clippy accepts the generated crates", proc.stderr[-4000:])
    else:
        report(True, "clippy accepts the generated crates # SKIP no cargo")

    reset_scratch(bench, source, src)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
