"""One timeframe per disposition: a same-day (urgent) closing said 'within 24 hours' in one sentence and 'the
same day' in another (blind clinical read; 41 in 2,000 records of seeds 3 and 7). Every assistant wording for an
urgent disposition says when through the locale's ``urgent_when`` (personas/personas.yaml), one place in data."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scenegen.load import bundled_library
from scenegen.strategies import dialogues

#: timeframe words an urgent wording must not write out for itself (the vocabulary says them)
LITERAL = re.compile(r"\b(today|tomorrow|24 hours|same day|within the next \w+ hours?)\b", re.I)
#: the patient's own words (a pushback, 'I'm busy today') are theirs, not the disposition's timeframe
PATIENT_PARTS = {"pushback", "patient_question", "opening", "volunteer", "aside"}


def test_every_urgent_wording_takes_its_timeframe_from_the_vocabulary():
    root = bundled_library() / "templates"
    literal = []
    for path in sorted(root.rglob("*.j2")):
        head, _, body = path.read_text().partition("\n")
        if "disposition: urgent" not in head or path.parent.name in PATIENT_PARTS:
            continue
        if LITERAL.search(body):
            literal.append(str(path.relative_to(root)))
    assert literal == []


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 1).flatmap(lambda seed: dialogues(disposition="urgent", seed=seed, pool=40)))
def test_an_urgent_record_says_one_timeframe(r):
    from scenegen.generate import Library
    vocab = Library.load().personas.locale(r.persona.locale).vocab
    d = r.gold.disposition_turn
    said = " ".join(m.content for m in r.messages[d:] if m.role == "assistant")
    assert "24 hours" not in said, r.id
    assert vocab["urgent_when"] in r.messages[d].content, r.id
