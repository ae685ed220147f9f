"""The reference page: docs/qmp-reference.md from the ## doc comments."""
from schema import Doc, cond_text


def type_text(typ):
    if isinstance(typ, list):
        return f"[{type_text(typ[0])}]"
    return typ


def generate(schema, impls):
    out = ["# QMP reference", "",
           "Generated from the QAPI schema (qapi/*.json) by qapi/gen/qapi-gen.py: do not",
           "edit; edit the `##` comments of the schema instead (docs/qapi.md).", "",
           "**Implemented in** says which language runs a command in the generated",
           "dispatch table; \"not yet\" means the command is declared (its types exist in",
           "C and Rust) but not implemented, and not in the table (qapi/implementations).",
           ""]
    for module in schema.modules:
        ents = [e for e in schema.order if e.module == module]
        if not ents:
            continue
        out += [f"## {module}", ""]
        for e in ents:
            out += [f"### {e.name} ({e.meta})", ""]
            body = Doc.text(e.doc.body)
            if body:
                out += [body, ""]
            if e.cond:
                out += [f"Only when: `{cond_text(e.cond)}`", ""]
            if e.meta == "command":
                impl = impls.get(e.name)
                out += [f"Implemented in: {'C' if impl == 'c' else 'Rust' if impl else 'not yet'}",
                        ""]
            if e.meta == "enum":
                out += ["| value | meaning |", "|---|---|"]
                for v, _ in e.values:
                    out.append(f"| `{v}` | {Doc.text(e.doc.args.get(v, []))} |")
                out.append("")
            members = list(getattr(e, "members", []))
            if e.meta == "alternate":
                out += ["| branch | type | meaning |", "|---|---|---|"]
                for n, t in e.variants:
                    out.append(f"| `{n}` | `{type_text(t)}` | {Doc.text(e.doc.args.get(n, []))} |")
                out.append("")
            if members:
                out += ["| member | type | meaning |", "|---|---|---|"]
                for m in members:
                    opt = " (optional)" if m.optional else ""
                    feats = f" (features: {', '.join(m.features)})" if m.features else ""
                    out.append(f"| `{m.name}`{opt} | `{type_text(m.type)}` | "
                               f"{Doc.text(e.doc.args.get(m.name, []))}{feats} |")
                out.append("")
            if e.meta == "union":
                out += [f"Discriminator: `{e.discriminator.name}`; branches: "
                        + ", ".join(f"`{v}`: `{t}`" for v, t in e.variants), ""]
            if getattr(e, "returns", None) is not None:
                out += [f"Returns: `{type_text(e.returns)}`", ""]
            for title, lines in e.doc.sections:
                if title != "Returns" and Doc.text(lines):
                    out += [f"{title}: {Doc.text(lines)}", ""]
    return {"qmp-reference.md": out}
