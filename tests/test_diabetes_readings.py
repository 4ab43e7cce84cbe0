"""Someone with diabetes who is vomiting, very thirsty or drowsy is asked the blood glucose reading (and a child the
ketones) before ketoacidosis or a hyperosmolar state is ruled in or out (NICE
NG17, NG18, NG28; JBDS-IP)."""

from __future__ import annotations

import pytest

from scenegen import Demographics
from scenegen.content import Sex
from scenegen.triage import pending_must_asks


@pytest.mark.parametrize("years", [9, 40])
@pytest.mark.parametrize("symptom", ["vomiting", "excessive_thirst", "confusion"])
def test_the_blood_sugar_reading_is_a_must_ask_with_diabetes_and_a_warning_symptom(bundled_kb, years, symptom):
    obs = {"diabetes": True, symptom: True}
    asks = pending_must_asks(bundled_kb, Demographics(years * 12, Sex.male), obs)
    assert "blood_glucose_reading" in asks


def test_no_reading_is_asked_of_someone_without_diabetes(bundled_kb):
    asks = pending_must_asks(bundled_kb, Demographics(40 * 12, Sex.male), {"diabetes": False, "vomiting": True})
    assert "blood_glucose_reading" not in asks and "high_ketone_reading" not in asks


def test_ketones_are_asked_of_a_child_with_diabetes_who_is_vomiting(bundled_kb):
    child = pending_must_asks(bundled_kb, Demographics(9 * 12, Sex.female), {"diabetes": True, "vomiting": True})
    assert "high_ketone_reading" in child
    adult = pending_must_asks(bundled_kb, Demographics(50 * 12, Sex.female), {"diabetes": True, "vomiting": True})
    assert "high_ketone_reading" not in adult  # an adult's ketones are asked when ketoacidosis would set the level (rule_out)
