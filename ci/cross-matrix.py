#!/usr/bin/env python3
"""The cross-compilation matrix behind `make check-cross [TARGETS="..."]`.

For each target (x86_64 natively, the others from ci/cross/<target>.ini):
  1. install what it needs when running as root: the cross gcc and libc,
     qemu-user, and for Rust Debian's rustc-web with the target's
     libstd-rust-web-dev:<arch> at the same version, or else a private
     sysroot: rustc-web and both std packages of bookworm main's version,
     fetched with `apt-get download` into ~/.cache/rivet-cross/;
  2. configure build-cross-<target> with Meson (-Drust=auto: the configure
     log says why Rust is off), build it, and time both;
  3. check the ELF machine of the emulator and of every build-machine
     library (the proc-macros must be x86-64);
  4. run the whole `meson test` suite; the cross files' exe_wrapper runs
     the target's binaries under qemu-user.
Then it prints one table and the line "N passed, N failed", which counts
every test run plus one check per target for "available" and for "ELF
machines".  A target whose packages cannot be installed (the mirror's lists
for its architecture are broken, say) is reported with apt's error and
counts as failed: never silently passed, never waited on forever.

Packages and architectures are read from the cross files ([properties]
deb_arch, [binaries] c/rust/exe_wrapper), so adding a target is adding its
.ini (docs/cross.md).  The MSRV row ("msrv") is the x86_64 build with
Debian's older rustc-web (ci/msrv-version); the newer one is put back after.
"""
import argparse
import ast
import configparser
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
CROSS_DIR = ROOT / "ci" / "cross"
NATIVE_FILE = CROSS_DIR / "native.ini"
MESON = [str(ROOT / ".venv" / "bin" / "meson")]
# Targets in table order; "msrv" is the x86_64 build with the MSRV rustc.
ALL_TARGETS = ["x86_64", "aarch64", "armhf", "i686", "ppc64le", "s390x",
               "mips64el", "msrv"]
# ELF e_machine for Meson's cpu_family names (ELF specification).
ELF_MACHINE = {"x86_64": 62, "aarch64": 183, "arm": 40, "x86": 3,
               "ppc64": 21, "s390x": 22, "mips64": 8}
APT_OPTS = ["-o", "DPkg::Lock::Timeout=120", "-o", "Acquire::Retries=1",
            "-o", "Acquire::http::Timeout=30", "-o", "Acquire::https::Timeout=30"]
APT_TIMEOUT = 900      # seconds for one apt-get run
# On 2 cores shared with other builds (load ~60), a Rust row took 15 min to
# build and its tests more than 30 min under qemu-user (docs/cross.md).
BUILD_TIMEOUT = 3600   # configure, and then the build
TEST_TIMEOUT = 5400    # the whole meson test run
TIMEOUT_MULTIPLIER = 10  # of each test's Meson timeout, for every row


def log(msg: str) -> None:
    print(f"check-cross: {msg}", flush=True)


# ---------------------------------------------------------------- cross files
def _value(node: ast.AST, consts: dict):
    """Evaluates a machine-file value: strings, lists, booleans, numbers,
    names of [constants] and '+' between them (Meson's own syntax)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in ("true", "false"):
            return node.id == "true"
        return consts[node.id]
    if isinstance(node, ast.List):
        return [_value(e, consts) for e in node.elts]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _value(node.left, consts) + _value(node.right, consts)
    raise ValueError(f"unsupported machine-file expression: {ast.dump(node)}")


def read_machine_file(path: pathlib.Path) -> dict:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path)
    consts: dict = {}
    result: dict = {}
    for section in ["constants"] + [s for s in parser.sections() if s != "constants"]:
        if not parser.has_section(section):
            continue
        values = {}
        for key, raw in parser.items(section):
            values[key] = _value(ast.parse(raw.strip(), mode="eval").body, consts)
            if section == "constants":
                consts[key] = values[key]
        result[section] = values
    return result


class Target:
    """One row of the matrix and what it needs."""

    def __init__(self, name: str):
        self.name = name
        self.native = name in ("x86_64", "msrv")
        self.build_dir = ROOT / f"build-cross-{name}"
        self.notes: list[str] = []
        self.extra_cross_files = []
        self.extra_native_files = []
        if self.native:
            self.cross_file = None
            self.deb_arch = "amd64"
            self.triple = "x86_64-linux-gnu"
            self.cpu_family, self.endian = "x86_64", "little"
            self.c_packages = ["gcc", "libc6-dev"]
            self.strip = "strip"
            self.rust_std_missing = ""
            return
        self.cross_file = CROSS_DIR / f"{name}.ini"
        if not self.cross_file.exists():
            known = sorted(p.stem for p in CROSS_DIR.glob("*.ini") if p.stem != "native")
            raise SystemExit(f"check-cross: unknown target '{name}' (known: x86_64 msrv {' '.join(known)})")
        mf = read_machine_file(self.cross_file)
        props, binaries, host = mf.get("properties", {}), mf["binaries"], mf["host_machine"]
        self.deb_arch = props["deb_arch"]
        self.triple = binaries["c"].removesuffix("-gcc")
        self.cpu_family, self.endian = host["cpu_family"], host["endian"]
        wrapper = binaries["exe_wrapper"]
        qemu = wrapper[0] if isinstance(wrapper, list) else wrapper
        self.c_packages = [f"gcc-{self.triple}", f"libc6-dev-{self.deb_arch}-cross",
                           "qemu-user" if qemu.startswith("qemu-") else qemu]
        self.strip = binaries.get("strip", f"{self.triple}-strip")
        # Set in the cross file of a target Debian 12 has no Rust std for:
        # the matrix then installs none and expects a C-only build.
        self.rust_std_missing = props.get("rust_std_missing", "")
        rust = binaries.get("rust", [])
        self.rust_target = rust[rust.index("--target") + 1] if "--target" in rust else ""
        # Machine files that override the rust binary (a private toolchain).
        self.extra_cross_files: list[pathlib.Path] = []
        self.extra_native_files: list[pathlib.Path] = []


# ----------------------------------------------------------------- packages
def run(cmd, timeout, **kw) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, 124, "", f"timed out after {timeout}s: {' '.join(cmd)}")


APT_LOCK_WAIT = 600    # seconds apt-get waits for another apt's lock, in all


def run_apt(cmd, **kw) -> subprocess.CompletedProcess:
    """apt-get, waiting while another apt holds a lock: DPkg::Lock::Timeout
    covers dpkg's lock, not the lists' one `apt-get update` takes, and
    other builds on this machine run apt too."""
    deadline = time.monotonic() + APT_LOCK_WAIT
    while True:
        r = run(cmd, APT_TIMEOUT, **kw)
        if "Could not get lock" not in r.stdout + r.stderr or time.monotonic() > deadline:
            return r
        time.sleep(10)


def installed_version(pkg: str) -> str:
    r = run(["dpkg-query", "-W", "-f=${Status}\t${Version}", pkg], 60)
    status, _, version = r.stdout.partition("\t")
    return version if r.returncode == 0 and status.endswith(" installed") else ""


def apt_errors(text: str) -> str:
    """apt's error lines, one line."""
    lines = [l.strip() for l in text.splitlines() if l.startswith(("E:", "Err:"))]
    if lines:
        return " | ".join(lines)[:600]
    return text.strip().splitlines()[-1][:600] if text.strip() else "apt failed"


def can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


class Apt:
    """apt-get, restricted per target to amd64 plus that target's
    architecture: apt commits a release's index files all or nothing, so one
    architecture's broken lists would otherwise hide every other's."""

    def __init__(self):
        self.updated: dict[str, str] = {}  # arch -> error ('' when fine)

    def _arch_opts(self, arch: str) -> list[str]:
        archs = "amd64" if arch == "amd64" else f"amd64,{arch}"
        return ["-o", f"APT::Architectures={archs}"]

    def update(self, arch: str) -> str:
        if arch not in self.updated:
            log(f"apt-get update for {arch}")
            r = run_apt(["apt-get", "update"] + APT_OPTS + self._arch_opts(arch))
            out = r.stdout + r.stderr
            bad = [l for l in out.splitlines()
                   if l.startswith(("E:", "Err:")) and (f"binary-{arch}/" in l or f" {arch} " in l
                                                        or r.returncode != 0)]
            self.updated[arch] = apt_errors("\n".join(bad)) if bad or r.returncode != 0 else ""
        return self.updated[arch]

    def install(self, arch: str, pkgs: list[str], downgrade=False) -> str:
        """Installs pkgs; returns '' or apt's error."""
        if not pkgs:
            return ""
        if not can_install():
            return f"not root, cannot install {' '.join(pkgs)}"
        error = self.update(arch)
        if error:
            return f"apt-get update for {arch}: {error}"
        log(f"apt-get install {' '.join(pkgs)}")
        extra = ["--allow-downgrades"] if downgrade else []
        r = run_apt(["apt-get", "install", "-y", "-q", "--no-install-recommends"] + extra
                    + APT_OPTS + self._arch_opts(arch) + pkgs,
                    env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        return "" if r.returncode == 0 else apt_errors(r.stdout + r.stderr)


def ensure_foreign_arch(arch: str) -> str:
    if arch == "amd64":
        return ""
    have = run(["dpkg", "--print-foreign-architectures"], 60).stdout.split()
    if arch in have:
        return ""
    if not can_install():
        return f"not root, cannot add the {arch} architecture"
    r = run(["dpkg", "--add-architecture", arch], 60)
    return "" if r.returncode == 0 else r.stderr.strip()


def prepare(t: Target, apt: Apt, rustc_version: str) -> tuple[str, str]:
    """Installs what t needs.  Returns (unavailable, rust_note): unavailable
    is apt's error when the target cannot be built as intended."""
    missing = [p for p in t.c_packages if not installed_version(p)]
    error = apt.install("amd64", missing)
    if error:
        return f"C toolchain: {error}", ""
    if not t.native:
        # Optional: without sys/sdt.h the build has the log backend only
        # and the USDT tests skip, saying so.
        sdt = f"systemtap-sdt-dev:{t.deb_arch}"
        if not installed_version(sdt):
            error = ensure_foreign_arch(t.deb_arch) or apt.install(t.deb_arch, [sdt])
            if error:
                private_error = use_private_dev_packages(t, ["systemtap-sdt-dev"])
                if private_error:
                    t.notes.append(f"no USDT probes: {sdt}: {error}; private sysroot: {private_error}")
                else:
                    t.notes.append(f"sys/sdt.h from a private sysroot: {sdt}: {error}")
        # Required: QObject (core/qobject) reads and writes JSON with
        # jansson; the target's multiarch library, found without pkg-config.
        jansson = f"libjansson-dev:{t.deb_arch}"
        if not installed_version(jansson):
            error = ensure_foreign_arch(t.deb_arch) or apt.install(t.deb_arch, [jansson])
            if error:
                # The runtime library too: apt-get download takes no
                # dependencies, and the tests run the emulator.
                private_error = use_private_dev_packages(t, ["libjansson-dev", "libjansson4"])
                if private_error:
                    return (f"jansson (QObject's JSON): {jansson}: {error}; "
                            f"private sysroot: {private_error}", "")
                t.notes.append(f"jansson from a private sysroot: {jansson}: {error}")
    if t.rust_std_missing:
        return "", t.rust_std_missing
    if not rustc_version:
        return "Rust: rustc-web is not installed and could not be", ""
    # The machine files link Rust executables with lld (see native.ini).
    error = apt.install("amd64", [] if installed_version("lld") else ["lld"])
    if error:
        return f"Rust: lld: {error}", ""
    std = f"libstd-rust-web-dev:{t.deb_arch}"
    if installed_version(std) == rustc_version:
        return "", ""
    error = ensure_foreign_arch(t.deb_arch) or apt.install(t.deb_arch, [f"{std}={rustc_version}"])
    if not error:
        return "", ""
    # No std of /usr/bin/rustc's version for this architecture (broken
    # lists, or a rustc-web the archive builds for fewer architectures):
    # use a private rustc with the std of the same older version instead.
    private_error = use_private_rust(t, private_rust_version())
    if private_error:
        return (f"Rust std {std}={rustc_version}: {error}; private sysroot: {private_error}", "")
    t.notes.append(f"Rust {private_rust_version()} from a private sysroot "
                   f"({PRIVATE_RUST_DIR}/): {std}={rustc_version}: {error}")
    return "", ""


# ------------------------------------------------------ private Rust sysroot
# A host rustc-web and the target's std of one version, downloaded with
# `apt-get download` (no install, no dpkg database) and unpacked with
# dpkg-deb -x into ~/.cache/rivet-cross/, when the machine cannot install the
# target's libstd-rust-web-dev at /usr/bin/rustc's version.
# Outside the source tree (RIVET_CROSS_CACHE sets another place): Meson
# puts rustc's target libdir in the RUNPATH of the Rust programs it links,
# and a toolchain unpacked in the tree made rivet name the tree (the
# build-paths test failed on the ppc64le row).
PRIVATE_RUST_DIR = pathlib.Path(
    os.environ.get("RIVET_CROSS_CACHE")
    or pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "rivet-cross")


def private_rust_version() -> str:
    """The version of the private toolchain: bookworm main's rustc-web (the
    MSRV's, ci/msrv-version), built for every Rust target of the matrix;
    RIVET_CROSS_RUST_VERSION overrides it (an unknown version shows how a
    target without any std falls back)."""
    return os.environ.get("RIVET_CROSS_RUST_VERSION") or msrv_version()


def apt_download(arch: str, pkgs: list[str], dest: pathlib.Path) -> str:
    """Downloads pkgs into dest with private package lists for amd64 and
    arch (the machine's sources; its apt state is not touched).  Returns ''
    or apt's error."""
    state = PRIVATE_RUST_DIR / f"apt-{arch}"
    for d in (state / "lists" / "partial", state / "archives" / "partial", dest):
        d.mkdir(parents=True, exist_ok=True)
    opts = APT_OPTS + ["-o", f"Dir::State::Lists={state / 'lists'}",
                       "-o", f"Dir::Cache={state}", "-o", "Dir::State::status=/dev/null",
                       "-o", f"APT::Architectures=amd64,{arch}"]
    if not (state / "updated").exists():
        log(f"apt-get update (private lists) for {arch}")
        # Some lists may fail (a mirror mid-sync): the download below says
        # whether what is needed was among those that did not.
        update = run_apt(["apt-get", "update"] + opts)
        (state / "updated").write_text(apt_errors(update.stdout + update.stderr)
                                       if update.returncode else "")
    log(f"apt-get download {' '.join(pkgs)}")
    r = run_apt(["apt-get", "download"] + opts + pkgs, cwd=dest)
    return "" if r.returncode == 0 else apt_errors(r.stdout + r.stderr)


def unpack_debs(arch: str, specs: list[str], prefix: pathlib.Path, name: str) -> str:
    """Downloads the packages specs (apt_download: private lists for arch)
    and unpacks them into prefix with dpkg-deb -x, once: the stamp
    prefix/.unpacked-<name> says it is done, and a run that stopped half
    way starts that download again.  Returns '' or why not."""
    stamp = prefix / f".unpacked-{name}"
    if stamp.exists():
        return ""
    debs = PRIVATE_RUST_DIR / "debs" / f"{prefix.name}-{name}"
    shutil.rmtree(debs, ignore_errors=True)  # no older version unpacked too
    error = apt_download(arch, specs, debs)
    if error:
        return error
    for deb in sorted(debs.glob("*.deb")):
        r = run(["dpkg-deb", "-x", str(deb), str(prefix)], 300)
        if r.returncode != 0:
            return f"dpkg-deb -x {deb.name}: {r.stderr.strip()}"
    stamp.touch()
    return ""


def use_private_rust(t: Target, version: str) -> str:
    """Unpacks rustc-web:amd64 and the std of amd64 and t's architecture at
    version into one prefix, and points t's machine files at its rustc
    (both machines: the proc-macros must be built by the same rustc).
    Returns '' or why not."""
    if not version:
        return "no version (ci/msrv-version is missing)"
    if not t.rust_target:
        return f"{t.cross_file.name} names no rustc --target"
    prefix = PRIVATE_RUST_DIR / f"rust-{version}"
    driver = "libstd-rust-web-" + ".".join(version.split(".")[:2])
    for arch, pkgs in (("amd64", ["rustc-web", driver, "libstd-rust-web-dev"]),
                       (t.deb_arch, [driver, "libstd-rust-web-dev"])):
        error = unpack_debs(arch, [f"{p}:{arch}={version}" for p in pkgs], prefix, arch)
        if error:
            return error
    rustc = prefix / "rustc"
    # librustc_driver has no RUNPATH: without the prefix's own, the machine's
    # (if any) would be loaded; --sysroot, not /usr, has the std.
    rustc.write_text("#!/bin/sh\n"
                     f"LD_LIBRARY_PATH='{prefix}/usr/lib/x86_64-linux-gnu' "
                     f"exec '{prefix}/usr/bin/rustc' --sysroot '{prefix}/usr' \"$@\"\n")
    rustc.chmod(0o755)
    probe = run([str(rustc), "--target", t.rust_target, "--print", "target-libdir"], 60)
    libdir = pathlib.Path(probe.stdout.strip())
    if probe.returncode != 0 or not any(libdir.glob("libstd-*.rlib")):
        return f"no std for {t.rust_target} in {prefix}: {probe.stderr.strip()[-300:]}"
    cross = prefix / f"cross-{t.name}.ini"
    cross.write_text(f"[binaries]\nrust = ['{rustc}', '--target', '{t.rust_target}']\n")
    native = prefix / "native.ini"
    native.write_text(f"[binaries]\nrust = '{rustc}'\n")
    t.extra_cross_files.append(cross)
    t.extra_native_files.append(native)
    return ""


def use_private_dev_packages(t: Target, pkgs: list[str]) -> str:
    """Unpacks the target's pkgs (libraries and headers the machine cannot
    install, its lists being broken) into ~/.cache/rivet-cross/sysroot-<arch>/
    and points t's build at them: headers after the cross libc's, the
    libraries for the C and Rust links, and the same directory for the
    tests' qemu-user (LD_LIBRARY_PATH of the exe_wrapper).  Returns '' or
    why not."""
    prefix = PRIVATE_RUST_DIR / f"sysroot-{t.deb_arch}"
    for pkg in pkgs:
        error = unpack_debs(t.deb_arch, [f"{pkg}:{t.deb_arch}"], prefix, pkg)
        if error:
            return error
    mf = read_machine_file(t.cross_file)
    options = mf.get("built-in options", {})
    multiarch = mf["constants"]["multiarch"]
    libdir = prefix / "usr" / "lib" / multiarch
    wrapper = [f"{a}:{libdir}" if a.startswith("LD_LIBRARY_PATH=") else a
               for a in mf["binaries"]["exe_wrapper"]]
    c_args = options.get("c_args", []) + ["-idirafter", f"{prefix}/usr/include",
                                          "-idirafter", f"{prefix}/usr/include/{multiarch}"]
    c_link_args = options.get("c_link_args", []) + [f"-L{libdir}"]
    rust_link_args = options.get("rust_link_args", []) + [f"-L{libdir}"]
    cross = prefix / f"cross-{t.name}.ini"
    cross.write_text(f"[binaries]\nexe_wrapper = {wrapper!r}\n"
                     f"[built-in options]\nc_args = {c_args!r}\n"
                     f"c_link_args = {c_link_args!r}\nrust_link_args = {rust_link_args!r}\n")
    if cross not in t.extra_cross_files:
        t.extra_cross_files.append(cross)
    return ""


# ------------------------------------------------------------------- checks
def elf_machine(path: pathlib.Path) -> tuple[int, int, str]:
    """(e_machine, ELF class bits, endian) of an ELF file."""
    head = path.read_bytes()[:20]
    if head[:4] != b"\x7fELF":
        return (-1, 0, "?")
    endian = "little" if head[5] == 1 else "big"
    return (int.from_bytes(head[18:20], endian), 64 if head[4] == 2 else 32, endian)


def check_elf_machines(t: Target) -> list[str]:
    """Problems: the emulator must be the target's, every library built for
    the build machine (proc-macros) x86-64."""
    problems = []
    want = ELF_MACHINE[t.cpu_family]
    got, _, endian = elf_machine(t.build_dir / "rivet")
    if (got, endian) != (want, t.endian):
        problems.append(f"rivet is ELF machine {got} {endian}-endian, want {want} {t.endian}-endian")
    intro = t.build_dir / "meson-info" / "intro-targets.json"
    build_libs = 0
    for target in json.loads(intro.read_text()):
        machines = {s.get("machine") for s in target.get("target_sources", [])}
        if "build" not in machines:
            continue
        for f in target["filename"]:
            p = pathlib.Path(f)
            if p.suffix == ".so" and p.exists():
                build_libs += 1
                m, _, _ = elf_machine(p)
                if m != ELF_MACHINE["x86_64"]:
                    problems.append(f"build-machine library {p.name} is ELF machine {m}, want 62 (x86-64)")
    t.build_libs = build_libs
    return problems


def stripped_size_kib(t: Target) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "rivet"
        r = run([t.strip, "-o", str(out), str(t.build_dir / "rivet")], 120)
        if r.returncode != 0:
            return "?"
        return f"{out.stat().st_size // 1024} KiB"


def test_counts(build_dir: pathlib.Path) -> tuple[int, int, int, list[str]]:
    log_file = build_dir / "meson-logs" / "testlog.json"
    passed = failed = skipped = 0
    failures = []
    if not log_file.exists():
        return 0, 0, 0, []
    for line in log_file.read_text().splitlines():
        entry = json.loads(line)
        if entry["result"] in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif entry["result"] == "SKIP":
            skipped += 1
        else:
            failed += 1
            failures.append(f"{entry['name']} ({entry['result']})")
    return passed, failed, skipped, failures


# ------------------------------------------------------------------- a row
class Row:
    def __init__(self, name):
        self.name = name
        self.rust = "-"
        self.build = "-"
        self.passed = self.failed = self.skipped = 0
        self.size = "-"
        self.build_time = self.test_time = "-"
        self.checks_passed = self.checks_failed = 0
        self.notes: list[str] = []

    def check(self, ok: bool, why: str = "") -> None:
        if ok:
            self.checks_passed += 1
        else:
            self.checks_failed += 1
            self.notes.append(why)


def rust_state(t: Target, configure_log: str) -> str:
    """'on' or 'off: <the configure log's reason>'."""
    m = re.search(r"^Message: Rust disabled: (.*)$", configure_log, re.M)
    if m:
        return "off: " + m.group(1)
    if not (t.build_dir / "meson-info" / "intro-targets.json").exists():
        return "?"
    for target in json.loads((t.build_dir / "meson-info" / "intro-targets.json").read_text()):
        if any(s.get("language") == "rust" for s in target.get("target_sources", [])):
            return "on"
    if "option('rust'" not in (ROOT / "meson.options").read_text():
        return "off: this tree has no Rust build yet"
    return "off"


def build_and_test(t: Target, row: Row, rust_wanted: bool, meson_options: list[str]) -> None:
    opts = ["--native-file", str(NATIVE_FILE)]
    for f in t.extra_native_files:  # later machine files override earlier ones
        opts += ["--native-file", str(f)]
    if t.cross_file:
        opts += ["--cross-file", str(t.cross_file)]
    for f in t.extra_cross_files:
        opts += ["--cross-file", str(f)]
    if "option('rust'" in (ROOT / "meson.options").read_text():
        opts.append("-Drust=enabled" if rust_wanted else "-Drust=auto")
    if t.build_dir.exists():
        shutil.rmtree(t.build_dir)
    start = time.monotonic()
    log(f"{t.name}: configuring {t.build_dir.name}")
    setup = run(MESON + ["setup"] + opts + meson_options + [str(t.build_dir)], BUILD_TIMEOUT, cwd=ROOT)
    configure_log = setup.stdout + setup.stderr
    ok = setup.returncode == 0
    if ok:
        log(f"{t.name}: building")
        ninja = run([str(ROOT / ".venv" / "bin" / "ninja"), "-C", str(t.build_dir)], BUILD_TIMEOUT)
        ok = ninja.returncode == 0
        if not ok:
            print(ninja.stdout[-4000:] + ninja.stderr[-2000:])
    else:
        print(configure_log[-4000:])
    row.build_time = f"{time.monotonic() - start:.0f}s"
    row.rust = rust_state(t, configure_log)
    row.build = "ok" if ok else "FAILED"
    row.check(ok, "build failed")
    if not ok:
        return
    row.size = stripped_size_kib(t)
    problems = check_elf_machines(t)
    row.check(not problems, "; ".join(problems))
    log(f"{t.name}: ELF machines {'ok' if not problems else 'WRONG'} "
        f"(rivet, {t.build_libs} build-machine libraries)")
    start = time.monotonic()
    log(f"{t.name}: meson test")
    env = dict(os.environ, PATH=f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}")
    # qemu-user runs rivet's interpreter about 18 times slower; the test
    # scripts' own step bounds grow 20 times (tests/functional/
    # host_command.py), Meson's must stay above them.
    test = run(MESON + ["test", "-C", str(t.build_dir), "--print-errorlogs",
                        "--timeout-multiplier", str(TIMEOUT_MULTIPLIER)], TEST_TIMEOUT, env=env)
    row.test_time = f"{time.monotonic() - start:.0f}s"
    row.passed, row.failed, row.skipped, failures = test_counts(t.build_dir)
    if test.returncode == 124 and "timed out after" in test.stderr:
        # Killed: the tests that never ran are not in the counts.
        row.failed += 1
        failures.append(f"meson test did not finish within {TEST_TIMEOUT}s "
                        f"({row.passed + row.failed - 1 + row.skipped} tests had run)")
    elif test.returncode != 0 and not failures:
        row.failed += 1
        failures.append(f"meson test exited {test.returncode}: {test.stderr.strip()[-300:]}")
    if failures:
        print(test.stdout[-6000:])
        row.notes.append("failed: " + ", ".join(failures))


# -------------------------------------------------------------- rustc-web
def msrv_version() -> str:
    return (ROOT / "ci" / "msrv-version").read_text().split("#")[0].split()[0] \
        if (ROOT / "ci" / "msrv-version").exists() else ""


def rust_std_packages() -> dict[str, str]:
    """libstd-rust-web-dev:<arch> -> version, every installed one."""
    r = run(["dpkg-query", "-W", "-f=${Package}:${Architecture}\t${Status}\t${Version}\n",
             "libstd-rust-web-dev:*"], 60)
    out = {}
    for line in r.stdout.splitlines():
        pkg, status, version = line.split("\t")
        if status.endswith(" installed"):
            out[pkg] = version
    return out


def switch_rustc_web(apt: Apt, version: str, stds: list[str]) -> str:
    """Installs rustc-web and the given std packages at version."""
    pkgs = [f"rustc-web={version}"] + [f"{p}={version}" for p in stds]
    archs = {p.split(":")[1] for p in stds if ":" in p} - {"amd64"}
    arch = ",".join(sorted(archs)) if archs else "amd64"
    return apt.install(arch, pkgs, downgrade=True)


# --------------------------------------------------------------------- main
def print_table(rows: list[Row]) -> None:
    header = ["target", "Rust", "build", "passed", "failed", "skipped",
              "checks", "emulator (stripped)", "build time", "test time"]
    table = [header]
    for r in rows:
        rust = r.rust
        if len(rust) > 48:  # the whole reason goes under the table
            r.notes.insert(0, f"Rust {rust}")
            rust = rust[:47] + "…"
        table.append([r.name, rust, r.build, str(r.passed), str(r.failed),
                      str(r.skipped), f"{r.checks_passed}/{r.checks_passed + r.checks_failed}",
                      r.size, r.build_time, r.test_time])
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print()
    for i, row in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        for note in r.notes:
            print(f"{r.name}: {note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help=f"default: {' '.join(ALL_TARGETS)}")
    parser.add_argument("--meson-option", action="append", default=[],
                        help="extra option for meson setup, e.g. -Dprobes=disabled")
    args = parser.parse_args()
    names = args.targets or ALL_TARGETS
    targets = [Target(n) for n in names]
    apt = Apt()

    rows = []
    rustc = installed_version("rustc-web")
    if not rustc and can_install():
        apt.install("amd64", ["rustc-web"])
        rustc = installed_version("rustc-web")
    for t in targets:
        row = Row(t.name)
        rows.append(row)
        if t.name == "msrv":
            run_msrv(t, row, apt, args.meson_option)
            continue
        unavailable, rust_note = prepare(t, apt, rustc)
        row.notes += t.notes
        row.check(not unavailable, f"unavailable: {unavailable}")
        if unavailable:
            log(f"{t.name}: unavailable: {unavailable}")
        # Rust is expected where the target has a std and it was installed;
        # without one, -Drust=auto must say why and build C-only.
        rust_wanted = not unavailable and not rust_note
        build_and_test(t, row, rust_wanted, args.meson_option)
        if rust_note and row.rust == "on":
            row.notes.append(f"Rust is on although the cross file says: {rust_note}")
    print_table(rows)
    passed = sum(r.passed + r.checks_passed for r in rows)
    failed = sum(r.failed + r.checks_failed for r in rows)
    skipped = sum(r.skipped for r in rows)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


def run_msrv(t: Target, row: Row, apt: Apt, meson_options: list[str]) -> None:
    """x86_64 with Debian's older rustc-web (the declared MSRV); the
    machine's rustc-web and std packages are put back afterwards."""
    version = msrv_version()
    if not version:
        row.check(False, "ci/msrv-version is missing")
        return
    before = installed_version("rustc-web")
    stds = rust_std_packages()
    if before and before != version:
        # Multi-Arch: same: every architecture's std must move together.
        error = switch_rustc_web(apt, version, sorted(stds) or ["libstd-rust-web-dev:amd64"])
        row.check(not error, f"unavailable: rustc-web {version}: {error}")
        if error:
            return
    try:
        rust_version = run(["/usr/bin/rustc", "--version"], 60).stdout.strip()
        log(f"msrv: {rust_version}")
        build_and_test(t, row, True, meson_options)
        row.rust = f"{row.rust} ({rust_version.split()[1] if rust_version else '?'})"
    finally:
        if before and before != version:
            log(f"msrv: putting rustc-web {before} back")
            error = switch_rustc_web(apt, before, sorted(stds) or ["libstd-rust-web-dev:amd64"])
            row.check(not error, f"could not put rustc-web {before} back: {error}")


if __name__ == "__main__":
    sys.exit(main())
