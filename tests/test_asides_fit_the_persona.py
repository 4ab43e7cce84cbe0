"""The asides that tell who is around and what a child's week holds (templates/aside/around_1, family_1) fit
the person: a nursery only for a child of nursery age, school for a schoolchild, exams for a teenager, 'Mum's
at work' only from a teenager speaking for themselves, a husband or a neighbour popping in only from an older
adult, and none of them when the hidden condition is an emergency (issue #10 item 5: specifics true to the persona)."""

from __future__ import annotations

import re
from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st

from scenegen.generate import GenerateConfig, Generator, Library

#: words of family_1 and the ages (months, inclusive) of the child they may be said of
FAMILY_WORDS = {
    r"\bbaby\b|our first|our second|family staying": (0, 11),
    r"\bnursery\b|\bdaycare\b|childminder|babysitter|grandparents": (12, 59),
    r"\bschool\b": (60, 155),
    r"\bexams\b|revision|studying|part-time job": (156, 215),
    r"appointments|lives on (?:his|her) own|deals with things like this": (780, 10_000),
}
#: words of around_1 and who may say them: (speaker, youngest, oldest) in months
AROUND_WORDS = {
    r"^(?:My )?(?:Mum|Mom|Dad)'s ": ("self", 156, 215),
    r"My husband|My wife|down the road|popping in|stopping by|round the corner|around the corner": ("self", 780, 10_000),
    r"flatmate|roommate|A friend I live with|late shift": ("self", 216, 779),
    r"nearest family|twenty minutes away|staying with (?:him|her) this week": ("carer", 780, 10_000),
}


@lru_cache(maxsize=None)
def _gen() -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=23, noise="off"))


def _aside_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


@settings(max_examples=150)
@given(index=st.integers(0, 100_000))
def test_an_aside_about_who_is_around_or_a_childs_week_fits_the_persons_age_and_speaker(index):
    r = _gen().record(index)
    p = r.persona
    for m, t in zip(r.messages, r.turns):
        used = [x for x in t.templates if x in ("aside/around_1", "aside/family_1")]
        if not used:
            continue
        assert not _gen().lib.kb.conditions[r.case.condition].emergency, (r.id, m.content)
        if "aside/family_1" in used:
            assert p.speaker != "self", (r.id, m.content)
            for pattern, (lo, hi) in FAMILY_WORDS.items():
                if re.search(pattern, m.content, re.I) and "aside/around_1" not in used:
                    assert lo <= p.age_months <= hi, (r.id, p.age_months, m.content)
        if "aside/around_1" in used:
            for sentence in _aside_sentences(m.content):
                for pattern, (speaker, lo, hi) in AROUND_WORDS.items():
                    if re.search(pattern, sentence):
                        assert p.speaker == speaker and lo <= p.age_months <= hi, (r.id, p.speaker, p.age_months,
                                                                                    m.content)
