// MathJax 3's configuration. The site ships MathJax itself (javascripts/vendor/mathjax,
// copied from the django-static-mathjax package by mkdocs_hooks/mathjax.py), so the
// formulas typeset without a network. Typeset: the math pymdownx.arithmatex marks
// (class "arithmatex", \( \) and \[ \]) and the notebook page's Markdown cells ($ and $$);
// nothing else on a page is read as math.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true
  },
  startup: {
    elements: [".arithmatex", ".jp-MarkdownOutput"]
  }
};
