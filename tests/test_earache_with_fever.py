"""An earache that has not started to get better after 3 days is seen by a GP the same day when it comes with a
fever, and at a routine appointment without one (NICE NG91; NHS website: Ear infections). Blind read
2026-12-08, #8 and fix 8: a 10-year-old with 3 days of earache and a temperature was booked 'in the next week
or two'."""

from __future__ import annotations

from scenegen import Demographics
from scenegen.content import Disposition, Sex
from scenegen.triage import decide

Y = 12
EARACHE = {"ear_pain": True, "ear_pain_3_days_or_more": True, "runny_nose": True, "onset": "hours",
           "duration": "days_1_to_4", "ear_discharge": False, "swelling_behind_ear": False}


def test_earache_of_3_days_with_a_fever_is_same_day(bundled_kb):
    for age in (4 * Y, 10 * Y, 35 * Y):
        d = decide(bundled_kb, Demographics(age, Sex.female), {**EARACHE, "fever": True})
        assert d.disposition is Disposition.urgent, (age, d.disposition)
        assert "earache_3_days_or_more_with_fever" in {r.id for r in d.reasons if r.kind == "modifier"}


def test_earache_of_3_days_without_a_fever_stays_routine(bundled_kb):
    d = decide(bundled_kb, Demographics(10 * Y, Sex.female), {**EARACHE, "fever": False})
    assert d.disposition is Disposition.routine
    assert "earache_3_days_or_more_with_fever" not in {r.id for r in d.reasons}


def test_a_fever_with_an_earache_of_a_day_is_not_raised_by_the_rule(bundled_kb):
    d = decide(bundled_kb, Demographics(10 * Y, Sex.female),
               {**EARACHE, "ear_pain_3_days_or_more": False, "fever": True})
    assert "earache_3_days_or_more_with_fever" not in {r.id for r in d.reasons}
