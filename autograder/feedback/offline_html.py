"""Feedback and formgrader pages that read offline: mathematics as MathML, long lines wrapped.

nbconvert's HTML leaves ``$...$`` for MathJax, which it loads from a CDN: a student reading the
feedback file without a network (or formgrader on a closed machine) sees raw LaTeX. This
preprocessor converts the markdown cells' mathematics to MathML (``latex2mathml``), which the
browser renders itself, and adds a style that wraps long lines in code and outputs, so a long
hidden-test message is never cut off. Configured for ``HTMLExporter``, which both ``nbgrader
generate_feedback`` and formgrader use (``autograder.record.config.configure``).
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert.preprocessors import Preprocessor

# Code (fenced blocks, inline spans) is left alone: a `$` there is not mathematics.
_CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
# $$...$$ (display) before $...$ (inline); a backslash-escaped dollar is a dollar.
_MATH = re.compile(
    r"(?<!\\)\$\$(.+?)(?<!\\)\$\$"  # display
    r"|(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\d)",  # inline: no space inside the $s
    re.S,
)

WRAP_CSS = """
/* course: wrap long lines (hidden-test messages, tracebacks) instead of cutting them off */
.jp-OutputArea-output pre, .jp-RenderedText pre, .output_area pre, div.output_text pre,
.highlight pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
math[display="block"] { display: block; margin: 0.6em 0; }
"""


def latex_to_mathml(tex: str, display: bool) -> str:
    """MathML for ``tex``; the LaTeX itself (escaped) where it cannot be converted."""
    from html import escape

    from latex2mathml.converter import convert

    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - an unconvertible formula is shown as written
        delim = "$$" if display else "$"
        return escape(f"{delim}{tex}{delim}")


def markdown_math_to_mathml(source: str) -> str:
    """Replace the mathematics of a markdown cell by MathML, leaving code untouched."""

    def convert_text(text: str) -> str:
        return _MATH.sub(
            lambda m: (
                latex_to_mathml(m.group(1), True)
                if m.group(1) is not None
                else latex_to_mathml(m.group(2), False)
            ),
            text,
        )

    parts = _CODE.split(source)
    # split() with one group: even indices are text, odd ones the code it matched
    return "".join(p if i % 2 else convert_text(p) for i, p in enumerate(parts))


STYLE_CELL = {"course": "wrap style"}


class OfflineHTML(Preprocessor):
    """Markdown mathematics to MathML; a wrapping style for long lines.

    The style is a ``<style>`` block in a markdown cell put first (the page only, never the
    notebook on disk): the templates' own ``CSSHTMLHeaderPreprocessor`` runs after every
    configured preprocessor and replaces ``resources["inlining"]``, and raw cells are sanitized;
    a markdown cell's HTML block reaches the page as written, in formgrader and the feedback."""

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        from nbformat.v4 import new_markdown_cell

        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = markdown_math_to_mathml(cell.source)
        if not any(c.metadata.get("course") == STYLE_CELL["course"] for c in nb.cells):
            style = f'<style type="text/css">{WRAP_CSS}</style>'
            nb.cells.insert(0, new_markdown_cell(style, metadata=dict(STYLE_CELL)))
        css = resources.setdefault("inlining", {}).setdefault("css", [])
        css.append(WRAP_CSS)
        return nb, resources
