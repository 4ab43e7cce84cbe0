"""The two heat signs the NHS page gives as separate 999 criteria are asked apart: 'still no better after 30
minutes of resting somewhere cool' and 'very hot skin that is not sweating' (NHS website: Heat exhaustion and
heatstroke); a 'yes' to the second is not sweating, and a heat illness call's first aid is cooling, not
'tell them it could be sepsis'. Blind read 2026-12-08, #18, #26 and fix 6."""

from __future__ import annotations

from scenegen import Demographics
from scenegen.advice import first_aid_steps
from scenegen.content import Disposition, Sex
from scenegen.sample import implied_answers
from scenegen.triage import decide

Y = 12


def test_the_heat_questions_ask_one_thing_each(bundled_kb):
    cooling = bundled_kb.findings["heat_illness_not_better_after_cooling"]
    dry = bundled_kb.findings["hot_skin_not_sweating"]
    for f in (cooling, dry):
        for q in (f.question, f.question_young, f.ask):
            assert " or " not in q, q
    assert "sweat" not in cooling.question and "sweat" in dry.question
    assert dry.red_flag.disposition is Disposition.emergency_ambulance


def test_either_sign_alone_is_an_ambulance(bundled_kb):
    for sign in ("heat_illness_not_better_after_cooling", "hot_skin_not_sweating"):
        d = decide(bundled_kb, Demographics(37 * Y, Sex.female), {"dizziness": True, "heat_exposure": True, sign: True})
        assert d.disposition is Disposition.emergency_ambulance, sign
        assert sign in {r.id for r in d.reasons if r.kind == "red_flag"}


def test_hot_dry_skin_is_not_sweating(bundled_kb):
    implied = implied_answers(bundled_kb, {"heat_exposure": True, "hot_skin_not_sweating": True})
    assert implied.get("sweating") is False


def test_no_sepsis_line_when_heat_illness_is_a_reason(bundled_kb):
    child = Demographics(5 * Y, Sex.female)
    heat = " ".join(a.text for a in first_aid_steps(
        bundled_kb, [("red_flag", "very_fast_breathing"), ("condition", "heatstroke")], child, True,
        ["fainting", "heat_exposure", "very_fast_breathing"]))
    assert heat and "sepsis" not in heat.lower()
    infection = " ".join(a.text for a in first_aid_steps(
        bundled_kb, [("red_flag", "very_fast_breathing")], child, True, ["fever", "very_fast_breathing"]))
    assert "sepsis" in infection.lower()
