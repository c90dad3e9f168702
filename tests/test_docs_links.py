"""Every relative link of the project's documents, and every path written as ``./x`` or
``../x`` code, resolves in a clone (the README once sent readers to ``../shared/DESIGN.md``, a
file outside the repository)."""

import re

import pytest

from autograder import REPO

DOCS = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md")),
        *sorted(REPO.glob("*/README.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
# a path written as code that starts from the document's folder: `../x/DESIGN.md`, `./docs/`
CODE_PATH = re.compile(r"`(\.\.?/[^`\s]+)`")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_resolve_inside_the_repository(doc):
    text = doc.read_text()
    for target in LINK.findall(text) + CODE_PATH.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = (doc.parent / target.split("#")[0]).resolve()
        assert path.is_relative_to(REPO.resolve()), f"{doc.name} links outside the clone: {target}"
        assert path.exists(), f"{doc.name} links to a missing file: {target}"
