"""Medicines only within the limits their sources give (conditions/medicines.yaml): the youngest and oldest age,
pregnancy, and the complaints a painkiller eases. Blind clinical reads found a decongestant suggested at 72,
an over-the-counter antispasmodic before any IBS diagnosis, and 'you can take paracetamol' for vertigo at 83."""

from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenegen.advice import fits, self_care_advice
from scenegen.content import Medicine, Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.knowledge import Demographics
from scenegen.records import Record

#: conditions whose advice names a medicine with an age or pregnancy limit
WITH_MEDICINES = ("common_cold", "irritable_bowel_syndrome", "influenza", "migraine", "acute_urticaria",
                  "mechanical_low_back_pain", "viral_uri_child")


@lru_cache(maxsize=1)
def lib() -> Library:
    return Library.load()


@lru_cache(maxsize=None)
def generator(seed: int, conditions: tuple[str, ...] = (), complaints: tuple[str, ...] = ()) -> Generator:
    return Generator(lib(), GenerateConfig(seed=seed, conditions=conditions, complaints=complaints))


def who(r: Record) -> Demographics:
    return Demographics(r.persona.age_months, Sex(r.persona.sex), r.persona.pregnant)


def medicines_outside_limits(r: Record) -> list[tuple[str, str]]:
    """(medicine, text) for every medicine the record's advice or answers recommend outside its data limits."""
    kb = lib().kb
    local = generator(0).realiser.localiser(r.persona.locale)
    d = r.gold.disposition_turn
    final = r.messages[d].content
    out = []
    for c in kb.conditions.values():
        for item in c.advice:
            if item.medicines and local(item.text) in final:
                for m in item.medicines:
                    med = kb.medicines[m]
                    age = r.persona.age_months
                    if age < med.youngest(r.persona.locale) or med.max_age_months is not None and age > med.max_age_months \
                            or r.persona.pregnant and med.pregnancy.value == "excluded":
                        out.append((m, item.text))
    offers = ("you can take it for pain", "you can give it for pain", "it's fine to take it for pain",
              "it's fine to give it for pain", "Something for pain or a temperature may help")
    complaint = kb.complaints[r.case.complaint]
    for m in r.messages[d + 1:]:
        if m.role == "assistant" and any(o in m.content for o in offers):
            if not complaint.painkiller:
                out.append(("painkiller", m.content))
            if r.persona.age_months < kb.medicines["paracetamol"].youngest(r.persona.locale):
                out.append(("paracetamol", m.content))
    return out


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 3), index=st.integers(0, 100_000), pool=st.sampled_from(["medicines", "no_pain", "any"]))
def test_no_record_gives_a_medicine_outside_its_data_limits(seed, index, pool):
    if pool == "medicines":
        r = generator(seed, WITH_MEDICINES).record(index)
    elif pool == "no_pain":
        r = generator(seed, (), ("dizziness", "palpitations", "allergic_reaction")).record(index)
    else:
        r = generator(seed).record(index)
    assert medicines_outside_limits(r) == [], (r.id, r.persona.age_months, r.persona.pregnant)


def test_no_decongestant_from_65_and_a_pharmacist_asked_first_instead():
    """NHS website: Decongestants: not with high blood pressure, heart or prostate problems, diabetes or other
    medicines without a pharmacist's advice; a 72-year-old was told to buy one."""
    kb = lib().kb
    at_72 = self_care_advice(kb, "common_cold", Demographics(72 * 12, Sex.male), False)
    at_40 = self_care_advice(kb, "common_cold", Demographics(40 * 12, Sex.male), False)
    assert not any("decongestant" in a.medicines for a in at_72)
    assert any("ask a pharmacist before using a decongestant" in a.text for a in at_72)
    assert any("decongestant" in a.medicines for a in at_40)


def test_a_medicine_excluded_in_pregnancy_is_never_advised_in_pregnancy():
    kb = lib().kb
    pregnant = Demographics(30 * 12, Sex.female, True)
    for cid, c in kb.conditions.items():
        for item in c.advice:
            if any(kb.medicines[m].pregnancy.value == "excluded" for m in item.medicines):
                assert not fits(kb, item, pregnant, False, "en_GB"), (cid, item.text)


def test_an_antispasmodic_is_offered_only_for_ibs_a_doctor_has_diagnosed():
    """Over-the-counter antispasmodics are sold for IBS a doctor has diagnosed (NHS website: Buscopan)."""
    kb = lib().kb
    items = [a for c in kb.conditions.values() for a in c.advice if "antispasmodic" in a.medicines]
    assert items
    assert all("diagnosed" in a.text for a in items)


def test_a_medicine_for_pregnancy_only_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="'any' or 'excluded'"):
        Medicine(id="x", name="xx", mentions=["xx"], min_age_months={"en_GB": 0}, pregnancy="required", source="abc")


def test_no_painkiller_is_offered_when_asked_about_medicine_for_a_complaint_it_does_not_ease():
    """NICE CKS Vertigo: symptom relief is a short prescribed course of prochlorperazine or an antihistamine;
    'you can take paracetamol for pain or a temperature' was the answer for vertigo at 83 (2 in 1,000 records
    of seed 7 before)."""
    kb = lib().kb
    assert kb.complaints["dizziness"].painkiller is False and kb.complaints["headache"].painkiller is True
    no_pain = tuple(c for c, x in kb.complaints.items() if not x.painkiller)
    g = generator(0, (), no_pain)
    asked = 0
    for i in range(600):
        r = g.record(i)
        if any(t.act == "patient_question" and any("medicine" in x for x in t.templates) for t in r.turns):
            asked += 1
            assert medicines_outside_limits(r) == [], r.id
        if asked >= 15:
            break
    assert asked >= 15
