"""Ship MathJax with the site, so that the formulas typeset without a network.

An MkDocs hook (``hooks:`` in mkdocs.yml). MathJax 3 comes from the Python
package ``django-static-mathjax`` (in the ``docs`` extra), which holds its
browser files; ``on_files`` adds the ones the pages use to the build, under
``javascripts/vendor/mathjax/``, where mkdocs.yml's ``extra_javascript`` loads
``tex-mml-chtml.js``. Nothing is copied into docs/ and nothing is vendored in
the repository.

``on_post_page`` takes out of the notebook page (mkdocs-jupyter) the two
loaders nbconvert's template writes there: an empty MathJax 2 stanza and
mermaid's, which points at a CDN. The site's own MathJax typesets that page's
``$...$`` too (docs/javascripts/mathjax.js).
"""

import importlib.util
import re
from importlib import metadata
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

DIST = "django-static-mathjax"
DEST = "javascripts/vendor/mathjax"
# what tex-mml-chtml.js loads: itself, the TeX extensions it loads on demand
# (autoload), the CHTML fonts, the menu and the accessibility components
SHIPPED = ("tex-mml-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2", "ui",
           "a11y")

NOTEBOOK_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->",
                              re.S)
NOTEBOOK_MERMAID = re.compile(r"<script type=\"module\">(?:(?!</script>).)*?mermaid"
                              r"(?:(?!</script>).)*?</script>", re.S)


def mathjax_root():
    """The folder of MathJax 3's browser files (``es5``) in the installed package."""
    spec = importlib.util.find_spec("mathjax")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            root = Path(location) / "static" / "mathjax" / "es5"
            if (root / "tex-mml-chtml.js").is_file():
                return root
    raise PluginError(
        f"MathJax's files are missing: install the docs extra (pip install -e '.[docs]'), "
        f"which brings them in the {DIST} package"
    )


def license_file():
    try:
        files = metadata.files(DIST) or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name.upper().startswith("LICENSE"):
            return Path(file.locate())
    return None


def on_files(files, config, **kwargs):
    root = mathjax_root()
    for name in SHIPPED:
        path = root / name
        paths = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for source in paths:
            uri = f"{DEST}/{source.relative_to(root).as_posix()}"
            files.append(File.generated(config, uri, abs_src_path=str(source)))
    license = license_file()
    if license is not None:
        files.append(File.generated(config, f"{DEST}/LICENSE", abs_src_path=str(license)))
    return files


def on_post_page(output, page, config, **kwargs):
    if "<!-- Load mathjax -->" in output or "mermaid" in output:
        output = NOTEBOOK_MATHJAX.sub("", output)
        output = NOTEBOOK_MERMAID.sub("", output)
    return output
