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
    assert nb.cells[0].source.startswith("<math")
    assert any("pre-wrap" in css for css in res["inlining"]["css"])
