#!/usr/bin/env python3
"""Check that only the public API carries the bp_ prefix.

The library exports the bp_* functions of include/bitsparse/*.h; everything
else in src/ carries its folder's prefix (util_, result_, ese_, bits_, carve_,
evtx_, fields_, detect_, sigma_, out_, input_, cli_), so a reader of a name
knows where it lives and the exported bp_ names stay the API. This check fails
(exit 1) on every identifier of src/ with external linkage (a function or a
global variable that is not static, defined or declared at file scope) whose
name starts with bp_ and that include/bitsparse/*.h does not declare. Static
names, types, tags, enum constants and macros have no linkage and are not
checked here.

The C of src/ is read with a small scanner (comments, strings and
preprocessor lines removed, then the file-scope declarations split at ';'
and at function bodies), which is enough for the project's own style; the
scanner is also used by the rename script that gave the private names their
prefixes.

usage: check-names.py [ROOT]      ROOT defaults to the repository root
       check-names.py --self-test plants private bp_ names in a scratch tree
"""
import os
import re
import sys
import tempfile

TOKEN = re.compile(r'[A-Za-z_]\w*|\d[\w.]*|\.\.\.|->|[^\s\w]')
IDENT = re.compile(r'[A-Za-z_]\w*$')
KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "_Bool", "_Noreturn", "_Static_assert",
    "_Thread_local", "_Alignas", "__attribute__", "__restrict", "__inline",
}


def strip_comments_and_strings(text):
    """The text with comments, string and character literals blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = min(j + 1, n)
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_preprocessor(text):
    """(code without directives, [directive lines]) of comment-free text."""
    code, directives = [], []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("#"):
            full = line
            while full.endswith("\\") and i + 1 < len(lines):
                i += 1
                full = full[:-1] + " " + lines[i]
                code.append("")
            directives.append(full.strip())
            code.append("")
        else:
            code.append(line)
        i += 1
    return "\n".join(code), directives


def group_end(tokens, i):
    """Index after the balanced group opened by tokens[i] ('(' or '{')."""
    opening = tokens[i]
    closing = ")" if opening == "(" else "}"
    depth = 0
    while i < len(tokens):
        if tokens[i] == opening:
            depth += 1
        elif tokens[i] == closing:
            depth -= 1
        i += 1
        if depth == 0:
            break
    return i


def drop_attributes(tokens):
    """Tokens without __attribute__((...)) groups."""
    out, i = [], 0
    while i < len(tokens):
        if tokens[i] == "__attribute__" and i + 1 < len(tokens) and tokens[i + 1] == "(":
            i = group_end(tokens, i + 1)
            continue
        out.append(tokens[i])
        i += 1
    return out


def top_level_declarations(tokens):
    """Split file-scope tokens into declarations: (tokens, has_function_body)."""
    decls, current, i = [], [], 0
    while i < len(tokens):
        t = tokens[i]
        if t == "{":
            # the balanced group belongs to the declaration being read
            start, i = i, group_end(tokens, i)
            group = tokens[start:i]
            is_body = bool(current) and current[-1] == ")" and "=" not in current
            current.append(group)
            if is_body:
                decls.append((current, True))
                current = []
            continue
        if t == ";":
            if current:
                decls.append((current, False))
            current = []
        else:
            current.append(t)
        i += 1
    if current:
        decls.append((current, False))
    return decls


def enum_constants(group):
    """Names declared by an enum body (a list of tokens from '{' to '}')."""
    names, depth, expect = [], 0, True
    for t in group:
        if t in "({[":
            depth += 1
            if depth == 1 and t == "{":
                expect = True
            continue
        if t in ")}]":
            depth -= 1
            continue
        if depth == 1:
            if t == ",":
                expect = True
            elif expect and IDENT.match(t):
                names.append(t)
                expect = False
            else:
                expect = False
    return names


def nested_definitions(parts):
    """Tags and enum constants inside a declaration (also inside struct bodies)."""
    found = []
    flat = []
    for p in parts:
        flat.extend(p if isinstance(p, list) else [p])
    for i, t in enumerate(flat):
        if t in ("struct", "union", "enum"):
            j = i + 1
            tag = flat[j] if j < len(flat) and IDENT.match(flat[j]) and flat[j] not in KEYWORDS else None
            body_at = j + 1 if tag else j
            has_body = body_at < len(flat) and flat[body_at] == "{"
            if tag and has_body:
                found.append((tag, "tag"))
            if t == "enum" and has_body:
                body = flat[body_at:group_end(flat, body_at)]
                found.extend((name, "enum constant") for name in enum_constants(body))
    return found


def pointer_to_function(tokens, at):
    """Does the '(' at tokens[at] open '(*name)'?"""
    return (at + 3 < len(tokens) and tokens[at + 1] == "*" and IDENT.match(tokens[at + 2]) is not None
            and tokens[at + 3] == ")")


def declarator_names(parts):
    """Names a file-scope declaration declares, with 'function' or 'variable'."""
    flat = [p for p in parts if not isinstance(p, list)]  # bodies and initialisers dropped
    for i in range(len(flat) - 1, -1, -1):  # "struct TAG" names a type, not a declarator
        if flat[i] in ("struct", "union", "enum"):
            del flat[i:i + (2 if i + 1 < len(flat) and IDENT.match(flat[i + 1]) else 1)]
    pieces, depth, piece = [], 0, []
    for t in flat:
        if t in "([":
            depth += 1
        elif t in ")]":
            depth -= 1
        if t == "," and depth == 0:
            pieces.append(piece)
            piece = []
        else:
            piece.append(t)
    pieces.append(piece)
    names = []
    for piece in pieces:
        if "=" in piece:
            piece = piece[:piece.index("=")]
        if "(" in piece:
            at = piece.index("(")
            if pointer_to_function(piece, at):  # (*name)(...)
                names.append((piece[at + 2], "variable"))
            elif at > 0 and IDENT.match(piece[at - 1]) and piece[at - 1] not in KEYWORDS:
                names.append((piece[at - 1], "function"))
            continue
        if "[" in piece:
            piece = piece[:piece.index("[")]
        idents = [t for t in piece if IDENT.match(t) and t not in KEYWORDS]
        if idents and len(piece) > 1:
            names.append((idents[-1], "variable"))
    return names


def c_names(text):
    """Every name a C file defines or declares at file scope:
    [(name, kind, linkage, defined)], kind one of function, variable, type, tag,
    enum constant, macro, header guard; linkage 'external', 'internal' or None."""
    text = strip_comments_and_strings(text)
    code, directives = split_preprocessor(text)
    result = []
    guards = set()
    for k, d in enumerate(directives):
        m = re.match(r"#\s*ifndef\s+(\w+)", d)
        if m and k + 1 < len(directives) and re.match(r"#\s*define\s+%s\s*$" % m.group(1), directives[k + 1]):
            guards.add(m.group(1))
    for d in directives:
        m = re.match(r"#\s*define\s+(\w+)", d)
        if m:
            result.append((m.group(1), "header guard" if m.group(1) in guards else "macro", None, True))
    tokens = drop_attributes(TOKEN.findall(code))
    for parts, has_body in top_level_declarations(tokens):
        flat_heads = [p for p in parts if not isinstance(p, list)]
        for name, kind in nested_definitions(parts):
            result.append((name, kind, None, True))
        if not flat_heads:
            continue
        if flat_heads[0] == "typedef":
            rest = [p for p in parts if not isinstance(p, list)]
            if "(" in rest and pointer_to_function(rest, rest.index("(")):
                result.append((rest[rest.index("(") + 2], "type", None, True))
            else:
                for piece in " ".join(rest).split(","):
                    idents = [t for t in piece.split() if IDENT.match(t) and t not in KEYWORDS]
                    if "[" in piece:
                        idents = [t for t in piece.split("[")[0].split() if IDENT.match(t)]
                    if idents:
                        result.append((idents[-1], "type", None, True))
            continue
        linkage = "internal" if "static" in flat_heads else "external"
        extern = "extern" in flat_heads
        for name, kind in declarator_names(parts):
            defined = has_body if kind == "function" else not extern
            result.append((name, kind, linkage, defined))
    return result


def public_names(root):
    """Every identifier written in include/bitsparse/*.h."""
    names = set()
    folder = os.path.join(root, "include", "bitsparse")
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.endswith(".h"):
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                names.update(re.findall(r"\b[A-Za-z_]\w*\b", f.read()))
    return names


def source_files(root):
    """Relative paths of the .c and .h files below src/, sorted."""
    found = []
    for dirpath, _, names in os.walk(os.path.join(root, "src")):
        for name in names:
            if name.endswith((".c", ".h")):
                found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(found)


def check(root):
    public = public_names(root)
    errors = []
    checked = 0
    for path in source_files(root):
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for name, kind, linkage, _ in c_names(text):
            if linkage != "external":
                continue
            checked += 1
            if name.startswith("bp_") and name not in public:
                errors.append(f"{path}: {kind} {name} has external linkage and the public prefix bp_ "
                              "but is not declared in include/bitsparse/*.h (give it its folder's prefix)")
    for e in sorted(set(errors)):
        print(e)
    if not errors:
        print(f"check-names: {checked} file-scope declarations with external linkage, "
              "bp_ only on the public API")
    return 1 if errors else 0


def self_test():
    """A clean tree passes; each kind of private bp_ name with linkage fails."""
    public_h = "#ifndef BP_X_H\n#define BP_X_H\nint bp_public(void);\ntypedef struct bp_thing bp_thing;\n#endif\n"
    clean = ("#include \"bitsparse/x.h\"\n"
             "#define BP_LOCAL_LIMIT 4\n"
             "typedef struct bp_local_type { int bp_member; } bp_local_type;\n"
             "enum { BP_LOCAL_CONSTANT = 1 };\n"
             "static int bp_helper(int x) { return x; }\n"
             "static const char *bp_table[] = {\"a; b\", 0};  /* int bp_comment(void); */\n"
             "struct bp_forward;\nstruct bp_tagged { int n; };\nenum bp_kind { BP_KIND_A };\n"
             "struct bp_tagged *util_first;\n"
             "int util_count = 0;\n"
             "int bp_public(void)\n{\n    int bp_local = bp_helper(1);\n    return bp_local;\n}\n"
             "void util_walk(void (*visit)(int bp_arg), int n) { (void)visit; (void)n; }\n"
             "void util_close(struct bp_tagged *bp_t, int n);\n"
             "typedef void (*bp_visit_fn)(struct bp_tagged *bp_t);\n")
    cases = {
        "clean": ("", 0),
        "function": ("void bp_private(void) {}\n", 1),
        "prototype": ("int bp_declared(const char *text,\n                size_t size);\n", 1),
        "variable": ("int bp_counter = 0;\n", 1),
        "extern": ("extern const unsigned char bp_blob[];\n", 1),
        "attribute": ("void bp_say(const char *f, ...) __attribute__((format(printf, 1, 2)));\n", 1),
        "function pointer": ("void (*bp_hook)(int) = 0;\n", 1),
        "struct parameter": ("void bp_open(struct bp_tagged *t, int n);\n", 1),
    }
    results = []
    for label, (extra, want) in cases.items():
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "include", "bitsparse"))
            os.makedirs(os.path.join(root, "src", "util"))
            with open(os.path.join(root, "include", "bitsparse", "x.h"), "w") as f:
                f.write(public_h)
            with open(os.path.join(root, "src", "util", "x.c"), "w") as f:
                f.write(clean + extra)
            results.append((label, check(root), want))
    failed = [r for r in results if r[1] != r[2]]
    for label, got, want in results:
        print(f"self-test {label}: exit {got}, expected {want}")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    sys.exit(check(sys.argv[1] if len(sys.argv) > 1 else
                   os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
