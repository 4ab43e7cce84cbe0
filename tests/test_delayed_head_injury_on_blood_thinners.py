"""A head injury more than a day ago in someone on a blood thinner is asked about a headache that will not go
and about getting more drowsy, confused or a worsening headache, before any disposition below 999 (NICE
NG232; NHS website: Subdural haematoma). Blind read 2026-12-08, #22 and fix 3: a 93-year-old on warfarin, two
weeks after a head injury, was sent to A&E on the blood thinner alone and never asked."""

from __future__ import annotations

import pytest

from scenegen import Demographics
from scenegen.content import Sex
from scenegen.triage import pending_must_asks

Y = 12
ON_WARFARIN = {"head_injury": True, "anticoagulant_use": True}
DELAYED = ("headache_persistent_since_injury", "getting_worse_since_injury")


@pytest.mark.parametrize("duration", ["days_1_to_4", "days_5_to_7", "weeks_1_to_3", "over_3_weeks"])
def test_a_head_injury_over_a_day_ago_on_a_blood_thinner_is_asked_the_slow_bleed_questions(bundled_kb, duration):
    pending = pending_must_asks(bundled_kb, Demographics(93 * Y, Sex.male), {**ON_WARFARIN, "duration": duration})
    for f in DELAYED:
        assert f in pending, (f, pending)
    assert "vomiting_after_head_injury" in pending  # asked of every head injury


def test_not_without_the_blood_thinner(bundled_kb):
    pending = pending_must_asks(bundled_kb, Demographics(93 * Y, Sex.male),
                                {"head_injury": True, "anticoagulant_use": False, "duration": "weeks_1_to_3"})
    assert not set(DELAYED) & set(pending.values()) and not set(DELAYED) & set(pending)


def test_an_answer_settles_the_question(bundled_kb):
    obs = {**ON_WARFARIN, "duration": "weeks_1_to_3", "headache_persistent_since_injury": True,
           "getting_worse_since_injury": False}
    pending = pending_must_asks(bundled_kb, Demographics(93 * Y, Sex.male), obs)
    assert not set(DELAYED) & set(pending)
