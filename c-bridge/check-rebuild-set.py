#!/usr/bin/env python3
"""Test (TAP): touching a header of one bridged subsystem rebuilds only that
subsystem's -sys crate and the crates above it, never a lower or a sibling
one (docs/rust.md, "Layout and layering").

It touches nothing: it asks ninja what a touch would make dirty.  From the
built tree it reads the manifest's inputs (`ninja -t query`, explicit and
implicit; order-only inputs never cause a rebuild) and the header
dependencies ninja recorded from the depfiles (`ninja -t deps`: bindgen's
for the bindings, rustc's for the include!d bindings), and walks them
upwards from each header of include/<sub>/ and from each wrapper.h.  So it
checks ninja's real dependency records, which a shared or lost depfile
corrupts.

Each bindings file must have its own depfile.  The safe layer is one crate
per subsystem: rivet-S depends on S-sys and otherwise only on the crates
of the subsystems S-sys itself depends on (so a device rebuilds only when
a subsystem it uses changes: touching include/chardev/ never rebuilds the
HPET).  For each header of subsystem S, with above(X) the workspace crates
that depend on X (Cargo.toml [dependencies], transitively):
  - the bindings of S-sys are regenerated (its wrapper.h reads the header);
  - no bindings but those of S-sys and of crates above it are regenerated;
  - the crates recompiled are exactly the regenerated -sys crates and the
    crates above them;
  - Meson does not re-run (build.ninja does not depend on the header).

The same holds for the QAPI schema (qapi/, docs/qapi.md): touching one
schema module regenerates only the generated files of the modules that
include it (and the whole-schema table, reference page and Rust
marshallers), recompiles only their C files, rebuilds only the crate of
the schema's Rust types and those above it, and never re-runs Meson.

Usage: check-rebuild-set.py NINJA BUILD_DIR SOURCE_DIR SUB... [--qapi MODULE...]
(SUB: the bridged subsystems, e.g. util qom memory chardev hwcore;
MODULE: the schema modules, qapi/MODULE.json)
"""
import glob
import os
import re
import subprocess
import sys
import tomllib

# Meson's names of a compiled crate: lib<crate_name>+<version>.rlib (.so
# for a proc-macro).
CRATE_OUTPUT = re.compile(r"(?:^|/)lib(\w+)\+[\w.]*\.(?:rlib|so)$")
BINDINGS = re.compile(r"(?:^|/)([\w-]+-sys)-bindings\.inc\.rs$")


def ninja(ninja_prog, build, *args):
    return subprocess.run([ninja_prog, "-C", build, *args], check=True,
                          capture_output=True, text=True).stdout


def reverse_graph(ninja_prog, build):
    """Map each file (absolute path) to the outputs that a change of it
    makes dirty, from the manifest and from ninja's deps log."""
    def key(p):
        return os.path.normpath(os.path.join(build, p))

    users = {}
    targets = [line.rsplit(":", 1)[0]
               for line in ninja(ninja_prog, build, "-t", "targets", "all").splitlines()]
    node = None
    section = None
    for line in ninja(ninja_prog, build, "-t", "query", *targets).splitlines():
        if not line.startswith(" "):
            node, section = line.rstrip(":"), None
        elif line.startswith("    "):
            item = line.strip()
            if section != "input" or item.startswith("|| "):
                continue
            users.setdefault(key(item.removeprefix("| ")), set()).add(node)
        else:
            section = line.strip().split(":")[0]
    # The deps log may still hold outputs the manifest no longer has.
    known = set(targets)
    for line in ninja(ninja_prog, build, "-t", "deps").splitlines():
        if line and not line.startswith(" "):
            node = line.split(": #deps")[0]
        elif line.strip() and node in known:
            users.setdefault(key(line.strip()), set()).add(node)
    return users


def dirty_from(users, build, path):
    """Every output that a change of `path` makes dirty."""
    seen = set()
    todo = [path]
    while todo:
        for out in users.get(todo.pop(), ()):
            if out not in seen:
                seen.add(out)
                todo.append(os.path.normpath(os.path.join(build, out)))
    return seen


def shared_depfiles(build):
    """Depfiles that build.ninja names for more than one bindings file."""
    owners = {}
    output = None
    with open(os.path.join(build, "build.ninja"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("build "):
                output = line[6:].split(":")[0].split(" ")[0]
            elif line.startswith(" DEPFILE = ") and output and BINDINGS.search(output):
                owners.setdefault(line.split("=", 1)[1].strip(), []).append(output)
    return {d: outs for d, outs in owners.items() if len(outs) > 1}


def crate_deps(source):
    """Workspace crate names (as rustc spells them), each with the
    workspace crates it depends on directly."""
    with open(os.path.join(source, "Cargo.toml"), "rb") as f:
        patterns = tomllib.load(f)["workspace"]["members"]
    # A member may be a glob (the devices: hw/*/*/rust).
    members = [os.path.relpath(m, source) for p in patterns
               for m in sorted(glob.glob(os.path.join(source, p)))]
    deps = {}
    for member in members:
        with open(os.path.join(source, member, "Cargo.toml"), "rb") as f:
            manifest = tomllib.load(f)
        name = manifest["package"]["name"].replace("-", "_")
        deps[name] = {d.replace("-", "_") for d in manifest.get("dependencies", {})}
    return deps


def built_only(deps, build):
    """deps without the crates this build does not make (a 32-bit host's
    build leaves out the devices on vm-memory, meson.build): nothing can
    expect them to rebuild."""
    built = set()
    with open(os.path.join(build, "build.ninja"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("build "):
                m = CRATE_OUTPUT.search(line[6:].split(":")[0].split(" ")[0])
                if m:
                    built.add(m.group(1))
    return {c: d & built for c, d in deps.items() if c in built}


def crate_graph(deps):
    """For each crate, the workspace crates that depend on it directly."""
    return {name: {user for user, ds in deps.items() if name in ds} for name in deps}


def safe_layer_problems(deps, subs):
    """Why the safe crates are not one per subsystem, layered as the -sys
    crates are (empty when they are)."""
    problems = []
    for sub in subs:
        safe, own = f"rivet_{sub}", f"{sub}_sys"
        if safe not in deps:
            problems.append(f"no safe crate rivet-{sub} for {sub}-sys")
            continue
        if own not in deps[safe]:
            problems.append(f"rivet-{sub} does not depend on {sub}-sys")
        lower = {d.removesuffix("_sys") for d in deps.get(own, ()) if d.endswith("_sys")}
        allowed = {own} | {f"{s}_sys" for s in lower} | {f"rivet_{s}" for s in lower}
        # Only workspace crates are layered; a crates.io dependency (e.g.
        # pinned-init) never rebuilds on a header touch.
        extra = (deps[safe] - allowed) & deps.keys()
        if extra:
            problems.append(f"rivet-{sub} depends on {' '.join(sorted(extra))}, "
                            f"which {sub}-sys does not use")
    return problems


def closure_above(above, crates):
    result = set(crates)
    todo = list(crates)
    while todo:
        for user in above.get(todo.pop(), ()):
            if user not in result:
                result.add(user)
                todo.append(user)
    return result


QAPI_GENERATED_C = re.compile(r"qapi-(?:types|visit|commands|events)-([\w-]+)\.c\.o$")
QAPI_OUTPUT = re.compile(r"(?:^|/)qapi/qapi-(?:(?:types|visit|commands|events)-)?([\w-]+)\.(?:h|c|rs)$")
QAPI_INCLUDE = re.compile(r"\{\s*'include':\s*'([\w-]+)\.json'\s*\}")


def qapi_users(source, modules):
    """For each schema module, the modules whose include closure holds it
    (itself included)."""
    includes = {}
    for m in modules:
        with open(os.path.join(source, "qapi", m + ".json"), encoding="utf-8") as f:
            includes[m] = set(QAPI_INCLUDE.findall(f.read()))
    users = {}
    for m in modules:
        closure, todo = {m}, [m]
        while todo:
            cur = todo.pop()
            for other in modules:
                if cur in includes[other] and other not in closure:
                    closure.add(other)
                    todo.append(other)
        users[m] = closure
    return users


def qapi_problems(users, build, source, deps, above, module, allowed):
    """Why touching qapi/MODULE.json rebuilds more than it should."""
    dirty = dirty_from(users, build, os.path.join(source, "qapi", module + ".json"))
    problems = []
    regenerated = {m.group(1) for m in map(QAPI_OUTPUT.search, dirty) if m}
    if module not in regenerated:
        problems.append("its own generated files are not regenerated")
    # The whole-schema outputs: the tables (qapi-commands-table.c) and the
    # Rust marshallers read every module.
    whole = {"table", "rust-commands"}
    wrong = regenerated - allowed - whole
    if wrong:
        problems.append("generated files of unrelated modules remade: " + " ".join(sorted(wrong)))
    recompiled = {m.group(1) for m in map(QAPI_GENERATED_C.search, dirty) if m}
    wrong = recompiled - allowed - whole
    if wrong:
        problems.append("C files of unrelated modules recompiled: " + " ".join(sorted(wrong)))
    rebuilt = {m.group(1) for m in map(CRATE_OUTPUT.search, dirty) if m}
    expected = closure_above(above, {"rivet_qapi"}) if "rivet_qapi" in deps else set()
    if rebuilt - expected:
        problems.append(f"crates rebuilt {sorted(rebuilt)}, expected at most {sorted(expected)}")
    if "build.ninja" in dirty:
        problems.append("touching it re-runs Meson")
    return problems, recompiled, rebuilt


def report(n, summary, problems):
    """Print TAP line n; 1 when it failed."""
    print(f"{'not ok' if problems else 'ok'} {n} - {summary}")
    for p in problems:
        print(f"# {p}")
    return 1 if problems else 0


def main():
    args = sys.argv[1:]
    qapi_modules = []
    if "--qapi" in args:
        qapi_modules = args[args.index("--qapi") + 1:]
        args = args[:args.index("--qapi")]
    ninja_prog, build, source, subs = (args[0], os.path.abspath(args[1]),
                                       os.path.abspath(args[2]), args[3:])
    users = reverse_graph(ninja_prog, build)
    deps = built_only(crate_deps(source), build)
    above = crate_graph(deps)
    cases = []
    for sub in subs:
        crate = sub + "-sys"
        cases.append((sub, os.path.join(source, "c-bridge", crate, "wrapper.h")))
        inc = os.path.join(source, "include", sub)
        cases += [(sub, os.path.join(inc, h)) for h in sorted(os.listdir(inc)) if h.endswith(".h")]

    print(f"1..{len(cases) + 2 + len(qapi_modules)}")
    failed = 0
    # A depfile shared by two bindgen runs is rewritten by whichever runs
    # last, so under ninja -j the records read below are a race's result.
    shared = shared_depfiles(build)
    if shared:
        failed += 1
        print("not ok 1 - each bindings file has its own depfile")
        for depfile, outputs in shared.items():
            print(f"# {depfile} is written for {' and '.join(outputs)}")
    else:
        print("ok 1 - each bindings file has its own depfile")
    layering = safe_layer_problems(deps, subs)
    if layering:
        failed += 1
        print("not ok 2 - one safe crate per subsystem, layered as the -sys crates")
        for p in layering:
            print(f"# {p}")
    else:
        print("ok 2 - one safe crate per subsystem, layered as the -sys crates")
    for n, (sub, header) in enumerate(cases, 3):
        own = sub + "_sys"
        dirty = dirty_from(users, build, header)
        regenerated = {m.group(1).replace("-", "_") for m in map(BINDINGS.search, dirty) if m}
        rebuilt = {m.group(1) for m in map(CRATE_OUTPUT.search, dirty) if m}
        expected = closure_above(above, regenerated)
        problems = []
        if own not in regenerated:
            problems.append(f"{sub}-sys bindings are not regenerated (ninja has no record "
                            f"that its bindgen reads this header)")
        wrong = regenerated - closure_above(above, {own})
        if wrong:
            problems.append("bindings of lower or unrelated crates regenerated: "
                            + " ".join(sorted(wrong)))
        if rebuilt != expected:
            problems.append(f"crates rebuilt {sorted(rebuilt)}, expected {sorted(expected)}")
        if "build.ninja" in dirty:
            problems.append("touching it re-runs Meson: build.ninja depends on it "
                            "(meson.build reads it at configure time)")
        name = os.path.relpath(header, source)
        summary = (f"{name}: bindings {' '.join(sorted(regenerated)) or '-'}; "
                   f"crates {' '.join(sorted(rebuilt)) or '-'}")
        failed += report(n, summary, problems)
    qapi_user_map = qapi_users(source, qapi_modules) if qapi_modules else {}
    for n, module in enumerate(qapi_modules, len(cases) + 3):
        problems, recompiled, rebuilt = qapi_problems(
            users, build, source, deps, above, module, qapi_user_map[module])
        summary = (f"qapi/{module}.json: C of {' '.join(sorted(recompiled)) or '-'}; "
                   f"crates {' '.join(sorted(rebuilt)) or '-'}")
        failed += report(n, summary, problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
