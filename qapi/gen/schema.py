"""Reads a QAPI schema (QEMU's schema language) into a checked model.

The syntax is QEMU's: each file holds JSON-like expressions written with
single-quoted strings, `#` comments, and `##` doc blocks that document the
expression after them.  `{ 'include': 'FILE' }` pulls in another file,
which is its own module (the file's name without .json).

Every problem is a QAPIError whose text is `FILE:LINE: reason`, so a bad
schema stops the build pointing at the line to fix.
"""
import os
import re

BUILTIN_TYPES = {
    "str", "int", "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64", "size", "number", "bool",
    "null", "any",
}
META_KEYS = {
    "enum": {"enum", "data", "if", "features", "prefix"},
    "struct": {"struct", "data", "base", "if", "features"},
    "union": {"union", "base", "discriminator", "data", "if", "features"},
    "alternate": {"alternate", "data", "if", "features"},
    # QEMU's allow-preconfig, allow-oob and coroutine are accepted and mean
    # nothing here (rivet has no preconfig state, no out-of-band execution,
    # no coroutines); boxed, gen and success-response are not supported.
    "command": {"command", "data", "returns", "if", "features",
                "allow-preconfig", "allow-oob", "coroutine"},
    "event": {"event", "data", "if", "features"},
    "include": {"include"},
    "pragma": {"pragma"},
}
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class QAPIError(Exception):
    def __init__(self, file, line, msg):
        super().__init__(f"{file}:{line}: {msg}")


class Info:
    """Where an expression is: its file, line and module."""

    def __init__(self, file, line, module):
        self.file, self.line, self.module = file, line, module

    def error(self, msg):
        return QAPIError(self.file, self.line, msg)


# ---------------------------------------------------------------- parsing

class Parser:
    """Tokenises and parses one schema file into (expr, info, doc) items."""

    def __init__(self, path, module):
        self.path = path
        self.module = module
        with open(path, encoding="utf-8") as f:
            self.text = f.read()
        self.pos = 0
        self.line = 1
        self.tok = None
        self.val = None
        self.tok_line = 1
        self.pending_doc = None

    def err(self, msg, line=None):
        return QAPIError(self.path, line or self.tok_line, msg)

    def next(self):
        """Reads the next token into self.tok ('{', ',', 'str', 'bool', None
        at the end), collecting doc blocks on the way."""
        text = self.text
        while True:
            if self.pos >= len(text):
                self.tok = None
                self.tok_line = self.line
                return
            c = text[self.pos]
            if c == "\n":
                self.line += 1
                self.pos += 1
            elif c in " \t\r":
                self.pos += 1
            elif c == "#":
                if text.startswith("##", self.pos) and self.at_line_start():
                    self.read_doc()
                else:
                    end = text.find("\n", self.pos)
                    self.pos = len(text) if end < 0 else end
            else:
                break
        self.tok_line = self.line
        if c in "{}[]:,":
            self.tok = c
            self.pos += 1
        elif c == "'":
            out = []
            self.pos += 1
            while True:
                if self.pos >= len(text) or text[self.pos] == "\n":
                    raise self.err("missing terminating \"'\"")
                ch = text[self.pos]
                self.pos += 1
                if ch == "'":
                    break
                if ch == "\\":
                    raise self.err("backslash escapes are not allowed in strings")
                out.append(ch)
            self.tok, self.val = "str", "".join(out)
        elif text.startswith("true", self.pos):
            self.tok, self.val = "bool", True
            self.pos += 4
        elif text.startswith("false", self.pos):
            self.tok, self.val = "bool", False
            self.pos += 5
        else:
            raise self.err(f"stray '{c}'")

    def at_line_start(self):
        start = self.text.rfind("\n", 0, self.pos) + 1
        return self.text[start:self.pos].strip() == ""

    def read_doc(self):
        """A doc block: '##', lines of '# text', '##'."""
        first = self.line
        lines = []
        end = self.text.find("\n", self.pos)
        if self.text[self.pos:end if end >= 0 else None].strip() != "##":
            raise self.err("junk after '##' at the start of a doc block", self.line)
        self.pos = end + 1
        self.line += 1
        while True:
            if self.pos >= len(self.text):
                raise self.err("documentation block is not terminated by '##'", first)
            end = self.text.find("\n", self.pos)
            raw = self.text[self.pos:end if end >= 0 else len(self.text)]
            self.pos = end + 1 if end >= 0 else len(self.text)
            self.line += 1
            stripped = raw.strip()
            if stripped == "##":
                break
            if not stripped.startswith("#"):
                raise self.err("documentation comment must end with '##'", self.line - 1)
            body = stripped[1:]
            if body and not body.startswith(" "):
                raise self.err("missing space after #", self.line - 1)
            lines.append((self.line - 1, body[1:]))
        self.pending_doc = Doc(self.path, first, lines)

    def value(self):
        if self.tok == "{":
            line = self.tok_line
            out = {}
            self.next()
            if self.tok == "}":
                self.next()
                return out
            while True:
                if self.tok != "str":
                    raise self.err("expected string key")
                key = self.val
                if key in out:
                    raise self.err(f"duplicate key '{key}'")
                self.next()
                if self.tok != ":":
                    raise self.err("expected ':'")
                self.next()
                out[key] = self.value()
                if self.tok == "}":
                    self.next()
                    return out
                if self.tok != ",":
                    raise self.err("expected ',' or '}'" if self.tok else
                                   f"unterminated object (opened on line {line})")
                self.next()
        if self.tok == "[":
            out = []
            self.next()
            if self.tok == "]":
                self.next()
                return out
            while True:
                out.append(self.value())
                if self.tok == "]":
                    self.next()
                    return out
                if self.tok != ",":
                    raise self.err("expected ',' or ']'")
                self.next()
        if self.tok in ("str", "bool"):
            v = self.val
            self.next()
            return v
        raise self.err("expected a value" if self.tok else "unexpected end of file")

    def items(self):
        self.next()
        while self.tok is not None:
            if self.tok != "{":
                raise self.err("expected '{' starting a definition")
            line = self.tok_line
            doc, self.pending_doc = self.pending_doc, None
            expr = self.value()
            yield expr, Info(self.path, line, self.module), doc
        if self.pending_doc:
            raise QAPIError(self.path, self.pending_doc.line,
                            "documentation for nothing: no definition follows")


class Doc:
    """A ## block: its symbol (`@Name:`), body text, and `@member:` texts."""

    def __init__(self, file, line, lines):
        self.file, self.line = file, line
        self.symbol = None
        self.body = []
        self.args = {}
        self.sections = []  # (title, text lines), e.g. Returns, Since
        current = self.body
        for n, text in lines:
            m = re.match(r"^@([\w-]+):\s*(.*)$", text)
            if self.symbol is None and m and not m.group(2):
                self.symbol = m.group(1)
                continue
            if m and self.symbol is not None:
                self.args[m.group(1)] = [m.group(2)]
                current = self.args[m.group(1)]
                continue
            s = re.match(r"^(Returns|Since|Features|Errors|Example|Notes?):\s*(.*)$", text)
            if s and not text.startswith(" "):
                current = [s.group(2)] if s.group(2) else []
                self.sections.append((s.group(1), current))
                continue
            current.append(text)

    @staticmethod
    def text(lines):
        return re.sub(r"\s+", " ", " ".join(lines)).strip()


# ----------------------------------------------------------------- model

class Member:
    def __init__(self, name, typ, optional, cond, features, info):
        self.name, self.type, self.optional = name, typ, optional
        self.cond, self.features, self.info = cond, features, info


class Entity:
    def __init__(self, meta, name, expr, info, doc):
        self.meta, self.name, self.expr, self.info, self.doc = meta, name, expr, info, doc
        self.cond = expr.get("if")
        self.features = parse_features(expr.get("features", []), info)
        self.module = info.module


def parse_features(value, info):
    if not isinstance(value, list):
        raise info.error("'features' must be an array")
    out = []
    for f in value:
        if isinstance(f, str):
            out.append(f)
        elif isinstance(f, dict) and isinstance(f.get("name"), str):
            out.append(f["name"])
        else:
            raise info.error("a feature must be a string or {'name': ...}")
    return out


def check_cond(cond, info):
    if cond is None or isinstance(cond, str):
        if isinstance(cond, str) and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", cond):
            raise info.error(f"'if' condition '{cond}' is not a valid identifier")
        return
    if isinstance(cond, dict) and len(cond) == 1:
        (op, arg), = cond.items()
        if op == "not":
            check_cond(arg, info)
            return
        if op in ("all", "any") and isinstance(arg, list) and arg:
            for a in arg:
                check_cond(a, info)
            return
    raise info.error("'if' must be a string or one of {'all': [...]}, "
                     "{'any': [...]}, {'not': ...}")


def cond_true(cond, defines):
    if cond is None:
        return True
    if isinstance(cond, str):
        return cond in defines
    (op, arg), = cond.items()
    if op == "not":
        return not cond_true(arg, defines)
    if op == "all":
        return all(cond_true(a, defines) for a in arg)
    return any(cond_true(a, defines) for a in arg)


def cond_text(cond):
    if isinstance(cond, str):
        return cond
    (op, arg), = cond.items()
    if op == "not":
        return f"not {cond_text(arg)}"
    return f" {op} ".join(f"({cond_text(a)})" for a in arg)


def parse_members(data, info, what):
    if not isinstance(data, dict):
        raise info.error(f"{what} must be an object")
    members = []
    seen = {}
    for key, value in data.items():
        optional = key.startswith("*")
        name = key[1:] if optional else key
        if not NAME.match(name):
            raise info.error(f"{what} has an invalid member name '{key}'")
        cond, features = None, []
        if isinstance(value, dict):
            extra = set(value) - {"type", "if", "features"}
            if extra or "type" not in value:
                raise info.error(f"member '{name}' of {what} must have 'type' "
                                 "and may have 'if' and 'features'")
            cond = value.get("if")
            check_cond(cond, info)
            features = parse_features(value.get("features", []), info)
            value = value["type"]
        check_type_ref(value, info, f"member '{name}' of {what}")
        if name.replace("_", "-") in seen:
            raise info.error(f"{what} has a duplicate member '{name}'")
        seen[name.replace("_", "-")] = True
        members.append(Member(name, value, optional, cond, features, info))
    return members


def check_type_ref(value, info, what):
    if isinstance(value, list):
        if len(value) != 1 or not isinstance(value[0], str):
            raise info.error(f"{what}: an array type must be [ 'TYPE' ]")
        return
    if not isinstance(value, str):
        raise info.error(f"{what}: a type must be a name or [ 'TYPE' ]")


class Schema:
    """All definitions of a schema, checked; `defines` selects the `if`
    conditions that hold (the others' definitions are left out)."""

    def __init__(self, path, defines=()):
        self.defines = set(defines)
        self.entities = {}        # name -> Entity, every one
        self.order = []           # definition order
        self.modules = []         # module names, in include order
        self.includes = {}        # module -> [modules it includes]
        self.files = {}           # module -> file path
        self.docs = {}            # module -> [doc of module headings]
        self.load(os.path.abspath(path), set())
        for ent in self.order:
            self.check(ent)
        self.active = [e for e in self.order if cond_true(e.cond, self.defines)]
        for ent in self.active:
            self.check_active(ent)

    # --- loading

    def load(self, path, stack):
        module = os.path.basename(path)
        module = module[:-5] if module.endswith(".json") else module
        if module in self.files:
            return module
        self.files[module] = path
        self.modules.append(module)
        self.includes[module] = []
        self.docs[module] = []
        for expr, info, doc in Parser(path, module).items():
            if "include" in expr:
                self.check_keys(expr, info, "include")
                target = expr["include"]
                if not isinstance(target, str):
                    raise info.error("value of 'include' must be a string")
                full = os.path.join(os.path.dirname(path), target)
                if not os.path.isfile(full):
                    raise info.error(f"can't read include file '{target}'")
                if full in stack:
                    raise info.error(f"inclusion loop for '{target}'")
                if doc:
                    raise info.error("an include cannot be documented")
                self.includes[module].append(self.load(full, stack | {path}))
                continue
            if "pragma" in expr:
                self.check_keys(expr, info, "pragma")
                continue
            metas = [m for m in ("enum", "struct", "union", "alternate", "command", "event")
                     if m in expr]
            if len(metas) != 1:
                raise info.error("expression must have exactly one of 'enum', 'struct', "
                                 "'union', 'alternate', 'command', 'event', 'include', 'pragma'")
            meta = metas[0]
            self.check_keys(expr, info, meta)
            name = expr[meta]
            if not isinstance(name, str) or not NAME.match(name):
                raise info.error(f"'{meta}' requires a name")
            if name in BUILTIN_TYPES or name in self.entities:
                raise info.error(f"'{name}' is already defined")
            if doc is None:
                raise info.error(f"{meta} '{name}' has no documentation (a ## block before it)")
            if doc.symbol != name:
                raise QAPIError(doc.file, doc.line,
                                f"documentation is for '{doc.symbol}', not '{name}'")
            check_cond(expr.get("if"), info)
            ent = Entity(meta, name, expr, info, doc)
            self.entities[name] = ent
            self.order.append(ent)
        return module

    def check_keys(self, expr, info, meta):
        extra = set(expr) - META_KEYS[meta]
        if extra:
            raise info.error(f"{meta} has unknown key '{sorted(extra)[0]}'")

    # --- checking

    def lookup(self, typ, info, what):
        name = typ[0] if isinstance(typ, list) else typ
        if name in BUILTIN_TYPES:
            return None
        if name not in self.entities:
            raise info.error(f"{what} uses unknown type '{name}'")
        ent = self.entities[name]
        if ent.meta in ("command", "event"):
            raise info.error(f"{what} uses '{name}', which is a {ent.meta}, not a type")
        return ent

    def check(self, ent):
        info, expr, meta = ent.info, ent.expr, ent.meta
        what = f"{meta} '{ent.name}'"
        if meta == "enum":
            data = expr.get("data")
            if not isinstance(data, list):
                raise info.error(f"{what} requires 'data': [ values ]")
            ent.values = []
            for v in data:
                cond = None
                if isinstance(v, dict):
                    cond = v.get("if")
                    check_cond(cond, info)
                    v = v.get("name")
                if not isinstance(v, str) or not NAME.match(v):
                    raise info.error(f"{what} has an invalid value {v!r}")
                if any(v == o for o, _ in ent.values):
                    raise info.error(f"{what} has a duplicate value '{v}'")
                ent.values.append((v, cond))
            self.check_doc(ent, [v for v, _ in ent.values])
            return
        if meta == "struct":
            ent.members = self.base_members(ent, expr.get("base"), what)
            own = parse_members(expr.get("data", {}), info, what)
            self.merge(ent, ent.members, own, what)
            for m in ent.members:
                self.lookup(m.type, info, what)
            self.check_doc(ent, [m.name for m in own])
            return
        if meta == "union":
            if "discriminator" not in expr:
                raise info.error(f"{what} has no 'discriminator'")
            if "base" not in expr:
                raise info.error(f"{what} has no 'base'")
            ent.members = self.base_members(ent, expr["base"], what)
            for m in ent.members:
                self.lookup(m.type, info, what)
            disc = expr["discriminator"]
            found = [m for m in ent.members if m.name == disc]
            if not found:
                raise info.error(f"discriminator '{disc}' of {what} is not a member of its base")
            dm = found[0]
            ent.discriminator = dm
            dtype = self.lookup(dm.type, info, what)
            if dm.optional or dtype is None or dtype.meta != "enum" or isinstance(dm.type, list):
                raise info.error(f"discriminator '{disc}' of {what} must be a "
                                 "mandatory member of an enum type")
            self.check(dtype) if not hasattr(dtype, "values") else None
            values = [v for v, _ in dtype.values]
            ent.variants = []
            data = expr.get("data", {})
            if not isinstance(data, dict):
                raise info.error(f"{what}: 'data' must be an object")
            for value, typ in data.items():
                if value not in values:
                    raise info.error(f"{what}: branch '{value}' is not a value of {dtype.name}")
                vt = self.lookup(typ, info, f"branch '{value}' of {what}")
                if vt is None or vt.meta != "struct" or isinstance(typ, list):
                    raise info.error(f"branch '{value}' of {what} must be a struct type")
                ent.variants.append((value, typ))
            if isinstance(expr["base"], dict):
                self.check_doc(ent, [m.name for m in ent.members])
            else:
                self.check_doc(ent, [])
            return
        if meta == "alternate":
            data = expr.get("data")
            if not isinstance(data, dict) or not data:
                raise info.error(f"{what} requires 'data' with at least one branch")
            ent.variants = []
            seen = {}
            for name, typ in data.items():
                check_type_ref(typ, info, f"branch '{name}' of {what}")
                t = self.lookup(typ, info, f"branch '{name}' of {what}")
                jt = self.json_type(typ)
                if jt in seen or typ == "any":
                    raise info.error(f"{what}: branches '{seen.get(jt, name)}' and '{name}' "
                                     "cannot be told apart")
                seen[jt] = name
                ent.variants.append((name, typ))
                del t
            self.check_doc(ent, list(data))
            return
        if meta in ("command", "event"):
            data = expr.get("data")
            ent.members = []
            if isinstance(data, str):
                t = self.lookup(data, info, what)
                if t is None or t.meta != "struct":
                    raise info.error(f"'data' of {what} must be an object or a struct name")
                if not hasattr(t, "members"):
                    self.check(t)
                ent.members = t.members
                ent.arg_type = data
                documented = []
            elif data is not None:
                ent.members = parse_members(data, info, what)
                for m in ent.members:
                    self.lookup(m.type, info, what)
                ent.arg_type = None
                documented = [m.name for m in ent.members]
            else:
                ent.arg_type = None
                documented = []
            ent.returns = expr.get("returns")
            if meta == "command" and ent.returns is not None:
                check_type_ref(ent.returns, info, f"'returns' of {what}")
                self.lookup(ent.returns, info, f"'returns' of {what}")
            self.check_doc(ent, documented)

    def base_members(self, ent, base, what):
        info = ent.info
        if base is None:
            return []
        if isinstance(base, dict):
            return parse_members(base, info, f"base of {what}")
        t = self.lookup(base, info, what)
        if t is None or t.meta != "struct" or isinstance(base, list):
            raise info.error(f"'base' of {what} must be a struct")
        if not hasattr(t, "members"):
            self.check(t)
        return list(t.members)

    @staticmethod
    def merge(ent, members, own, what):
        names = {m.name for m in members}
        for m in own:
            if m.name in names:
                raise ent.info.error(f"{what} has a duplicate member '{m.name}' (also in its base)")
            members.append(m)

    def json_type(self, typ):
        if isinstance(typ, list):
            return "array"
        if typ in ("str",):
            return "string"
        if typ in ("bool",):
            return "boolean"
        if typ == "null":
            return "null"
        if typ in BUILTIN_TYPES:
            return "number"
        meta = self.entities[typ].meta
        return "string" if meta == "enum" else "object"

    def check_doc(self, ent, members):
        for name in members:
            if name not in ent.doc.args:
                raise QAPIError(ent.doc.file, ent.doc.line,
                                f"member '{name}' of '{ent.name}' is not documented")
        for name in ent.doc.args:
            if name not in members and name not in ent.features and not any(
                    name in m.features for m in getattr(ent, "members", [])):
                raise QAPIError(ent.doc.file, ent.doc.line,
                                f"'{ent.name}' documents '@{name}', which it does not have")

    def check_active(self, ent):
        """An included definition may only use included types."""
        refs = []
        for m in getattr(ent, "members", []):
            if cond_true(m.cond, self.defines):
                refs.append(m.type)
        refs += [t for _, t in getattr(ent, "variants", [])]
        if getattr(ent, "returns", None) is not None:
            refs.append(ent.returns)
        for typ in refs:
            name = typ[0] if isinstance(typ, list) else typ
            t = self.entities.get(name)
            if t is not None and not cond_true(t.cond, self.defines):
                raise ent.info.error(f"{ent.meta} '{ent.name}' uses '{name}', which its "
                                     f"'if' ({cond_text(t.cond)}) leaves out")

    # --- queries for the back ends

    def module_entities(self, module):
        return [e for e in self.active if e.module == module]

    def active_members(self, ent):
        return [m for m in getattr(ent, "members", []) if cond_true(m.cond, self.defines)]

    def active_values(self, ent):
        return [v for v, c in ent.values if cond_true(c, self.defines)]

    def include_closure(self, module):
        out, todo = [], list(self.includes[module])
        while todo:
            m = todo.pop(0)
            if m not in out:
                out.append(m)
                todo += self.includes[m]
        return out

    def commands(self):
        return [e for e in self.active if e.meta == "command"]


def read_implementations(path, schema, strict=True):
    """The command implementations file: `COMMAND c|rust` per line, `#`
    comments.  Returns {command: language} for the commands the schema's
    conditions keep.  Not strict (one module's schema): names of other
    modules' commands are skipped."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) != 2 or words[1] not in ("c", "rust"):
                raise QAPIError(path, n, "expected 'COMMAND c' or 'COMMAND rust'")
            name, lang = words
            ent = schema.entities.get(name)
            if (ent is None or ent.meta != "command") and not strict and ent is None:
                continue
            if ent is None or ent.meta != "command":
                raise QAPIError(path, n, f"'{name}' is not a command of the schema")
            if name in out:
                raise QAPIError(path, n, f"'{name}' is listed twice")
            if cond_true(ent.cond, schema.defines):
                out[name] = lang
    return out
