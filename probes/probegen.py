#!/usr/bin/env python3
"""The probes generator: one definition per event in probes/<group>.probes,
turned into everything that fires, lists or attaches to it.

    probegen.py c      --mode M --outdir DIR  DEFS...   C headers + registry
    probegen.py rust   --mode M --out FILE    DEFS...   the Rust module
    probegen.py tapset --binary PATH --out FILE DEFS... the SystemTap tapset
    probegen.py list   [--json]               DEFS...   provider:name per line

Modes: "usdt" (sys/sdt.h probes with is-enabled semaphores, plus the log
backend), "log" (no sys/sdt.h on this machine: the log backend only, still
behind the same semaphores) and "disabled" (no probe code at all).

A definition file is a comment block describing the group, a blank line,
then events, each documented by the comment block right above it:

    # The guest read a register.
    pl011_read(u64 offset, u32 size, u64 value) "offset=0x%03x size=%u value=0x%x"

Event names start with the group name (the file name) and an underscore.
Formats are printf-like but type-neutral: the generator adds the C length
modifiers, so `%x` serves every unsigned width.
"""

import argparse
import json
import os
import re
import sys

PROVIDER = "rivet"

# type -> (C type, Rust type, format class)
TYPES = {
    "u8": ("uint8_t", "u8", "unsigned"),
    "u16": ("uint16_t", "u16", "unsigned"),
    "u32": ("uint32_t", "u32", "unsigned"),
    "u64": ("uint64_t", "u64", "unsigned"),
    "i32": ("int32_t", "i32", "signed"),
    "i64": ("int64_t", "i64", "signed"),
    "bool": ("bool", "bool", "unsigned"),
    "str": ("const char *", "&::core::ffi::CStr", "str"),
    "ptr": ("const void *", "*const ::core::ffi::c_void", "ptr"),
}

# Which conversions each class accepts, and how C prints it.
CONVERSIONS = {
    "unsigned": ("xXuo", "ll", "(unsigned long long)"),
    "signed": ("di", "ll", "(long long)"),
    "str": ("s", "", ""),
    "ptr": ("p", "", ""),
}

# Argument names become C, Rust and SystemTap identifiers.
RESERVED = set(
    """as break const continue crate else enum extern false fn for if impl in
    let loop match mod move mut pub ref return self static struct super trait
    true type unsafe use where while async await dyn abstract become box do
    final macro override priv typeof unsized virtual yield try auto case char
    default double float goto int long register restrict short signed sizeof
    switch typedef union unsigned void volatile inline probe global function
    delete next string private limit foreach catch""".split()
)

# sys/sdt.h takes at most 12 arguments.
MAX_ARGS = 12

EVENT_RE = re.compile(r'^([a-z][a-z0-9_]*)\((.*)\)\s*"(.*)"\s*$')
CONV_RE = re.compile(r"%([-+ #0]*[0-9]*(?:\.[0-9]+)?)([a-zA-Z%])")
GROUP_RE = re.compile(r"^[a-z][a-z0-9]*$")


class DefinitionError(Exception):
    pass


class Arg:
    def __init__(self, type_, name):
        self.type = type_
        self.name = name
        self.c_type, self.rust_type, self.cls = TYPES[type_]


class Event:
    def __init__(self, group, name, args, fmt, doc, where):
        self.group = group
        self.name = name
        self.args = args
        self.fmt = fmt
        self.doc = doc
        self.where = where
        self.conversions = parse_format(fmt, args, where)


class Group:
    def __init__(self, name, doc, events, path):
        self.name = name
        self.doc = doc
        self.events = events
        self.path = path


def parse_format(fmt, args, where):
    """Check fmt against the argument types; returns [(flags, letter)]."""
    if "\\" in fmt or '"' in fmt:
        raise DefinitionError(f"{where}: formats cannot contain quotes or escapes")
    convs = [m for m in CONV_RE.finditer(fmt) if m.group(2) != "%"]
    stray = CONV_RE.sub("", fmt)
    if "%" in stray:
        raise DefinitionError(f"{where}: incomplete conversion in format")
    if len(convs) != len(args):
        raise DefinitionError(
            f"{where}: the format has {len(convs)} conversions for {len(args)} arguments"
        )
    result = []
    for m, arg in zip(convs, args):
        letters = CONVERSIONS[arg.cls][0]
        if m.group(2) not in letters:
            allowed = ", ".join("%" + c for c in letters)
            raise DefinitionError(
                f"{where}: %{m.group(2)} does not fit {arg.type} {arg.name} (use {allowed})"
            )
        result.append((m.group(1), m.group(2)))
    return result


def parse_args(text, where):
    text = text.strip()
    if not text:
        return []
    args = []
    for part in text.split(","):
        words = part.split()
        if len(words) != 2:
            raise DefinitionError(f"{where}: argument '{part.strip()}' is not 'TYPE NAME'")
        type_, name = words
        if type_ not in TYPES:
            raise DefinitionError(
                f"{where}: unknown type '{type_}' (use one of {', '.join(TYPES)})"
            )
        if not re.match(r"^[a-z][a-z0-9_]*$", name) or name in RESERVED:
            raise DefinitionError(
                f"{where}: argument name '{name}' is not a plain lower-case "
                "identifier or is a C, Rust or SystemTap keyword"
            )
        if any(a.name == name for a in args):
            raise DefinitionError(f"{where}: argument '{name}' appears twice")
        args.append(Arg(type_, name))
    if len(args) > MAX_ARGS:
        raise DefinitionError(f"{where}: at most {MAX_ARGS} arguments (sys/sdt.h's limit)")
    return args


def parse_file(path):
    group = os.path.basename(path)
    if not group.endswith(".probes"):
        raise DefinitionError(f"{path}: definition files end in .probes")
    group = group[: -len(".probes")]
    if not GROUP_RE.match(group):
        raise DefinitionError(f"{path}: group name '{group}' must be lower-case letters and digits")
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()

    group_doc = []
    events = []
    comment = []
    seen_blank = False
    for lineno, raw in enumerate(lines, 1):
        where = f"{path}:{lineno}"
        line = raw.strip()
        if line.startswith("#"):
            comment.append(line[1:].strip())
            continue
        if not line:
            if not events and not seen_blank and comment:
                group_doc = comment
                seen_blank = True
            comment = []
            continue
        m = EVENT_RE.match(line)
        if not m:
            raise DefinitionError(f'{where}: expected NAME(TYPE NAME, ...) "FORMAT"')
        name, args_text, fmt = m.groups()
        if not name.startswith(group + "_"):
            raise DefinitionError(f"{where}: event '{name}' must start with '{group}_'")
        if not comment:
            raise DefinitionError(f"{where}: event '{name}' needs a comment above it")
        events.append(Event(group, name, parse_args(args_text, where), fmt, comment, where))
        comment = []
    if not group_doc:
        raise DefinitionError(f"{path}: the file must open with a comment block describing the group")
    if not events:
        raise DefinitionError(f"{path}: no events defined")
    return Group(group, group_doc, events, path)


def load(paths):
    groups = [parse_file(p) for p in paths]
    seen = {}
    for g in groups:
        for e in g.events:
            if e.name in seen:
                raise DefinitionError(f"{e.where}: event '{e.name}' already defined at {seen[e.name]}")
            seen[e.name] = e.where
    groups.sort(key=lambda g: g.name)
    return groups


def all_events(groups):
    return [e for g in groups for e in g.events]


def write_if_changed(path, text):
    """Leave an unchanged file alone so Ninja rebuilds nothing needlessly."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def c_comment(lines, indent=""):
    if not lines:
        return ""
    body = "\n".join(f"{indent} * {l}".rstrip() for l in lines)
    return f"{indent}/*\n{body}\n{indent} */\n"


def c_format(e):
    """The event's format with C length modifiers, and the cast arguments."""
    out = []
    pos = 0
    convs = iter(e.conversions)
    casts = []
    for m in CONV_RE.finditer(e.fmt):
        out.append(e.fmt[pos : m.start()])
        pos = m.end()
        if m.group(2) == "%":
            out.append("%%")
            continue
        flags, letter = next(convs)
        arg = e.args[len(casts)]
        _, length, cast = CONVERSIONS[arg.cls]
        out.append(f"%{flags}{length}{letter}")
        if arg.cls == "str":
            casts.append(f'({arg.name} ? {arg.name} : "(null)")')
        else:
            casts.append(f"{cast}{arg.name}")
    out.append(e.fmt[pos:])
    return "".join(out), casts


def c_params(e):
    if not e.args:
        return "void"
    return ", ".join(f"{a.c_type}{'' if a.c_type.endswith('*') else ' '}{a.name}" for a in e.args)


GENERATED = "Generated by probes/probegen.py from the probes/<group>.probes definitions: do not edit."


def gen_c_header(group, mode):
    guard = f"RIVET_PROBES_{group.name.upper()}_H"
    out = [f"/* {GENERATED}\n *\n * Probes of group '{group.name}':"]
    out += [f" * {l}".rstrip() for l in group.doc]
    out.append(
        " *\n * probe_NAME(args) fires event NAME; its arguments are evaluated only\n"
        " * when a tracer or -trace has enabled it.  probe_NAME_enabled() says\n"
        " * whether it is, for callers that must compute an argument first.\n */"
    )
    out.append(f"#ifndef {guard}\n#define {guard}\n")
    out.append('#include "probes/probes-common.h"\n')
    for e in group.events:
        names = ", ".join(a.name for a in e.args)
        macro_args = f"({names})"
        out.append(c_comment(e.doc).rstrip())
        if mode == "disabled":
            # Mentioned in dead code so that a variable used only by a probe
            # is still "used"; nothing is evaluated or emitted.
            voids = " ".join(f"(void)({a.name});" for a in e.args)
            out.append(f"#define probe_{e.name}_enabled() false")
            out.append(
                f"#define probe_{e.name}{macro_args} \\\n"
                f"    do {{ \\\n        if (0) {{ \\\n            {voids} \\\n"
                f"        }} \\\n    }} while (0)\n"
                if e.args
                else f"#define probe_{e.name}() do {{ }} while (0)\n"
            )
            continue
        sem = f"{PROVIDER}_{e.name}_semaphore"
        out.append(f"extern unsigned short {sem} RIVET_PROBE_HIDDEN;")
        out.append(f"void rivet_probe_log_{e.name}({c_params(e)});")
        out.append(f"#define probe_{e.name}_enabled() RIVET_PROBE_SEMAPHORE_SET({sem})")
        call_args = ", ".join(f"({a.name})" for a in e.args)
        out.append(
            f"#define probe_{e.name}{macro_args} \\\n"
            f"    do {{ \\\n"
            f"        if (probe_{e.name}_enabled()) {{ \\\n"
            f"            rivet_probe_fire_{e.name}({call_args}); \\\n"
            f"        }} \\\n"
            f"    }} while (0)"
        )
        # Out of line and cold: the caller's fast path stays one load and one
        # branch, with no register spills or frame set-up for the probe.
        out.append(
            "static __attribute__((cold, noinline, unused)) void\n"
            f"rivet_probe_fire_{e.name}({c_params(e)})\n{{"
        )
        if mode == "usdt":
            sdt_args = "".join(f", {a.name}" for a in e.args)
            out.append(f"    STAP_PROBE{len(e.args)}({PROVIDER}, {e.name}{sdt_args});")
        out.append(f"    rivet_probe_log_{e.name}({', '.join(a.name for a in e.args)});")
        out.append("}\n")
    out.append(f"#endif /* {guard} */\n")
    return "\n".join(out)


def gen_c_common(mode):
    head = f"""/* {GENERATED}
 *
 * What every probes/<group>.h needs.  This build's probes mode: {mode}.
 */
#ifndef RIVET_PROBES_COMMON_H
#define RIVET_PROBES_COMMON_H

#include <stdbool.h>
#include <stdint.h>

"""
    if mode == "disabled":
        body = "#define RIVET_PROBES_MODE_DISABLED 1\n"
    else:
        body = ""
        if mode == "usdt":
            body += (
                "/* Each probe's note records the address of its semaphore, which\n"
                " * gdb, SystemTap and bpftrace increment while they are attached. */\n"
                "#define _SDT_HAS_SEMAPHORES 1\n#include <sys/sdt.h>\n\n"
            )
        body += (
            "/* A probe is enabled while its semaphore is non-zero: incremented by\n"
            " * each attached tracer and by -trace.  Volatile, because a tracer\n"
            " * changes it behind the compiler's back; one load and one branch. */\n"
            "/* The semaphores live in the executable itself: hidden visibility lets\n"
            " * the compiler address them directly instead of through the GOT. */\n"
            "#define RIVET_PROBE_HIDDEN __attribute__((visibility(\"hidden\")))\n\n"
            "#define RIVET_PROBE_SEMAPHORE_SET(sem) \\\n"
            "    __builtin_expect(*(volatile unsigned short *)&(sem) != 0, 0)\n"
        )
    return head + body + "\n#endif /* RIVET_PROBES_COMMON_H */\n"


def gen_c_registry(groups, mode):
    events = all_events(groups)
    out = [
        f"/* {GENERATED}\n *\n * The probe registry (for -trace), the semaphores and the log backend.\n */",
        '#include "probes/registry.h"\n',
        "#include <fnmatch.h>",
        "#include <stdio.h>",
        "#include <string.h>\n",
        '#include "util/log.h"',
    ]
    if mode == "disabled":
        out.append(
            """
bool probes_trace_option(const char *pattern, bool *help_shown, Error **errp)
{
    (void)pattern;
    if (help_shown) {
        *help_shown = false;
    }
    error_setg(errp, "-trace: this rivet was built without probes "
                     "(reconfigure with -Dprobes=auto or enabled)");
    return false;
}

unsigned probes_count(void)
{
    return 0;
}

const char *probes_name(unsigned i)
{
    (void)i;
    return NULL;
}

bool probes_log_enabled(unsigned i)
{
    (void)i;
    return false;
}

void probes_set_log_enabled(unsigned i, bool enabled)
{
    (void)i;
    (void)enabled;
}
"""
        )
        return "\n".join(out)

    for g in groups:
        out.append(f'#include "probes/{g.name}.h"')
    out.append("")
    attr = ' __attribute__((section(".probes")))' if mode == "usdt" else ""
    out.append(
        "/* The semaphores, in the section sys/sdt.h's readers expect.  Not static:\n"
        " * the Rust probes read the same ones. */"
    )
    for e in events:
        out.append(f"unsigned short {PROVIDER}_{e.name}_semaphore{attr};")
    out.append(f"\n#define PROBE_COUNT {len(events)}\n")
    out.append("/* Events the log backend prints (set by -trace). */")
    out.append("static bool log_enabled[PROBE_COUNT];\n")
    for i, e in enumerate(events):
        fmt, casts = c_format(e)
        cast_text = "".join(f", {c}" for c in casts)
        out.append(f"void rivet_probe_log_{e.name}({c_params(e)})\n{{")
        out.append(f"    if (!log_enabled[{i}]) {{\n        return;\n    }}")
        out.append(f'    log_printf("{e.name} {fmt}\\n"{cast_text});\n}}\n')

    out.append(
        "typedef struct ProbeInfo {\n    const char *name;\n    const char *group;\n"
        "    const char *args;\n    const char *doc;\n    unsigned short *semaphore;\n} ProbeInfo;\n"
    )
    out.append("static const ProbeInfo probes[PROBE_COUNT] = {")
    for e in events:
        args = ", ".join(f"{a.type} {a.name}" for a in e.args)
        doc = " ".join(e.doc).split(". ")[0].rstrip(".")
        doc = doc.replace("\\", "\\\\").replace('"', '\\"')
        out.append(
            f'    {{"{e.name}", "{e.group}", "{args}", "{doc}",\n'
            f"     &{PROVIDER}_{e.name}_semaphore}},"
        )
    out.append("};\n")
    out.append(
        """static void print_probe_list(void)
{
    printf("Probes (-trace PATTERN prints those whose name matches the glob;\\n"
           "repeat -trace for more; they also attach as USDT probes rivet:NAME):\\n");
    const char *group = "";
    for (unsigned i = 0; i < PROBE_COUNT; i++) {
        if (strcmp(group, probes[i].group) != 0) {
            group = probes[i].group;
            printf("%s:\\n", group);
        }
        printf("  %s(%s)\\n      %s\\n", probes[i].name, probes[i].args,
               probes[i].doc);
    }
}

bool probes_trace_option(const char *pattern, bool *help_shown, Error **errp)
{
    if (help_shown) {
        *help_shown = false;
    }
    if (!strcmp(pattern, "help")) {
        print_probe_list();
        if (help_shown) {
            *help_shown = true;
        }
        return true;
    }
    /* Match first, enable after, so a bad pattern changes nothing. */
    bool matches[PROBE_COUNT];
    bool any = false;
    for (unsigned i = 0; i < PROBE_COUNT; i++) {
        matches[i] = fnmatch(pattern, probes[i].name, 0) == 0;
        any |= matches[i];
    }
    if (!any) {
        error_setg(errp, "-trace %s: no probe matches (try -trace help)",
                   pattern);
        return false;
    }
    for (unsigned i = 0; i < PROBE_COUNT; i++) {
        if (matches[i]) {
            probes_set_log_enabled(i, true);
        }
    }
    return true;
}

unsigned probes_count(void)
{
    return PROBE_COUNT;
}

const char *probes_name(unsigned i)
{
    return i < PROBE_COUNT ? probes[i].name : NULL;
}

bool probes_log_enabled(unsigned i)
{
    return i < PROBE_COUNT && log_enabled[i];
}

void probes_set_log_enabled(unsigned i, bool enabled)
{
    if (i >= PROBE_COUNT || log_enabled[i] == enabled) {
        return;
    }
    log_enabled[i] = enabled;
    /* The same semaphore a tracer increments: one test on the hot path
     * serves both. */
    if (enabled) {
        (*probes[i].semaphore)++;
    } else {
        (*probes[i].semaphore)--;
    }
}
"""
    )
    return "\n".join(out)


def rust_doc(lines, prefix):
    return "\n".join(f"{prefix} {l}".rstrip() for l in lines)


def rust_ffi_type(arg):
    """The type the C log function takes (a CStr goes over as its pointer)."""
    return "*const ::core::ffi::c_char" if arg.cls == "str" else arg.rust_type


def gen_rust(groups, mode):
    out = [
        f"// {GENERATED}",
        "//",
        f"// The Rust side of the probes (mode: {mode}): one module per group, the",
        "// same events, arguments and semaphores as the C probes/<group>.h.",
        "",
    ]
    for g in groups:
        out.append(rust_doc(g.doc, "///"))
        out.append(f"pub mod {g.name} {{")
        if mode != "disabled":
            out.append('    extern "C" {')
            for e in g.events:
                out.append(f"        static {PROVIDER}_{e.name}_semaphore: u16;")
                params = ", ".join(f"{a.name}: {rust_ffi_type(a)}" for a in e.args)
                out.append(f"        fn rivet_probe_log_{e.name}({params});")
            out.append("    }")
        for e in g.events:
            params = ", ".join(f"{a.name}: {a.rust_type}" for a in e.args)
            unused = ", ".join(f"_{a.name}: {a.rust_type}" for a in e.args)
            names = ", ".join(a.name + (".as_ptr()" if a.cls == "str" else "") for a in e.args)
            sem = f"{PROVIDER}_{e.name}_semaphore"
            out.append("")
            out.append(f"    /// Whether `{e.name}` is enabled (a tracer or `-trace` is on it).")
            out.append("    #[inline(always)]")
            out.append(f"    pub fn {e.name}_enabled() -> bool {{")
            if mode == "disabled":
                out.append("        false")
            else:
                out.append(
                    "        // SAFETY: the semaphore is a u16 defined by the C registry for\n"
                    "        // the whole run; tracers change it from outside, hence volatile.\n"
                    f"        unsafe {{ ::core::ptr::read_volatile(::core::ptr::addr_of!({sem})) != 0 }}"
                )
            out.append("    }")
            out.append("")
            out.append(rust_doc(e.doc, "    ///"))
            out.append(f'    #[doc = "\\n\\nFormat: `{e.fmt}`"]')
            out.append("    #[inline(always)]")
            if mode == "disabled":
                out.append("    #[allow(clippy::too_many_arguments)]")
                out.append(f"    pub fn {e.name}({unused}) {{}}")
                continue
            out.append("    #[allow(clippy::too_many_arguments)]")
            if any(a.cls == "ptr" for a in e.args):
                # A ptr argument is only printed (%p), never dereferenced.
                out.append("    #[allow(clippy::not_unsafe_ptr_arg_deref)]")
            out.append(f"    pub fn {e.name}({params}) {{")
            out.append(f"        if {e.name}_enabled() {{")
            out.append(f"            {e.name}_fire({', '.join(a.name for a in e.args)});")
            out.append("        }")
            out.append("    }")
            out.append("")
            # Out of line and cold, as in C: the device's hot path keeps
            # only the semaphore test, not the note site or the call.
            out.append(f"    /// Fires `{e.name}`; only reached when it is enabled.")
            out.append("    #[cold]")
            out.append("    #[inline(never)]")
            out.append("    #[allow(clippy::too_many_arguments)]")
            if any(a.cls == "ptr" for a in e.args):
                out.append("    #[allow(clippy::not_unsafe_ptr_arg_deref)]")
            out.append(f"    fn {e.name}_fire({params}) {{")
            if mode == "usdt":
                sdt_args = "".join(
                    f" {a.name}" + (".as_ptr()" if a.cls == "str" else "") + "," for a in e.args
                )
                out.append(
                    "        // The probe crate's note generator, told to record our\n"
                    "        // semaphore so that attaching a tracer enables this site.\n"
                    f'        ::probe::sdt!([sym "{{}}" {sem}], {PROVIDER}, {e.name},{sdt_args});'
                )
            out.append(
                "        // SAFETY: a plain C function of the registry taking these\n"
                "        // arguments by value; it only formats them when -trace asked.\n"
                f"        unsafe {{ rivet_probe_log_{e.name}({names}) }}"
            )
            out.append("    }")
        out.append("}\n")
    return "\n".join(out)


def stap_format(e):
    out = []
    pos = 0
    for m in CONV_RE.finditer(e.fmt):
        out.append(e.fmt[pos : m.start()])
        pos = m.end()
        out.append(m.group(0))
    out.append(e.fmt[pos:])
    return "".join(out)


def gen_tapset(groups, binary):
    out = [
        f"// {GENERATED}",
        "//",
        "// SystemTap tapset for rivet's USDT probes:",
        "//   stap -e 'probe rivet.pl011_write { println(probestr) }' -c 'rivet ...'",
        "// Each probe alias names the event's arguments and sets probestr to the",
        "// line the -trace log backend would print.",
        "",
    ]
    for g in groups:
        out.append(f"// group {g.name}: " + " ".join(g.doc))
        for e in g.events:
            out.append(rust_doc(e.doc, "//"))
            out.append(
                f'probe {PROVIDER}.{e.name} = process("{binary}").provider("{PROVIDER}").mark("{e.name}")'
            )
            out.append("{")
            for i, a in enumerate(e.args, 1):
                value = f"user_string(${'arg'}{i})" if a.cls == "str" else f"$arg{i}"
                out.append(f"    {a.name} = {value}")
            names = "".join(f", {a.name}" for a in e.args)
            out.append(f'    probestr = sprintf("{e.name} {stap_format(e)}"{names})')
            out.append("}\n")
    return "\n".join(out)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("c", help="C headers and the registry")
    c.add_argument("--mode", choices=["usdt", "log", "disabled"], required=True)
    c.add_argument("--outdir", required=True)
    r = sub.add_parser("rust", help="the Rust module")
    r.add_argument("--mode", choices=["usdt", "log", "disabled"], required=True)
    r.add_argument("--out", required=True)
    t = sub.add_parser("tapset", help="the SystemTap tapset")
    t.add_argument("--binary", required=True)
    t.add_argument("--out", required=True)
    l = sub.add_parser("list", help="print provider:name of every event")
    l.add_argument("--json", action="store_true", help="names with argument types")
    for p in (c, r, t, l):
        p.add_argument("defs", nargs="+")
    args = parser.parse_args(argv)

    try:
        groups = load(args.defs)
    except (DefinitionError, OSError) as exc:
        print(f"probegen: {exc}", file=sys.stderr)
        return 1

    if args.cmd == "c":
        os.makedirs(args.outdir, exist_ok=True)
        write_if_changed(os.path.join(args.outdir, "probes-common.h"), gen_c_common(args.mode))
        for g in groups:
            write_if_changed(os.path.join(args.outdir, f"{g.name}.h"), gen_c_header(g, args.mode))
        write_if_changed(os.path.join(args.outdir, "registry.c"), gen_c_registry(groups, args.mode))
    elif args.cmd == "rust":
        write_if_changed(args.out, gen_rust(groups, args.mode))
    elif args.cmd == "tapset":
        write_if_changed(args.out, gen_tapset(groups, args.binary))
    elif args.cmd == "list":
        if args.json:
            print(json.dumps({e.name: [a.type for a in e.args] for e in all_events(groups)}, indent=1))
        else:
            for e in all_events(groups):
                print(f"{PROVIDER}:{e.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
