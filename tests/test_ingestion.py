"""Swallowed products and chemicals (read 11 #29: a 16-month-old who swallowed bleach was said to have taken
'more than the daily maximum', then asked the abdominal-pain protocol instead of burns, drooling and coughing).

A product is not taken in doses, so the amount answered for it is a lick, a large amount or not known; and once
a product or unknown substance is named, the corrosive and aspiration signs are asked before anything else
(NPIS / TOXBASE household-product guidance)."""

from __future__ import annotations

from scenegen import Demographics
from scenegen.content import Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.triage import assess

DOSE_AMOUNTS = {"one_extra_dose", "many_doses"}
PRODUCTS = {"household_product", "other_or_unknown"}


def test_a_swallowed_product_is_never_given_a_dose_amount():
    lib = Library.load()
    gen = Generator(lib, GenerateConfig(seed=11, conditions=("child_accidental_ingestion", "accidental_extra_medicine_dose",
                                                               "paracetamol_overdose"), complaints=("poisoning",)))
    products = 0
    for index in range(60):
        values = gen.record(index).case.value_map
        if set(values.get("substance_taken", [])) & PRODUCTS:
            products += 1
            assert not set(values.get("amount_taken", [])) & DOSE_AMOUNTS, (index, values)
    assert products, "no product was swallowed in 60 records"


def test_burns_drooling_and_coughing_come_first_once_a_product_is_named(bundled_kb):
    who = Demographics(16, Sex.female, False)
    report = {"swallowed_harmful_substance": True, "substance_taken": "household_product", "abdominal_pain": True}
    first_two = {q.finding for q in assess(bundled_kb, who, report, n_questions=4).next_questions[:2]}
    assert first_two == {"mouth_burns_or_drooling", "coughing_after_ingestion"}


def test_what_was_swallowed_is_asked_before_how_much(bundled_kb):
    who = Demographics(30, Sex.male, False)
    questions = assess(bundled_kb, who, {"swallowed_harmful_substance": True}, n_questions=3).next_questions
    assert questions[0].finding == "substance_taken"
