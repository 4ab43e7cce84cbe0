"""A condition's own level by age (``disposition_by_age``): data that says where a guideline sends some ages
elsewhere than the typical presentation, checked on load and used by the triage engine."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from scenegen.content import Condition, Disposition, Sex
from scenegen.inference import Demographics
from scenegen.triage import decide

SCABIES_OBS = {"rash": True, "rash_itchy": True, "itch_worse_at_night": True, "household_contacts_itching": True,
               "rash_between_fingers_wrists": True, "fever": False, "infected_looking_spots": False}


def _scabies_reason(kb, months: int):
    d = decide(kb, Demographics(months, Sex.female), SCABIES_OBS)
    return d, next(r for r in d.reasons if r.id == "scabies")


def test_scabies_is_pharmacy_self_care_from_2_years_and_a_gp_matter_under_2(bundled_kb):
    adult, adult_reason = _scabies_reason(bundled_kb, 30 * 12)
    assert adult.disposition is Disposition.self_care and adult_reason.disposition is Disposition.self_care
    toddler, toddler_reason = _scabies_reason(bundled_kb, 18)
    assert toddler.disposition is Disposition.routine
    assert toddler_reason.disposition is Disposition.routine
    assert "at this age routine" in toddler_reason.detail and "child under 2" in toddler_reason.detail


@pytest.mark.parametrize("months, level", [(8 * 12, Disposition.routine), (11 * 12 + 11, Disposition.routine),
                                           (12 * 12, Disposition.self_care), (40 * 12, Disposition.self_care)])
def test_otitis_externa_level_turns_at_the_age_pharmacy_ear_spray_is_sold(bundled_kb, months, level):
    assert bundled_kb.conditions["otitis_externa"].level({}, months) is level


def _condition(**extra) -> dict:
    base = {"id": "x_itch", "name": "X", "lay_name": "an itch", "icd10": "B86", "specialty": "dermatology",
            "complaints": ["rash"], "disposition": "self_care", "prior": "common", "ages": ["child"],
            "findings": [{"id": "rash", "p": "frequent"}, {"id": "rash_itchy", "p": "frequent"}],
            "sources": ["NICE CKS Scabies"]}
    base.update(extra)
    return base


def test_an_age_level_is_read_only_within_its_ages():
    c = Condition.model_validate(_condition(disposition_by_age=[
        {"disposition": "routine", "max_age_months": 23, "source": "NICE CKS Scabies"}]))
    assert c.level({}, 23) is Disposition.routine
    assert c.level({}, 24) is Disposition.self_care
    assert c.level({}) is Disposition.self_care  # no age given: the condition's own level


@pytest.mark.parametrize("entries, extra, message", [
    ([{"disposition": "self_care", "max_age_months": 23, "source": "NICE CKS Scabies"}], {}, "repeats"),
    ([{"disposition": "routine", "max_age_months": 23, "source": "NICE CKS Scabies"},
      {"disposition": "urgent", "min_age_months": 20, "max_age_months": 30, "source": "NICE CKS Scabies"}], {}, "overlap"),
    ([{"disposition": "routine", "source": "NICE CKS Scabies"}], {}, "min_age_months or max_age_months"),
    ([{"disposition": "routine", "max_age_months": 11, "source": "NICE CKS Scabies"}], {"min_age_months": 24}, "outside"),
    ([{"disposition": "routine", "max_age_months": 23, "source": "NICE CKS Scabies"}],
     {"disposition": "urgent", "until_suspected": {"disposition": "routine", "suspected_by": ["rash"],
                                                   "source": "NICE CKS Scabies"}}, "together"),
])
def test_unsound_age_levels_are_rejected_on_load(entries, extra, message):
    with pytest.raises(ValidationError, match=message):
        Condition.model_validate(_condition(disposition_by_age=entries, **extra))


@pytest.mark.parametrize("months, level", [(9 * 12 + 11, Disposition.routine), (10 * 12, Disposition.self_care)])
def test_an_eczema_flare_is_self_care_from_the_age_hydrocortisone_is_sold(bundled_kb, months, level):
    assert bundled_kb.conditions["atopic_eczema_flare"].level({}, months) is level
