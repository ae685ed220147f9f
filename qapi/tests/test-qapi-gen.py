#!/usr/bin/env python3
"""Test (TAP) of the QAPI generator (qapi/gen/): the real schema and a
small one using every construct generate; each kind of bad schema stops
with `FILE:LINE: reason` and writes nothing; every type of the real
schema has its round trip in the C and the Rust tests.

Usage: test-qapi-gen.py QAPI_GEN QAPI_SOURCE_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

GEN, QAPI_DIR = sys.argv[1], os.path.abspath(sys.argv[2])
ROOT = os.path.dirname(QAPI_DIR)
sys.path.insert(0, os.path.dirname(os.path.abspath(GEN)))
from schema import Schema  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "tests", "migration"))
from scratch import scratch_dir  # noqa: E402

results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


def run(schema_path, *args, outdir=None):
    outdir = outdir or scratch_dir("qapi-gen-")
    p = subprocess.run([sys.executable, GEN, schema_path, "-o", outdir, *args],
                       capture_output=True, text=True)
    return p, outdir


DOC = "##\n# @{name}:\n#\n# Doc.\n{members}##\n"


def doc(name, *members):
    return DOC.format(name=name, members="".join(f"#\n# @{m}: doc\n" for m in members))


GOOD = (doc("Kind", "one", "two") + "{ 'enum': 'Kind', 'data': [ 'one', 'two' ] }\n"
        + doc("Inner", "x") + "{ 'struct': 'Inner', 'data': { 'x': 'int' } }\n"
        + doc("Outer", "kind", "name", "opt", "list")
        + "{ 'struct': 'Outer', 'data': { 'kind': 'Kind', 'name': 'str',\n"
          "  '*opt': { 'type': 'bool', 'features': [ 'deprecated' ] }, 'list': [ 'Inner' ] } }\n"
        + doc("Choice")
        + "{ 'union': 'Choice', 'base': 'Outer', 'discriminator': 'kind',\n"
          "  'data': { 'one': 'Inner' } }\n"
        + doc("Alt", "s", "i") + "{ 'alternate': 'Alt', 'data': { 's': 'str', 'i': 'Inner' } }\n"
        + doc("do-it", "arg") + "{ 'command': 'do-it', 'data': { 'arg': 'Alt' },\n"
          "  'returns': 'Choice' }\n"
        + doc("only-sometimes") + "{ 'command': 'only-sometimes', 'if': 'CONFIG_X' }\n"
        + doc("HAPPENED", "what") + "{ 'event': 'HAPPENED', 'data': { 'what': 'Kind' } }\n")

# (name, schema text, expected message after FILE:) -- the line is part of it.
BAD = [
    ("unknown type", doc("S", "a") + "{ 'struct': 'S', 'data': { 'a': 'Nope' } }\n",
     "8: struct 'S' uses unknown type 'Nope'"),
    ("duplicate member", doc("S", "a") + "{ 'struct': 'S', 'data': { 'a': 'int', '*a': 'str' } }\n",
     "8: struct 'S' has a duplicate member 'a'"),
    ("duplicate member through the base",
     doc("B", "a") + "{ 'struct': 'B', 'data': { 'a': 'int' } }\n"
     + doc("S", "a") + "{ 'struct': 'S', 'base': 'B', 'data': { 'a': 'int' } }\n",
     "16: struct 'S' has a duplicate member 'a' (also in its base)"),
    ("union without discriminator",
     doc("K", "a") + "{ 'enum': 'K', 'data': [ 'a' ] }\n"
     + doc("U", "k") + "{ 'union': 'U', 'base': { 'k': 'K' }, 'data': {} }\n",
     "16: union 'U' has no 'discriminator'"),
    ("discriminator not in the base",
     doc("K", "a") + "{ 'enum': 'K', 'data': [ 'a' ] }\n"
     + doc("U", "k") + "{ 'union': 'U', 'base': { 'k': 'K' }, 'discriminator': 'kind',\n"
       "  'data': {} }\n",
     "16: discriminator 'kind' of union 'U' is not a member of its base"),
    ("optional discriminator",
     doc("K", "a") + "{ 'enum': 'K', 'data': [ 'a' ] }\n"
     + doc("U", "k") + "{ 'union': 'U', 'base': { '*k': 'K' }, 'discriminator': 'k' }\n",
     "16: discriminator 'k' of union 'U' must be a mandatory member of an enum type"),
    ("branch that is no value",
     doc("K", "a") + "{ 'enum': 'K', 'data': [ 'a' ] }\n"
     + doc("S") + "{ 'struct': 'S', 'data': {} }\n"
     + doc("U", "k") + "{ 'union': 'U', 'base': { 'k': 'K' }, 'discriminator': 'k',\n"
       "  'data': { 'b': 'S' } }\n",
     "22: union 'U': branch 'b' is not a value of K"),
    ("command returning an unknown type",
     doc("c") + "{ 'command': 'c', 'returns': 'Missing' }\n",
     "6: 'returns' of command 'c' uses unknown type 'Missing'"),
    ("command returning a command",
     doc("c") + "{ 'command': 'c' }\n" + doc("d") + "{ 'command': 'd', 'returns': 'c' }\n",
     "12: 'returns' of command 'd' uses 'c', which is a command, not a type"),
    ("ambiguous alternate",
     doc("A", "a", "b") + "{ 'alternate': 'A', 'data': { 'a': 'int', 'b': 'number' } }\n",
     "10: alternate 'A': branches 'a' and 'b' cannot be told apart"),
    ("duplicate definition",
     doc("S") + "{ 'struct': 'S', 'data': {} }\n" + doc("S") + "{ 'enum': 'S', 'data': [] }\n",
     "12: 'S' is already defined"),
    ("undocumented definition", "{ 'struct': 'S', 'data': {} }\n",
     "1: struct 'S' has no documentation (a ## block before it)"),
    ("undocumented member", doc("S") + "{ 'struct': 'S', 'data': { 'a': 'int' } }\n",
     "1: member 'a' of 'S' is not documented"),
    ("unknown key", doc("S") + "{ 'struct': 'S', 'data': {}, 'colour': 'red' }\n",
     "6: struct has unknown key 'colour'"),
    ("duplicate key", doc("S") + "{ 'struct': 'S', 'data': {}, 'data': {} }\n",
     "6: duplicate key 'data'"),
    ("unterminated string", doc("S") + "{ 'struct': 'S }\n",
     "6: missing terminating \"'\""),
    ("missing include", "{ 'include': 'nowhere.json' }\n",
     "1: can't read include file 'nowhere.json'"),
    ("condition leaving out a used type",
     doc("S") + "{ 'struct': 'S', 'data': {}, 'if': 'CONFIG_NO' }\n"
     + doc("c") + "{ 'command': 'c', 'returns': 'S' }\n",
     "12: command 'c' uses 'S', which its 'if' (CONFIG_NO) leaves out"),
]


def main():
    # The real schema, whole and per module.
    outdir = scratch_dir("qapi-gen-")
    impls = os.path.join(QAPI_DIR, "implementations")
    p, _ = run(os.path.join(QAPI_DIR, "qapi-schema.json"), "--implementations", impls,
               "--define", "CONFIG_RUST", "--languages", "c,rust",
               "builtin", "table", "rust-commands", "doc", outdir=outdir)
    check("the real schema generates", p.returncode == 0, p.stderr)
    schema = Schema(os.path.join(QAPI_DIR, "qapi-schema.json"), ["CONFIG_RUST"])
    for module in schema.modules[1:]:
        p, _ = run(os.path.join(QAPI_DIR, module + ".json"), "--implementations", impls,
                   "--define", "CONFIG_RUST", "module", outdir=outdir)
        check(f"module {module} generates", p.returncode == 0, p.stderr)
    table = open(os.path.join(outdir, "qapi-commands-table.c")).read()
    listed = re.findall(r'^\s*\{"([^"]+)", qmp_marshal_', table, re.M)
    wanted = [w.split()[0] for w in open(impls).read().split("\n")
              if w.split("#")[0].strip()]
    check("the table has the implemented commands, in schema order",
          sorted(listed) == sorted(wanted) and "system_powerdown" not in listed, f"{listed}")

    # The module lists that cannot be read from the schema at configure
    # or compile time follow qapi-schema.json's includes.
    modules = schema.modules[1:]
    meson_text = open(os.path.join(QAPI_DIR, "meson.build")).read()
    meson_list = re.findall(r"'([\w-]+)'", meson_text.split("qapi_modules = [")[1].split("]")[0])
    check("qapi/meson.build lists the schema's modules", meson_list == modules,
          f"{meson_list} != {modules}")
    lib_rs = open(os.path.join(ROOT, "crates/rivet-qapi/src/lib.rs")).read()
    rust_list = re.findall(r'"qapi-([\w-]+)\.rs"', lib_rs)
    check("crates/rivet-qapi/src/lib.rs has a module per schema module",
          rust_list == modules, f"{rust_list} != {modules}")

    # Every type has its round trips in the C and the Rust tests.
    c_test = open(os.path.join(ROOT, "core/qapi/test-qapi-types.c")).read()
    rust_test = open(os.path.join(ROOT, "crates/rivet-qmp/src/tests.rs")).read()
    types = [e.name for e in schema.order
             if e.meta in ("enum", "struct", "union", "alternate")]
    missing_c = [t for t in types if not re.search(rf"ROUND_TRIP(_ENUM)?\({t}\b", c_test)]
    missing_rust = [t for t in types if not re.search(rf"round_trip::<{t}>", rust_test)]
    check("every schema type has a C round trip", not missing_c, f"missing: {missing_c}")
    check("every schema type has a Rust round trip", not missing_rust,
          f"missing: {missing_rust}")

    # A small schema with every construct.
    tmp = scratch_dir("qapi-good-")
    path = os.path.join(tmp, "good.json")
    with open(path, "w") as f:
        f.write(GOOD)
    p, out = run(path, "module")
    check("every construct generates", p.returncode == 0, p.stderr)
    if p.returncode == 0:
        rs = open(os.path.join(out, "qapi-good.rs")).read()
        types_h = open(os.path.join(out, "qapi-types-good.h")).read()
        cmds_h = open(os.path.join(out, "qapi-commands-good.h")).read()
        check("union: a Rust enum tagged by the discriminator",
              '#[serde(tag = "kind")]' in rs and "One(Inner)," in rs and "    Two,\n" in rs)
        check("alternate: an untagged Rust enum", "#[serde(untagged)]" in rs
              and "S(String)," in rs and "I(Inner)," in rs)
        check("optional member: has_ flag in C, Option in Rust",
              "bool has_opt;" in types_h and "pub opt: Option<bool>," in rs)
        check("command prototype in C", "Choice *qmp_do_it(Alt *arg, Error **errp);" in cmds_h,
              cmds_h)
        check("'if' false: the command is left out", "only_sometimes" not in cmds_h)
        impl = os.path.join(tmp, "implementations")
        with open(impl, "w") as f:
            f.write("do-it rust\nonly-sometimes rust\n")
        p3, out3 = run(path, "--define", "CONFIG_X", "--implementations", impl,
                       "--languages", "c,rust", "table", "rust-commands")
        rc = open(os.path.join(out3, "qapi-rust-commands.rs")).read() if p3.returncode == 0 else ""
        check("Rust marshallers: arguments and result types, none and {}",
              "|args: rivet_qapi::good::DoItArgs| -> rivet_qobject::qmp::CommandResult"
              "<rivet_qapi::good::Choice>" in rc
              and "|_: rivet_qobject::qmp::NoArgs| -> rivet_qobject::qmp::CommandResult"
              "<rivet_qobject::qmp::Empty>" in rc
              and "crate::commands::only_sometimes()" in rc, p3.stderr + rc)
        p2, out2 = run(path, "--define", "CONFIG_X", "module")
        cmds2 = open(os.path.join(out2, "qapi-commands-good.h")).read()
        check("'if' true: the command is there", "qmp_only_sometimes(Error **errp)" in cmds2)

    for name, text, reason in BAD:
        tmp = scratch_dir("qapi-bad-")
        path = os.path.join(tmp, "bad.json")
        with open(path, "w") as f:
            f.write(text)
        p, out = run(path, "module")
        expected = f"qapi-gen: {path}:{reason}\n"
        check(f"bad schema: {name}", p.returncode == 1 and p.stderr == expected
              and not os.listdir(out), f"got {p.returncode} {p.stderr!r}, want {expected!r}")

    bad_impls = os.path.join(tempfile.mkdtemp(), "implementations")
    with open(bad_impls, "w") as f:
        f.write("query-version c\nno-such-command rust\n")
    p, _ = run(os.path.join(QAPI_DIR, "qapi-schema.json"), "--implementations", bad_impls,
               "table")
    check("implementations naming no command",
          p.returncode == 1 and p.stderr ==
          f"qapi-gen: {bad_impls}:2: 'no-such-command' is not a command of the schema\n",
          p.stderr)

    print(f"1..{len(results)}")
    failed = 0
    for n, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {n} - {name}")
        if not ok:
            failed += 1
            for line in str(detail).splitlines():
                print(f"# {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
