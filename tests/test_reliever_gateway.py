"""The reliever-inhaler questions ('needed it more often?', 'is it helping?') are asked only of someone who has
said they have a prescribed reliever inhaler (a blind clinical read found people with no asthma or COPD asked
whether their reliever was helping). ``has_reliever_inhaler`` is their parent in the question hierarchy, so the
planner asks it first and the sampler never gives a case a reliever finding without it."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen.generate import GenerateConfig, Generator, Library

RELIEVER = ("reliever_needed_more_often", "reliever_not_helping")
GATEWAY = "has_reliever_inhaler"


@lru_cache(maxsize=None)
def _gen() -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=23, complaints=("breathlessness", "cough")))


def test_the_reliever_questions_hang_below_the_reliever_inhaler_gateway(bundled_kb):
    assert all(bundled_kb.findings[f].parent == GATEWAY for f in RELIEVER)


@given(index=st.integers(0, 100_000))
def test_a_reliever_question_is_asked_only_after_the_person_said_they_have_a_reliever(index):
    r = _gen().record(index)
    said_yes = False
    for q in r.gold.questions:
        if q.finding in RELIEVER:
            assert said_yes, (r.id, "asked about the reliever before anyone said there was one")
        if q.finding == GATEWAY and q.answer == "yes":
            said_yes = True
    present = set(r.case.present)
    assert not (present & set(RELIEVER)) or GATEWAY in present, (r.id, "a reliever finding without a reliever")
