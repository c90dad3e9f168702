"""The grade table never cuts a word: the reason column is cut at a word boundary with an
ellipsis, and every reason about a submission is wrapped at word boundaries, whole."""

from autograder.table import format_table

REASON = ("7.1 l2_penalty: the gradient of the penalty must be lam * w; got twice that on "
          "every entry of the first weight matrix (shape (2, 3)), the factor 2 of the square")


def _row(**kw):
    return {"student": "carol", "assignment": "07_penalties", "tasks": {"task_7_1": 0.0},
            "total": 0.0, "max": 3.0, "mistakes": [], "reasons": [REASON], "errors": [], **kw}


def _words(text):
    return text.replace("(", " ").replace(")", " ").replace(",", " ").split()


def test_reason_column_is_cut_at_a_word_boundary():
    for width in (30, 45, 60, 90):
        line = format_table([_row(submission_notes=[])], width=width).splitlines()[2]
        note = line.split("0/3", 1)[1].strip()
        assert note.endswith("…") and len(note) <= width, (width, note)
        kept = note[:-1]
        assert REASON.startswith(kept)
        # the cut falls between words: the next character of the reason is not a letter
        assert not REASON[len(kept)].isalnum(), (width, note)
        assert all(w in _words(REASON) for w in _words(kept))


def test_short_reason_is_shown_whole():
    line = format_table([_row(reasons=["7.1 wrong sign"], submission_notes=[])]).splitlines()[2]
    assert line.endswith("7.1 wrong sign")


def test_every_note_is_wrapped_whole_at_word_boundaries():
    note = "refused notes.txt: " + REASON
    lines = format_table([_row(submission_notes=[note])], width=40).splitlines()[3:]
    assert lines[0].startswith("    ↳ ") and all(ln.startswith("      ") for ln in lines[1:])
    assert all(len(ln) <= 46 for ln in lines)
    assert " ".join(ln[6:].strip() for ln in lines) == note
