"""The assistant tells a teenager writing for themselves to 'tell a parent or another adult you trust' only when
it has been told it is talking to a minor. A blind read (seed 31415, balanced, record 157) met a 14-year-old told
so though nothing in the chat gave her age: the reply rested on the hidden persona. A teenager writing for
themselves now says their age in the opening; an adult, or a parent writing about a child, does not."""

from __future__ import annotations

import re
from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st

from scenegen.generate import GenerateConfig, Generator, Library

ADULT = 18 * 12
TELL_AN_ADULT = re.compile(r"tell a parent or another adult", re.I)


@lru_cache(maxsize=1)
def _gen() -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=157))


def _says_own_age(text: str, years: int) -> bool:
    return re.search(rf"\bI'?m {years}\b", text, re.I) is not None


@settings(max_examples=80, deadline=None)
@given(index=st.integers(0, 50_000))
def test_a_teenager_writing_for_themselves_says_their_age_before_being_told_to_involve_an_adult(index):
    r = _gen().record(index)
    if r.persona.speaker != "self":
        return
    opening = r.messages[1].content
    years = r.persona.age_months // 12
    if r.persona.age_months < ADULT:
        assert _says_own_age(opening, years), (r.id, opening)
    else:
        assert not re.search(r"\bI'?m 1[0-7]\b", opening), (r.id, opening)
        assert not any(TELL_AN_ADULT.search(m.content) for m in r.messages), r.id


def test_the_teenagers_here_are_told_to_involve_an_adult_after_saying_their_age():
    """The check above meets teenagers: of the first records of seed 157, some are minors told to involve an
    adult, and every one of them said their age in the opening."""
    told = 0
    for index in range(300):
        r = _gen().record(index)
        if r.persona.speaker == "self" and r.persona.age_months < ADULT and any(TELL_AN_ADULT.search(m.content) for m in r.messages):
            assert _says_own_age(r.messages[1].content, r.persona.age_months // 12), r.id
            told += 1
    assert told >= 3, told
