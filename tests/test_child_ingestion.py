"""A child who may have swallowed someone else's tablets goes to A&E (clinician read of 2026-12-08, record 29 of
seed 16180: a 20-month-old who may have swallowed antidepressants was given the 'extra dose' self-care advice).
The library's 'another medicine' is an adult's (blood pressure tablets, antidepressants, iron, somebody else's
pills), which one or two tablets of can badly poison a toddler (TOXBASE; NHS website: Poisoning)."""

from __future__ import annotations

from functools import lru_cache

from scenegen.generate import GenerateConfig, Generator, Library

EMERGENCY = {"emergency_ambulance", "emergency_department"}


@lru_cache(maxsize=None)
def _children_who_swallowed_something() -> tuple:
    gen = Generator(Library.load(), GenerateConfig(seed=5, noise="off", complaints=("poisoning",)))
    return tuple(r for r in (gen.record(i) for i in range(300)) if r.persona.age_months < 144)


def _substance(record) -> list[str]:
    return next((list(v.values) for v in record.case.values if v.finding == "substance_taken"), [])


def test_a_child_who_swallowed_an_adults_medicine_is_sent_to_hospital():
    adult_medicine = [r for r in _children_who_swallowed_something() if "other_medicine" in _substance(r)]
    assert len(adult_medicine) >= 10, len(adult_medicine)  # before: 16 of 38 below A&E (seed 5, 400 records)
    low = [(r.id, r.case.condition, r.gold.disposition) for r in adult_medicine if r.gold.disposition not in EMERGENCY]
    assert not low, low


def test_a_childs_extra_dose_of_its_own_medicine_can_still_be_home_care():
    # the rule is about adults' tablets, not every child's extra spoonful: an extra dose of paracetamol liquid in
    # a well child stays home care with poison-centre advice (TOXBASE)
    home = [r for r in _children_who_swallowed_something()
            if _substance(r) == ["paracetamol"] and r.gold.disposition == "self_care"]
    assert home


def test_no_child_is_told_to_use_a_pill_organiser():
    said = [r.id for r in _children_who_swallowed_something()
            if any("pill organiser" in m.content for m in r.messages if m.role == "assistant")]
    assert not said, said  # before: 9 of the children's records (seed 5, 400)
