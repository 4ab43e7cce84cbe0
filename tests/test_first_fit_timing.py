"""A first fit is an urgent referral once it is over a day old and the person has recovered (NICE NG217:
specialist within 2 weeks; DVLA: no driving); within the last 24 hours it is assessed in A&E (NG217 1.2), and
within the last hour it is a 999 call (NHS website: call 999 for a first seizure), unless in a young child a
temperature (a febrile seizure) or crying or a fright just before it (a breath-holding spell) explains it.

Blind read 16: a first fit 5 days ago, fully recovered, was sent to A&E on the first-fit red flag, which cited
a febrile-seizure guideline (for children of 6 months to 5 years) at every age."""

from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenegen import Demographics
from scenegen.content import Disposition, Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.triage import decide

Y = 12
RECOVERED = {"seizure": True, "first_ever_seizure": True, "seizure_over_5_minutes": False, "repeated_seizures": False,
             "slow_recovery_after_seizure": False, "head_injury": False, "known_epilepsy": False, "fever": False,
             "confusion": False, "alcohol_excess": False, "travel_malaria_area": False, "headache": False,
             "upset_or_hurt_just_before": False}


@pytest.mark.parametrize("age", [9 * Y, 40 * Y, 80 * Y])
@pytest.mark.parametrize("duration,level", [("under_an_hour", Disposition.emergency_ambulance),
                                            ("hours", Disposition.emergency_department),
                                            ("days_1_to_4", Disposition.urgent),
                                            ("days_5_to_7", Disposition.urgent)])
def test_a_recovered_first_fit_is_999_within_the_hour_a_and_e_within_the_day_and_urgent_after_it(bundled_kb, age, duration, level):
    d = decide(bundled_kb, Demographics(age, Sex.male), {**RECOVERED, "duration": duration})
    assert d.disposition is level, [(r.kind, r.id, r.disposition.value) for r in d.reasons]


@pytest.mark.parametrize("age", [4 * Y, 2 * Y, 9 * Y])
@pytest.mark.parametrize("explained_by", ["fever", "upset_or_hurt_just_before"])
def test_a_first_fit_in_a_young_child_explained_by_a_fever_or_a_fright_keeps_its_own_level(bundled_kb, age, explained_by):
    """The 999 first-fit rule leaves a febrile seizure (under 6) and a breath-holding spell to their own rules."""
    if explained_by == "fever" and age >= 6 * Y:
        return
    d = decide(bundled_kb, Demographics(age, Sex.female), {**RECOVERED, explained_by: True, "duration": "under_an_hour"})
    assert not [r.id for r in d.reasons if r.kind == "modifier" and r.id.startswith("first_fit_in_the_last_hour")]


@pytest.mark.parametrize("age", [9 * Y, 40 * Y])
def test_the_first_fit_flag_cites_no_febrile_seizure_guideline_outside_its_ages(bundled_kb, age):
    d = decide(bundled_kb, Demographics(age, Sex.female), {**RECOVERED, "duration": "days_1_to_4"})
    assert not [r.detail for r in d.reasons if "Febrile seizure" in r.detail or "febrile seizure" in r.detail]


@lru_cache(maxsize=None)
def _gen() -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=23, complaints=("seizure",)))


@settings(max_examples=40, deadline=None)
@given(index=st.integers(0, 100_000))
def test_a_first_fit_over_a_day_old_is_never_sent_to_a_and_e_by_the_first_fit_alone(index):
    """In generated dialogues: a first fit more than 24 hours ago reaches A&E or 999 only by another reason
    (a red flag, a modifier or a plausible condition other than the first unprovoked seizure)."""
    r = _gen().record(index)
    duration = next((v.values for v in r.case.values if v.finding == "duration"), ())
    if "first_ever_seizure" not in r.case.present or not duration or set(duration) & {"under_an_hour", "hours"}:
        return
    if r.gold.disposition not in ("emergency_department", "emergency_ambulance"):
        return
    decisive = [(x.kind, x.id) for x in r.gold.reasons if x.disposition is r.gold.disposition]
    assert decisive and all(x not in (("red_flag", "first_ever_seizure"), ("plausible_condition", "first_unprovoked_seizure"))
                            for x in decisive), decisive
