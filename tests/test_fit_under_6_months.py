"""A fit in a baby under 6 months is a 999 call with its own reason, with or without a temperature and however
long ago the illness began: a febrile seizure is a diagnosis from 6 months (NICE CKS Febrile seizure), so it
does not explain a fit in a younger baby. Blind read 2026-12-08, #21 and fix 5: a 3-month-old's first fit
with a fever went to 999 on heatstroke alone."""

from __future__ import annotations

import pytest

from scenegen import Demographics
from scenegen.content import Disposition, Sex
from scenegen.triage import decide

FIT = {"seizure": True, "first_ever_seizure": True, "onset": "sudden"}


@pytest.mark.parametrize("months", [0, 2, 3, 5])
@pytest.mark.parametrize("fever", [True, False])
@pytest.mark.parametrize("duration", ["under_an_hour", "hours", "days_1_to_4"])
def test_a_fit_under_6_months_is_an_ambulance_by_its_own_rule(bundled_kb, months, fever, duration):
    d = decide(bundled_kb, Demographics(months, Sex.female), {**FIT, "fever": fever, "duration": duration})
    assert d.disposition is Disposition.emergency_ambulance
    assert "fit_under_6_months" in {r.id for r in d.decisive if r.kind == "modifier"}


def test_the_rule_stops_at_6_months(bundled_kb):
    d = decide(bundled_kb, Demographics(6, Sex.female), {**FIT, "fever": True, "duration": "hours"})
    assert "fit_under_6_months" not in {r.id for r in d.reasons}
