"""The built site reads as a reader sees it: no raw Sphinx markup, no script from a CDN
(MathJax ships with the site), and every parameter of every public constructor in its
class's reference.

The site is built once for the module (``mkdocs build --strict``, about 10 s).
tests/test_docs.py builds it too, to check that the strict build passes.
"""

import html
import importlib
import importlib.util
import inspect
import os
import re
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

import barenet

ROOT = Path(__file__).resolve().parent.parent

# a Sphinx role or directive that mkdocstrings leaves as it is written
RAW_SPHINX = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj|const|math):"
                        r"|\.\. math::")
CDN_URL = re.compile(r"https?://[^\s\"'<>()]*cdn[^\s\"'<>()]*", re.I)
REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"']?(?:https?:)?//", re.I)
REMOTE_IMPORT = re.compile(r"\bimport\s*\(\s*[\"'](?:https?:)?//", re.I)
MATHJAX = "javascripts/vendor/mathjax/tex-mml-chtml.js"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    for module in ("mkdocs", "mkdocstrings", "material"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return out


def pages(site):
    return sorted(site.rglob("*.html"))


class VisibleText(HTMLParser):
    """The text a browser shows: everything but scripts and styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style") and self.hidden > 0

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(markup):
    parser = VisibleText()
    parser.feed(markup)
    return "".join(parser.parts)


def test_no_page_shows_raw_sphinx_markup(site):
    found = []
    for page in pages(site):
        text = visible_text(page.read_text(encoding="utf-8"))
        for match in RAW_SPHINX.finditer(text):
            context = " ".join(text[max(match.start() - 40, 0):match.end() + 40].split())
            found.append(f"{page.relative_to(site)}: ...{context}...")
    if found:
        pytest.fail(f"{len(found)} raw Sphinx roles (write [`name`][dotted.path]; "
                    "tools/sphinx_roles.py rewrites them):\n" + "\n".join(found[:40]))


def test_no_page_loads_a_script_from_a_cdn(site):
    found = []
    for page in pages(site):
        markup = page.read_text(encoding="utf-8")
        urls = [m.group(0) for m in CDN_URL.finditer(markup)]
        urls += [m.group(0) for m in REMOTE_SCRIPT.finditer(markup)]
        urls += [m.group(0) for m in REMOTE_IMPORT.finditer(markup)]
        found += [f"{page.relative_to(site)}: {url}" for url in urls]
    if found:
        pytest.fail("scripts from another host:\n" + "\n".join(found))


def test_the_math_renderer_ships_with_the_site(site):
    assert (site / MATHJAX).is_file()
    fonts = site / "javascripts" / "vendor" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert any(fonts.glob("*.woff")), "MathJax's fonts are not in the site"
    with_math = [p for p in pages(site) if 'class="arithmatex"' in p.read_text(encoding="utf-8")]
    assert len(with_math) >= 3  # the guides and the optimizers' reference
    for page in with_math:
        scripts = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", page.read_text(encoding="utf-8"))
        local = [s for s in scripts if s.endswith(MATHJAX.rsplit("/", 1)[1])]
        assert local, f"{page.relative_to(site)} has math but does not load MathJax"
        assert (page.parent / local[0]).resolve() == (site / MATHJAX).resolve()


# ------------------------------------------------- every public constructor parameter

def constructors():
    """The public classes whose every constructor parameter the reference documents."""
    from barenet.optim.base import Optimizer
    from barenet.optim.schedules import Schedule

    classes = [barenet.Network]
    bases = (Optimizer, barenet.Callback)
    classes += [obj for name in barenet.__all__ if inspect.isclass(obj := getattr(barenet, name))
                and issubclass(obj, bases) and obj not in bases]
    schedules = importlib.import_module("barenet.schedules")
    classes += [obj for name in schedules.__all__
                if inspect.isclass(obj := getattr(schedules, name)) and issubclass(obj, Schedule)
                and obj is not Schedule]
    if importlib.util.find_spec("sklearn") is not None:
        estimators = importlib.import_module("barenet.sklearn")
        classes += [getattr(estimators, name) for name in estimators.__all__
                    if inspect.isclass(getattr(estimators, name))]
    return classes


def inventory(site, roles=("py:class",)):
    """``[(name, priority, page, anchor)]`` of the site's objects.inv entries of ``roles``."""
    data = (site / "objects.inv").read_bytes()
    start = 0
    for _ in range(4):  # four lines of header, then zlib
        start = data.index(b"\n", start) + 1
    entries = []
    for line in zlib.decompress(data[start:]).decode("utf-8").splitlines():
        name, role, priority, uri, _ = line.split(" ", 4)
        if role in roles:
            path, _, anchor = uri.partition("#")
            entries.append((name, int(priority), path, name if anchor in ("", "$") else anchor))
    return entries


def lookup(path):
    """The object a dotted path names, or None."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            obj = getattr(obj, part, None)
        return obj
    return None


def balanced_div(markup, start):
    """The ``<div ...>...</div>`` that opens at ``start``."""
    depth = 0
    for tag in re.finditer(r"<(/?)div\b[^>]*>", markup[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return markup[start:start + tag.end()]
    raise AssertionError("unbalanced <div> in the page")


def parameters_table(site, path, anchor):
    """The names in the Parameters section of the object documented at ``path#anchor``,
    its own section only (not its members')."""
    markup = (site / path / "index.html").read_text(encoding="utf-8")
    heading = markup.find(f'id="{anchor}"')
    assert heading >= 0, f"no heading {anchor} in {path}"
    contents = balanced_div(markup, markup.index('<div class="doc doc-contents', heading))
    children = contents.find('<div class="doc doc-children')
    if children >= 0:  # the members' sections
        contents = contents.replace(balanced_div(contents, children), "")
    section = re.search(r'doc-section-title">Parameters:</span>(.*?)(?:doc-section-title|$)',
                        contents, re.S)
    if section is None:
        return set()
    items = re.findall(r'class="doc-section-item"[^>]*>(.*?)</(?:tr|li)>', section.group(1), re.S)
    names = set()
    for item in items:
        code = re.search(r"<code>(.*?)</code>", item, re.S)
        if code:
            names.add(html.unescape(re.sub(r"<[^>]+>", "", code.group(1))).strip().lstrip("*"))
    return names


def documented_parameters(site, cls):
    """The parameters the reference documents for ``cls``, where the site documents it."""
    found = sorted((priority, path, anchor) for name, priority, path, anchor in inventory(site)
                   if lookup(name) is cls)
    assert found, f"{cls.__module__}.{cls.__qualname__} is in no reference page"
    _, path, anchor = found[0]
    return parameters_table(site, path, anchor)


@pytest.mark.parametrize("cls", constructors(), ids=lambda cls: cls.__name__)
def test_every_constructor_parameter_is_in_the_reference(site, cls):
    if cls.__init__ is object.__init__:
        return
    parameters = [name for name, p in inspect.signature(cls.__init__).parameters.items()
                  if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    missing = [name for name in parameters if name not in documented_parameters(site, cls)]
    if missing:
        pytest.fail(f"{cls.__name__}'s reference does not document {missing} "
                    "(its docstring's Parameters section)")


def test_no_reference_documents_a_parameter_its_function_does_not_take(site):
    """A paragraph written after a Parameters section is read as more parameters, one
    per line (its first words): text after the parameters goes under a Notes heading."""
    phantoms = []
    for name, priority, path, anchor in inventory(site, ("py:class", "py:function", "py:method")):
        obj = lookup(name)
        if priority != 1 or obj is None:
            continue
        try:
            signature = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
        except (TypeError, ValueError):
            continue
        extra = parameters_table(site, path, anchor) - set(signature.parameters)
        if extra:
            phantoms.append(f"{name}: {sorted(extra)}")
    if phantoms:
        pytest.fail("parameters that are not in the signature:\n" + "\n".join(phantoms))
