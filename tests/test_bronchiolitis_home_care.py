"""Mild bronchiolitis is cared for at home (NICE NG9): its own level is self-care from 3 months, same-day under
3 months (a risk factor NG9 names), and NG9's referral signs (fast breathing, poor feeding, chest recession,
grunting, pauses, a blue colour) each raise it as red flags of their own; fast breathing is a must-ask of a
young child with breathing trouble and of a baby under 2 with a cough. Issue #9: the textbook case of mild
bronchiolitis went to a same-day appointment because bronchiolitis was urgent at every age."""

from __future__ import annotations

import pytest

from scenegen import Demographics
from scenegen.content import Disposition, Sex
from scenegen.triage import baseline_observations, decide, pending_must_asks

MILD = {"cough": True, "runny_nose": True, "fever": False, "grunting": False, "chest_indrawing": False,
        "apnoea_pauses": False, "blue_lips": False, "poor_feeding": False, "breathing_fast": False,
        "very_fast_breathing": False, "reduced_activity": False, "floppy_or_unresponsive": False,
        "no_wet_nappy_12_hours": False, "choking_episode": False, "stridor": False, "duration": "days_1_to_4"}


def test_mild_bronchiolitis_from_3_months_is_home_care(bundled_kb):
    d = decide(bundled_kb, Demographics(9, Sex.male), MILD)
    assert d.disposition is Disposition.self_care, [(r.kind, r.id, r.disposition.value) for r in d.decisive]


def test_mild_bronchiolitis_under_3_months_is_seen_the_same_day(bundled_kb):
    d = decide(bundled_kb, Demographics(2, Sex.female), {**MILD, "breathlessness": True})
    assert d.disposition.rank >= Disposition.urgent.rank, [(r.kind, r.id) for r in d.decisive]


@pytest.mark.parametrize("sign", ["breathing_fast", "poor_feeding", "chest_indrawing", "grunting"])
def test_each_ng9_referral_sign_raises_it_above_home_care(bundled_kb, sign):
    d = decide(bundled_kb, Demographics(9, Sex.male), {**MILD, sign: True})
    assert d.disposition.rank >= Disposition.urgent.rank, (sign, d.disposition)


@pytest.mark.parametrize("report", [{"breathlessness": True}, {"cough": True}])
def test_fast_breathing_is_asked_of_a_baby_with_a_cough_or_breathing_trouble(bundled_kb, report):
    who = Demographics(10, Sex.female)
    pending = pending_must_asks(bundled_kb, who, {**baseline_observations(bundled_kb, who), **report})
    assert "breathing_fast" in pending, pending
