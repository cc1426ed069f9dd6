#!/usr/bin/env python3
"""Rewrite Sphinx roles as the Markdown the API reference renders.

    python tools/sphinx_roles.py [--site DIR] [--module NAME] [--dry-run] FILE...

mkdocstrings renders docstrings as Markdown, where ``:class:`~barenet.Network``` stays
as it is written. In the docstrings and comments of Python files (and in Markdown pages)
this script rewrites:

* the roles ``class``, ``func``, ``meth``, ``mod``, ``data``, ``attr``, ``exc``, ``obj``
  and ``const`` as cross-references, ``[`Network`][barenet.Network]``: the text is the
  last component of the target written with ``~``, the whole target otherwise; the
  identifier is where the docs pages document the object. A target the site does not
  document becomes plain code, ``Network``, so that ``mkdocs build --strict`` finds no
  broken link;
* ``:math:`x``` as ``$x$`` and a ``.. math::`` directive as ``$$`` blocks, one per
  equation (pymdownx.arithmatex);
* ``paragraph::`` before a literal block as ``paragraph:`` (docstrings; Markdown shows
  the indented block as code);
* ``#:`` comments above an assignment as the docstring after it (Python files).

Which object the docs pages document where, the script reads in objects.inv, the
inventory of a built site: ``--site DIR`` reads a site built before; without it the
script builds one (``mkdocs build`` into a temporary folder), after it has turned the
``#:`` comments into docstrings. A relative target (``:meth:`fit``` in a
class's docstring) is looked up from the enclosing class, then the module and its
packages; an object re-exported under another name (``barenet.activations.REGISTRY``)
is found by importing it, and a module that only re-exports another module links to that
one. A file outside a package (a copy) has no module: give ``--module barenet.network``,
or relative targets are matched by their class and name alone.

The script only reads the standard library; the inventory build needs mkdocs, and the
import look-ups the package itself. It prints every change, marks the targets it could
not link, and rewrites the files in place (not with ``--dry-run``).
"""

import argparse
import ast
import importlib
import inspect
import io
import os
import re
import subprocess
import sys
import tempfile
import tokenize
import types
import zlib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
XREF_ROLES = ("class", "func", "meth", "mod", "data", "attr", "exc", "obj", "const")
ROLE = re.compile(r":(?:py:)?(?P<role>" + "|".join(XREF_ROLES + ("math",))
                  + r"):`(?P<content>[^`]+)`")
MATH_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<rest>.*)$")
STRING = re.compile(r"^(?P<prefix>[rRuU]*)(?P<quote>\"\"\"|'''|\"|')(?P<body>.*)(?P=quote)$",
                    re.S)
MISSING = object()
# what a line must not start with once broken: it would open a Markdown block
BLOCK_START = re.compile(r"[-*+#>=|]|\d+[.)]|\$\$")


# ------------------------------------------------------------------- the site's inventory

def build_site(root, site_dir):
    """Build the docs of the project at ``root`` into ``site_dir``; raise on failure."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--no-strict", "--quiet", "--site-dir",
         str(site_dir)],
        cwd=root, capture_output=True, text=True, env=env,
    )
    if result.returncode != 0:
        raise SystemExit(f"mkdocs build failed in {root}:\n{result.stdout[-2000:]}"
                         f"{result.stderr[-4000:]}")


def read_inventory(path):
    """``{name: anchor}`` from a Sphinx inventory (objects.inv, version 2).

    The anchor is the heading id where the page documents the object, which is how
    autorefs knows it first; a name may also be an alias that points there.
    """
    data = Path(path).read_bytes()
    start = 0
    for _ in range(4):  # the header: four lines of text
        start = data.index(b"\n", start) + 1
    entries = defaultdict(list)
    line_re = re.compile(r"(?P<name>.+?)\s+(?P<domain>\S+?):(?P<role>\S+)\s+(?P<priority>-?\d+)"
                         r"\s+(?P<uri>\S*)\s+(?P<display>.*)")
    for line in zlib.decompress(data[start:]).decode("utf-8").splitlines():
        match = line_re.fullmatch(line)
        if match is None or match["domain"] != "py":
            continue
        name, uri = match["name"], match["uri"]
        anchor = uri.split("#", 1)[1] if "#" in uri else name
        anchor = name if anchor == "$" else anchor
        entries[name].append((int(match["priority"]), anchor))
    return {name: sorted(found)[0][1] for name, found in entries.items()
            if len({anchor for _, anchor in found}) == 1 or min(found)[0] == 1}


# --------------------------------------------------------------------------- resolving

def import_path(path):
    """The object a dotted path names, importing its module; MISSING if there is none."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:  # not a module (or not importable here)
            continue
        try:
            for part in parts[i:]:
                obj = inspect.getattr_static(obj, part)
        except AttributeError:
            return MISSING
        return obj
    return MISSING


def identifiable(obj):
    """Whether ``is`` tells this object apart (not a small int, a string, None...)."""
    return obj is not MISSING and not isinstance(obj, (int, float, complex, str, bytes, tuple,
                                                       frozenset, type(None)))


class Resolver:
    def __init__(self, anchors):
        self.anchors = anchors
        self.by_last = defaultdict(list)
        for name in anchors:
            self.by_last[name.rsplit(".", 1)[-1]].append(name)
        self._objects = {}

    def _object(self, name):
        if name not in self._objects:
            self._objects[name] = import_path(name)
        return self._objects[name]

    def _same_object(self, obj, names):
        """The one anchor among ``names`` that documents ``obj``, or None."""
        found = {self.anchors[n] for n in names if self._object(n) is obj}
        return found.pop() if len(found) == 1 else None

    def _by_identity(self, path):
        obj = self._object(path)
        if not identifiable(obj):
            return None
        anchor = self._same_object(obj, self.by_last[path.rsplit(".", 1)[-1]])
        if anchor is None and isinstance(obj, types.ModuleType):
            anchor = self._reexported_module(obj)
        return anchor

    def _reexported_module(self, module):
        """The documented module whose objects a module only re-exports, if any."""
        names = getattr(module, "__all__", None) or [n for n in vars(module)
                                                     if not n.startswith("_")]
        homes = {getattr(getattr(module, n, None), "__module__", None) for n in names}
        homes.discard(None)
        if len(homes) == 1:
            home = homes.pop()
            if home != module.__name__ and home in self.anchors:
                return self.anchors[home]
        return None

    def resolve(self, target, module=None, classes=()):
        """The identifier to link ``target`` to, or None where the site does not document it.

        ``module`` and ``classes`` (outermost first) are where the role is written.
        """
        target = target.lstrip(".")
        if target in self.anchors:
            return target  # as written: the site knows this name
        scopes = []
        if module:
            scopes = [".".join([module, *classes[:i]]) for i in range(len(classes), 0, -1)]
            parts = module.split(".")
            scopes += [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
        candidates = [f"{scope}.{target}" for scope in scopes] + [target]
        for candidate in candidates:
            if candidate in self.anchors:
                return self.anchors[candidate]
        for candidate in candidates:
            anchor = self._by_identity(candidate)
            if anchor is not None:
                return anchor
        if module is None:  # a file outside a package: match the class and the name
            for suffix in [".".join([*classes[i:], target]) for i in range(len(classes))]:
                found = {a for n, a in self.anchors.items() if n.endswith("." + suffix)}
                if len(found) == 1:
                    return found.pop()
            found = {a for n, a in self.anchors.items() if n.endswith("." + target)}
            if len(found) == 1:
                return found.pop()
        return None


# ----------------------------------------------------------------------------- rewriting

def top_level_spaces(line):
    """Where ``line`` may break: spaces outside code spans, links and ``$`` math."""
    spaces, i, depth, math = [], 0, 0, False
    while i < len(line):
        char = line[i]
        if char == "`":
            run = len(line[i:]) - len(line[i:].lstrip("`"))
            close = line.find("`" * run, i + run)
            i = (close + run) if close >= 0 else len(line)
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif char == "$":
            math = not math
        elif char == " " and not depth and not math and line[:i].strip():
            spaces.append(i)
        i += 1
    return spaces


def leading(line):
    """The indentation of ``line``'s continuation lines: its own, past a list marker."""
    return " " * len(re.match(r"[ \t]*(?:(?:[-*+]|\d+\.)[ \t]+)?", line).group(0))


def wrap(text, before, first_col, base_indent, closing=0, limit=100):
    """Break the lines of ``text`` that grew past ``limit`` columns (not those of
    ``before``, the text as it was), at spaces outside code, links and math: what
    passes the limit goes to the start of the paragraph's next line, or a new one.

    ``text`` is a string literal's body: its first line starts at column ``first_col``,
    after the quotes, and goes on at ``base_indent``, the indentation of the string;
    ``closing`` columns of quotes follow its last line.
    """
    kept = set(before.split("\n"))
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        width = (first_col if i == 0 else 0) + (closing if i == len(lines) - 1 else 0)
        if width + len(line) <= limit or line in kept or line.lstrip().startswith("|"):
            i += 1
            continue
        spaces = [s for s in top_level_spaces(line) if width + s <= limit
                  and not BLOCK_START.match(line[s:].lstrip())]
        if not spaces:
            i += 1
            continue
        indent = base_indent if i == 0 else leading(line)
        head, tail = line[:spaces[-1]].rstrip(), line[spaces[-1]:].lstrip()
        following = lines[i + 1] if i + 1 < len(lines) else None
        lines[i] = head
        if (following is not None and following.strip()
                and len(following) - len(following.lstrip()) == len(indent)
                and not BLOCK_START.match(following.lstrip())
                and not re.fullmatch(r"\s*-{3,}\s*", following)):
            lines[i + 1] = indent + tail + " " + following.lstrip()
        else:
            lines.insert(i + 1, indent + tail)
        i += 1
    return "\n".join(lines)


class Rewriter:
    def __init__(self, resolver):
        self.resolver = resolver
        self.changes = []  # (line, before, after, linked)

    def roles(self, text, first_line, module=None, classes=()):
        """``text`` with its roles rewritten; ``first_line`` numbers its first line."""

        def replace(match):
            line = first_line + text.count("\n", 0, match.start())
            role, content = match["role"], match["content"]
            if role == "math":
                after = "$" + content.strip() + "$"
                self.changes.append((line, match[0], after, True))
                return after
            content = " ".join(content.split())
            titled = re.fullmatch(r"(?P<title>.+?)\s*<(?P<target>[^<>]+)>", content)
            if titled:
                shown, target = titled["title"], titled["target"]
            else:
                target = content
                shown = content.lstrip("~!.")
                if content.startswith("~"):
                    shown = shown.rsplit(".", 1)[-1]
            target = target.lstrip("~!")
            if target.endswith("()"):
                target = target[:-2]
            identifier = None
            if not content.startswith("!"):
                identifier = self.resolver.resolve(target, module, classes)
            after = f"`{shown}`" if identifier is None else f"[`{shown}`][{identifier}]"
            self.changes.append((line, match[0], after, identifier is not None))
            return after

        return self.math_directives(ROLE.sub(replace, text), first_line)

    def literal_blocks(self, text, first_line):
        """reStructuredText's ``paragraph::`` before an indented block as ``paragraph:``
        (``::`` alone on its line goes): Markdown shows the block as code by itself,
        once it is indented by 4 columns or more."""
        lines = text.split("\n")
        indents = [len(b) - len(b.lstrip()) for b in lines[1:] if b.strip()]
        margin = min(indents, default=0)
        for i, line in enumerate(lines):
            match = re.fullmatch(r"(?P<indent>[ \t]*)(?P<text>.*?)(?P<space>[ \t]?)::[ \t]*", line)
            if match is None or match["text"].lstrip().startswith(".. "):
                continue
            following = [k for k in range(i + 1, len(lines)) if lines[k].strip()]
            base = margin if i == 0 else len(match["indent"])
            if (not following or following[0] == i + 1
                    or len(lines[following[0]]) - len(lines[following[0]].lstrip()) <= base):
                continue
            block = []
            for k in following:
                if len(lines[k]) - len(lines[k].lstrip()) <= base:
                    break
                block.append(k)
            block = [k for k in range(block[0], block[-1] + 1)]
            deficit = base + 4 - min(len(lines[k]) - len(lines[k].lstrip())
                                     for k in block if lines[k].strip())
            for k in block:
                if deficit > 0 and lines[k].strip():
                    lines[k] = " " * deficit + lines[k]
            shown = match["text"] if match["space"] else match["text"] + ":"
            lines[i] = (match["indent"] + shown) if match["text"] else ""
            self.changes.append((first_line + i, line.strip(), lines[i].strip() or "(nothing)",
                                 True))
        return "\n".join(lines)

    def math_directives(self, text, first_line):
        """``.. math::`` directives as ``$$`` blocks, one per equation."""
        lines = text.split("\n")
        out, i = [], 0
        while i < len(lines):
            match = MATH_DIRECTIVE.match(lines[i])
            if match is None:
                out.append(lines[i])
                i += 1
                continue
            indent, start = match["indent"], i
            body = [match["rest"]] if match["rest"].strip() else []
            i += 1
            while i < len(lines) and (not lines[i].strip()
                                      or len(lines[i]) - len(lines[i].lstrip()) > len(indent)):
                body.append(lines[i])
                i += 1
            while body and not body[-1].strip():  # blank lines after it stay as they are
                body.pop()
                i -= 1
            body = [line for line in body if not re.match(r"\s*:\w+:", line)]  # options
            margin = min((len(b) - len(b.lstrip()) for b in body[1 if match["rest"] else 0:]
                          if b.strip()), default=0)
            equations, current = [], []
            for k, b in enumerate(body):
                if not b.strip():
                    if current:
                        equations.append(current)
                    current = []
                else:
                    current.append(b.strip() if k == 0 and match["rest"] else b[margin:])
            if current:
                equations.append(current)
            if out and out[-1].strip():
                out.append("")
            block = []
            for equation in equations:
                if block:
                    block.append("")
                block += [indent + "$$"] + [indent + e for e in equation] + [indent + "$$"]
            out += block
            if i < len(lines) and lines[i].strip():
                out.append("")
            self.changes.append((first_line + start, ".. math::", "$$ ... $$", True))
        return "\n".join(out)


def module_of(path):
    """The dotted module name of a file inside a package, or None."""
    path = Path(path).resolve()
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts) if len(parts) > (0 if path.stem == "__init__" else 1) else None


def attribute_comments(source, rewriter):
    """Sphinx's ``#:`` comments above an assignment as the docstring after it, which is
    where mkdocstrings reads an attribute's documentation."""
    tree = ast.parse(source)
    lines = source.split("\n")
    edits = []  # (first comment line, assignment's first line, its end, docstring), 0-based

    def visit(body):
        for i, statement in enumerate(body):
            if isinstance(statement, ast.ClassDef):
                visit(statement.body)
            if not isinstance(statement, (ast.Assign, ast.AnnAssign)):
                continue
            first = statement.lineno - 1
            while first > 0 and lines[first - 1].lstrip().startswith("#:"):
                first -= 1
            following = body[i + 1] if i + 1 < len(body) else None
            if first == statement.lineno - 1 or (
                    isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)):
                continue
            indent = lines[statement.lineno - 1][:statement.col_offset]
            text = [line.lstrip()[2:].strip() for line in lines[first:statement.lineno - 1]]
            prefix = "r" if "\\" in "".join(text) else ""
            one_line = f'{indent}{prefix}"""{" ".join(text)}"""'
            if len(one_line) <= 100:
                docstring = [one_line]
            else:
                docstring = [f'{indent}{prefix}"""{text[0]}'] + [indent + t for t in text[1:]]
                docstring[-1] += '"""'
            edits.append((first, statement.lineno - 1, statement.end_lineno, docstring))
            rewriter.changes.append((first + 1, "#: " + " ".join(text)[:40] + "...",
                                     "the docstring after the assignment", True))

    visit(tree.body)
    for first, start, end, docstring in sorted(edits, reverse=True):
        lines[first:end] = lines[start:end] + docstring
    return "\n".join(lines)


def rewrite_python(source, rewriter, module):
    tree = ast.parse(source)
    lines = re.findall(r"[^\n]*\n|[^\n]+$", source)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(lineno, byte_col):
        line = lines[lineno - 1]
        return starts[lineno - 1] + len(line.encode("utf-8")[:byte_col].decode("utf-8"))

    edits = []  # (start, end, new text)
    class_spans = []  # (first line, last line, class names outermost first)

    def visit(node, classes):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                inner = [*classes, child.name]
                class_spans.append((child.lineno, child.end_lineno, inner))
                visit(child, inner)
                continue
            if (isinstance(child, ast.Expr) and isinstance(child.value, ast.Constant)
                    and isinstance(child.value.value, str)):
                string = child.value
                start = offset(string.lineno, string.col_offset)
                end = offset(string.end_lineno, string.end_col_offset)
                literal = STRING.match(source[start:end])
                if literal is not None:
                    body = rewriter.roles(literal["body"], string.lineno, module, classes)
                    body = rewriter.literal_blocks(body, string.lineno)
                    first_col = (len(source[starts[string.lineno - 1]:start])
                                 + len(literal["prefix"]) + len(literal["quote"]))
                    column = first_col - len(literal["prefix"]) - len(literal["quote"])
                    body = wrap(body, literal["body"], first_col, " " * column,
                                len(literal["quote"]))
                    if body != literal["body"]:
                        new = literal["prefix"] + literal["quote"] + body + literal["quote"]
                        edits.append((start, end, new))
            visit(child, classes)

    visit(tree, [])  # a class's own docstring is read inside it: :meth:`fit` is its method
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and ROLE.search(token.string):
            row, col = token.start
            spans = [c for first, last, c in class_spans if first <= row <= last]
            classes = max(spans, key=len) if spans else []
            new = rewriter.roles(token.string, row, module, classes)
            start = starts[row - 1] + col
            edits.append((start, start + len(token.string), new))
    for start, end, new in sorted(edits, reverse=True):
        source = source[:start] + new + source[end:]
    return source


def rewrite_markdown(text, rewriter):
    """The roles of a Markdown page, outside its fenced code blocks."""
    parts = re.split(r"(^```.*?^```[^\n]*$)", text, flags=re.S | re.M)
    line = 1
    for i, part in enumerate(parts):
        if i % 2 == 0:
            parts[i] = rewriter.roles(part, line)
        line += part.count("\n")
    return "".join(parts)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--site", type=Path, help="a built site (its objects.inv); "
                        "by default the docs are built into a temporary folder")
    parser.add_argument("--module", help="the dotted module name of the files (for a "
                        "file outside its package, such as a copy)")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = parser.parse_args(argv)

    # first the #: comments, which make attributes documented: the site is built after
    texts = {path: path.read_text(encoding="utf-8") for path in args.files}
    rewriters = {path: Rewriter(None) for path in args.files}
    commented = {path: attribute_comments(text, rewriters[path]) if path.suffix == ".py"
                 else text for path, text in texts.items()}
    moved = [path for path in args.files if commented[path] != texts[path]]
    if moved and not args.dry_run:
        for path in moved:
            path.write_text(commented[path], encoding="utf-8")
        if args.site is not None:
            print(f"note: {len(moved)} file(s) gained attribute docstrings that {args.site} "
                  "does not document yet; build the site again and rerun to link to them")
    if args.site is None:
        with tempfile.TemporaryDirectory() as site:
            build_site(ROOT, site)
            anchors = read_inventory(Path(site) / "objects.inv")
    else:
        anchors = read_inventory(args.site / "objects.inv")
    sys.path.insert(0, str(ROOT / "src"))
    resolver = Resolver(anchors)

    total = unlinked = 0
    for path in args.files:
        rewriter = rewriters[path]
        rewriter.resolver = resolver
        if path.suffix == ".py":
            module = args.module or module_of(path)
            if module is None:
                print(f"{path}: not inside a package and no --module: relative targets are "
                      "matched by their class and name")
            new = rewrite_python(commented[path], rewriter, module)
        else:
            new = rewrite_markdown(commented[path], rewriter)
        for line, before, after, linked in sorted(rewriter.changes):
            note = "" if linked else "    (not documented in the site: plain code)"
            print(f"{path}:{line}: {' '.join(before.split())} -> {after}{note}")
            total += 1
            unlinked += not linked
        if new != commented[path] and not args.dry_run:
            path.write_text(new, encoding="utf-8")
    print(f"{total} rewritten, {unlinked} of them as plain code (not documented in the site)"
          + (" [dry run]" if args.dry_run else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
