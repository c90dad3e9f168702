"""Feedback and formgrader pages read offline: markdown mathematics becomes MathML (code and
dollar amounts untouched), long lines wrap. The pages themselves: tests/test_browser.py."""

import json

import nbformat

from autograder import REPO
from autograder.feedback.offline_html import OfflineHTML, markdown_math_to_mathml


def test_inline_and_display_math_become_mathml():
    out = markdown_math_to_mathml("weights $W$ and\n$$\\frac{1}{N}\\sum_i x_i$$")
    assert out.count("<math") == 2 and 'display="block"' in out and 'display="inline"' in out
    assert "$" not in out


def test_code_dollars_and_escapes_are_left_alone():
    src = "costs $5 and $6, `x = $y$`, \\$z\n```\nprint('$a$')\n```"
    assert markdown_math_to_mathml(src) == src


def test_unconvertible_latex_is_shown_as_written():
    out = markdown_math_to_mathml("bad $\\begin{nope}$ here")
    assert "<math" not in out and "\\begin{nope}" in out


def test_every_release_notebook_formula_converts():
    from latex2mathml.converter import convert

    count = 0
    for path in sorted((REPO / "notebooks").glob("*/*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                out = markdown_math_to_mathml("".join(cell["source"]))
                count += out.count("<math")
    assert count > 300, count
    assert convert("x")  # the converter itself is installed (a pinned dependency)


def test_preprocessor_adds_the_wrapping_style():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("$x$")])
    nb, res = OfflineHTML().preprocess(nb, {})
    assert nb.cells[1].source.startswith("<math")
    assert "pre-wrap" in nb.cells[0].source and nb.cells[0].source.startswith("<style")
    nb, res = OfflineHTML().preprocess(nb, res)  # once
    assert len(nb.cells) == 2


def test_wrapping_style_reaches_the_page_in_both_templates():
    """formgrader's template extends nbconvert's classic one, the feedback's too: their own
    CSSHTMLHeaderPreprocessor runs after the configured ones and replaces resources["inlining"],
    so the style must come with the page's cells."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.preprocessors = ["autograder.feedback.offline_html.OfflineHTML"]
    out = nbformat.v4.new_output("stream", name="stdout", text="word " * 100)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[out])])
    for template in ("classic", "lab"):
        body, _ = HTMLExporter(config=c, template_name=template).from_notebook_node(nb)
        assert "course: wrap long lines" in body[body.index("<body"):], template
