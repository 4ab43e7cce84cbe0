"""An uncomplicated lower UTI in a woman of 16 to 64 who is not pregnant is a pharmacist's or self-care matter
(NICE NG109; NHS Pharmacy First); a man, a child, pregnancy and 65 or over are seen the same day (issue #9, D12:
a woman of 30 with cystitis was sent to same-day care)."""

from __future__ import annotations

import pytest

from scenegen.content import Disposition, Sex
from scenegen.generate import Library
from scenegen.knowledge import Demographics
from scenegen.triage import decide

Y = 12
LOWER_UTI = {"urinary_symptoms": True, "dysuria": True, "cloudy_smelly_urine": True, "fever": False,
             "loin_pain": False, "rigors": False, "vomiting": False, "pregnancy_known_or_possible": False,
             "unusual_vaginal_discharge": False, "blood_in_urine": False, "confusion": False}


@pytest.fixture(scope="module")
def kb():
    return Library.load().kb


def test_an_uncomplicated_lower_uti_in_a_woman_of_16_to_64_is_self_care(kb):
    for age in (16, 30, 64):
        d = decide(kb, Demographics(age * Y, Sex.female, False), LOWER_UTI)
        assert d.disposition is Disposition.self_care, (age, [r.id for r in d.decisive])


@pytest.mark.parametrize("who,obs", [
    (Demographics(70 * Y, Sex.female, False), {}),                                   # 65 or over
    (Demographics(9 * Y, Sex.female, False), {}),                                    # a child
    (Demographics(30 * Y, Sex.female, True), {"pregnancy_known_or_possible": True}),  # pregnant
    (Demographics(40 * Y, Sex.male, False), {"dysuria": False}),                     # a man, cloudy urine only
    (Demographics(30 * Y, Sex.female, False), {"loin_pain": True}),                  # kidney infection features
    (Demographics(30 * Y, Sex.female, False), {"fever": True}),
    (Demographics(30 * Y, Sex.female, False), {"rigors": True}),
])
def test_a_urine_infection_outside_the_pharmacy_route_is_seen_the_same_day(kb, who, obs):
    d = decide(kb, who, {**LOWER_UTI, **obs})
    assert d.disposition.rank >= Disposition.urgent.rank, [r.id for r in d.decisive]
