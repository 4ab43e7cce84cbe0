"""Questions and advice fit what was said, and lay words fit the speaker.

A question takes for granted only what the person has said ('Since the injury, ...' only after a fall or a
twist); a safety net warns of what the conditions in view have in their own files, not of a sign the loader
derived from an implication; a rescue medicine 'as their care plan says' is given only with known epilepsy; a
poisons line only once a swallowed substance was said; and no lay phrase names the patient as someone else."""

from __future__ import annotations

from functools import lru_cache

import pytest
from pydantic import ValidationError

from scenegen.advice import first_aid_steps
from scenegen.content import Finding
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.knowledge import Demographics
from scenegen.content import Sex
from scenegen.plan import _warnings_of
from scenegen.validate import RULES, Lexicon
from scenegen.load import bundled_library


@lru_cache(maxsize=1)
def lib() -> Library:
    return Library.load()


def _finding(**extra) -> dict:
    base = {"id": "swelling_after_x", "name": "Swelling", "system": "musculoskeletal",
            "question": "Has the area swollen up since the injury?", "ask": "swelling of the area",
            "lay": ["a swollen ankle", "puffiness round the joint", "a fat, swollen foot"]}
    base.update(extra)
    return base


def test_a_presupposing_question_needs_its_words_and_a_neutral_wording():
    Finding.model_validate(_finding(presupposes=["fall_recent"], presupposes_words="since the injury",
                                    question_neutral="Has the area swollen up?"))
    with pytest.raises(ValidationError, match="go together"):
        Finding.model_validate(_finding(presupposes=["fall_recent"], presupposes_words="since the injury"))
    with pytest.raises(ValidationError, match="not in the question"):
        Finding.model_validate(_finding(presupposes=["fall_recent"], presupposes_words="after the fall",
                                        question_neutral="Has the area swollen up?"))
    with pytest.raises(ValidationError, match="word it neutrally"):
        Finding.model_validate(_finding(presupposes=["fall_recent"], presupposes_words="since the injury",
                                        question_neutral="Has the area swollen up since the injury?"))
    with pytest.raises(ValidationError, match="word it neutrally"):  # the ask is said in answers and checks too
        Finding.model_validate(_finding(presupposes=["fall_recent"], presupposes_words="since the injury",
                                        question_neutral="Has the area swollen up?", ask="swelling since the injury"))


def test_no_library_ask_keeps_a_presupposition_the_question_has_a_neutral_form_for():
    kb = lib().kb
    marked = [f for f in kb.findings.values() if f.presupposes]
    assert len(marked) >= 5
    for f in marked:
        assert f.presupposes_words.lower() not in (f.ask or "").lower(), f.id
        assert all(kb.findings[p].type.value == "binary" for p in f.presupposes), f.id


def test_lay_phrase_naming_the_patient_as_someone_else_is_rejected():
    for phrase in ("an itchy bottom that keeps waking a child at night", "an itch that drives a person mad",
                   "a baby that can't be woken properly"):
        with pytest.raises(ValidationError, match="names the patient as someone else"):
            Finding.model_validate(_finding(lay=[phrase, "a swollen ankle", "puffiness"]))
    # a real other person, or the patient's own past, is fine
    Finding.model_validate(_finding(lay=["bad blistering sunburns as a child", "sex with someone new",
                                         "a baby born two weeks ago"]))


def _asks(records, fid):
    """(said_before, text) for every message that asks ``fid``."""
    kb = lib().kb
    f = kb.findings[fid]
    out = []
    for r in records:
        said: set[str] = set()
        for t, m in zip(r.turns, r.messages):
            if m.role == "user":
                if t.finding is not None and t.act in ("opening", "answer_yes"):
                    said.add(t.finding)
                said.update(t.volunteered)
            elif t.finding == fid:
                out.append((bool(said & set(f.presupposes)), m.content))
    return out


@pytest.mark.parametrize("conditions,fid", [
    (("ankle_fracture", "distal_radius_fracture"), "limb_deformed_after_injury"),
    (("concussion_minor_head_injury", "traumatic_subdural_haemorrhage"), "getting_worse_since_injury"),
])
def test_no_question_presupposes_a_finding_not_said_by_then(conditions, fid):
    """Property over generated dialogues: a question whose wording takes an injury for granted says it only after
    one was reported, and otherwise asks the neutral wording; both happen, so the test can fail either way."""
    gen = Generator(lib(), GenerateConfig(seed=31, conditions=conditions))
    # 400: once a head injury's level is A&E the worsening question is asked only if it could raise it, so in 160
    # records it was asked twice, never after a headache had been said
    records = [gen.record(i) for i in range(400)]
    kb, lexicon = lib().kb, Lexicon.load(bundled_library())
    rule = RULES["questions_presuppose_only_what_was_said"]
    assert [v for r in records for v in rule(r, kb, lexicon)] == []
    f = kb.findings[fid]
    asks = _asks(records, fid)
    words = f.presupposes_words.lower()
    unsaid = [text for said, text in asks if not said]
    said = [text for s, text in asks if s]
    assert unsaid and all(words not in t.lower() for t in unsaid)
    assert said and all(words in t.lower() for t in said)


def test_safety_net_warns_only_of_the_conditions_own_red_flags():
    """'A temperature lasting 5 days' was in 513 of 3,000 nets without any fever (hives, a sprain, threadworm):
    the loader derives an edge to it for every condition with a fever edge, from the implication that a fever
    for 5 days is one. A net names only red flags of the condition's own file and its safety_nets entry."""
    kb = lib().kb
    for cid, cond in kb.conditions.items():
        own = {e.id for e in cond.findings} | set(kb.safety_nets.get(cid, ()))
        for band in cond.ages:
            assert set(_warnings_of(kb, cid, band)) <= own, (cid, band)
    for cid in ("ankle_sprain", "acute_urticaria", "threadworms", "blocked_tear_duct_infant", "acute_torticollis"):
        assert "fever_five_days_or_more" not in _warnings_of(kb, cid, kb.conditions[cid].ages[0]), cid
    assert "fever_five_days_or_more" in _warnings_of(kb, "viral_uri_child", "child")  # its own edge stays


def test_rescue_medicine_by_care_plan_only_with_known_epilepsy():
    kb = lib().kb
    who = Demographics(30, Sex.male, False)
    reasons = [("red_flag", "seizure_over_5_minutes")]
    first = [s.text for s in first_aid_steps(kb, reasons, who, True, ["seizure", "seizure_over_5_minutes"])]
    known = [s.text for s in first_aid_steps(kb, reasons, who, True,
                                             ["seizure", "seizure_over_5_minutes", "known_epilepsy"])]
    assert first and not any("care plan" in t for t in first)
    assert any("care plan" in t for t in known)
    first_fit = [s.text for s in first_aid_steps(kb, [("plausible_condition", "first_unprovoked_seizure")], who,
                                                 True, ["seizure"])]
    assert first_fit and not any("care plan" in t for t in first_fit)


def test_poisons_line_only_once_a_swallowed_substance_was_said():
    """A dizzy 6-year-old whose likeliest cause was an extra dose of medicine, never asked about, was told to ring
    the National Poisons Information Service; the line now needs the condition's defining finding said."""
    gen = Generator(lib(), GenerateConfig(seed=7, conditions=("accidental_extra_medicine_dose",
                                                             "child_accidental_ingestion", "vasovagal_syncope")))
    seen = 0
    for i in range(120):
        r = gen.record(i)
        said = {t.finding for t in r.turns if t.act in ("opening", "answer_yes")} | {
            v for t in r.turns for v in t.volunteered}
        if r.gold.crisis_resource == "poison_centre":
            seen += 1
            assert "swallowed_harmful_substance" in said or r.case.condition == "carbon_monoxide_poisoning", r.id
    assert seen  # the line is still given where it belongs


def test_self_care_advice_keeps_to_what_was_reported():
    """A dizzy boy who did not faint was told 'Book a GP appointment so a doctor can check the faint' (review 8,
    #11): the item needs a reported faint (only_with), and a worded twin (not_with) says the same check for
    dizzy spells. The same filter now honours not_with in self-care (a verruca with diabetes)."""
    from scenegen.advice import self_care_advice
    kb = lib().kb
    boy = Demographics(6 * 12, Sex.male, False)
    dizzy = [a.text for a in self_care_advice(kb, "vasovagal_syncope", boy, True, "en_GB", ["dizziness"])]
    fainted = [a.text for a in self_care_advice(kb, "vasovagal_syncope", boy, True, "en_GB", ["fainting"])]
    assert not any("the faint;" in t for t in dizzy) and any("dizzy spells" in t for t in dizzy)
    assert any("the faint;" in t for t in fainted) and not any("dizzy spells" in t for t in fainted)
    adult = Demographics(40 * 12, Sex.female, False)
    with_diabetes = self_care_advice(kb, "warts_and_verrucae", adult, False, "en_GB", ["diabetes"])
    without = self_care_advice(kb, "warts_and_verrucae", adult, False, "en_GB", [])
    assert len(with_diabetes) < len(without)


def test_a_question_to_a_parent_names_their_child_not_the_child():
    """'Is the child floppy?' read as a form, not as talking to the mother of a named son (seed 5150: 539 of
    3,000 records): a question's 'the child' or 'the baby' is said as 'your son' or 'your daughter'."""
    import re
    from scenegen.triage import ancestors
    kb = lib().kb
    gen = Generator(lib(), GenerateConfig(seed=3, conditions=("bronchiolitis", "acute_otitis_media",
                                                             "febrile_young_infant_serious_bacterial_infection")))
    asked = 0
    for i in range(60):
        r = gen.record(i)
        for t, m in zip(r.turns, r.messages):
            if m.role != "assistant" or t.finding is None or t.act not in ("clarify", "red_flag_check"):
                continue
            if kb.settings.pregnancy_finding in ancestors(kb, t.finding):
                continue
            if re.search(r"\bthe (child|baby)\b", kb.findings[t.finding].question, re.I):
                asked += 1
                assert not re.search(r"\bthe (child|baby)\b", m.content, re.I), m.content
                assert re.search(r"\b[Yy]our (son|daughter)\b", m.content), m.content
    assert asked >= 5
