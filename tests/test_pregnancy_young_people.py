"""Pregnant callers, teenagers speaking for themselves and dizzy children, from a blind clinician's read: in
five pregnant callers gestation was never asked; a 13-year-old was asked whether she had had a baby in the
past year and about sex and injected drugs with no framing; a dizzy 6-year-old who had not fainted was
labelled a simple faint."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen import Demographics
from scenegen.content import Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.triage import assess

from .replay import known_before_each_turn

Y = 12


@lru_cache(maxsize=None)
def _lib() -> Library:
    return Library.load()


def _records(conditions, complaints, n, seed=11):
    gen = Generator(_lib(), GenerateConfig(seed=seed, conditions=conditions, complaints=complaints))
    return [gen.record(i) for i in range(n)]


def _known_by(r, turn):
    """What was known (asked, answered or volunteered) before ``turn``."""
    _, known_at = known_before_each_turn(_lib().kb, r)
    return known_at[turn]


def test_a_pregnant_caller_with_tummy_pain_is_asked_gestation_and_bleeding_before_the_decision():
    records = [r for r in _records(("placental_abruption", "pre_eclampsia", "pyelonephritis_in_pregnancy"),
                                   ("abdominal_pain",), 40) if r.persona.pregnant]
    assert len(records) >= 10
    for r in records:
        known = _known_by(r, r.gold.disposition_turn)
        assert "weeks_pregnant" in known, r.id
        if r.gold.disposition != "emergency_ambulance":  # an ambulance may be called before the screen ends
            assert "vaginal_bleeding" in known, r.id


def test_gestation_is_a_must_ask_for_a_pregnant_caller_whatever_the_complaint(bundled_kb):
    for complaint in ("joint_pain", "cough", "rash", "back_pain"):
        result = assess(bundled_kb, Demographics(30 * Y, Sex.female, True), {complaint: True})
        assert ("weeks_pregnant", "gestation_in_pregnancy") in {(q.finding, q.must_ask) for q in result.next_questions}
        result = assess(bundled_kb, Demographics(30 * Y, Sex.female, False), {complaint: True})
        assert "weeks_pregnant" not in {q.finding for q in result.next_questions if q.must_ask}


def test_a_tender_calf_or_one_swollen_leg_in_pregnancy_is_seen_the_same_day(bundled_kb):
    pregnant = Demographics(30 * Y, Sex.female, True)
    for obs in ({"joint_pain": True, "calf_pain_tenderness": True},
                {"leg_swelling": True, "leg_swelling_side": "one_leg"}):
        result = assess(bundled_kb, pregnant, obs)
        assert result.decision.disposition.value in {"urgent", "emergency_department", "emergency_ambulance"}, obs


def test_a_faint_in_early_pregnancy_or_a_change_in_vision_later_goes_to_hospital_now(bundled_kb):
    pregnant = Demographics(26 * Y, Sex.female, True)
    early_faint = {"fainting": True, "weeks_pregnant": "under_20_weeks"}
    late_vision = {"vision_change": True, "weeks_pregnant": "from_20_weeks"}
    for obs in (early_faint, late_vision):
        result = assess(bundled_kb, pregnant, obs)
        assert result.decision.disposition.value in {"emergency_department", "emergency_ambulance"}, obs
    # the rule is the pregnancy's: the same reports from a woman who is not pregnant are not raised by it
    for obs in ({"fainting": True}, {"vision_change": True}):
        result = assess(bundled_kb, Demographics(26 * Y, Sex.female, False), obs)
        assert not {r.id for r in result.decision.reasons} & {"pregnancy_faint_early", "pregnancy_vision_change_from_20_weeks"}


def test_a_pregnant_caller_sent_to_hospital_or_same_day_care_hears_of_the_maternity_service():
    records = _records(("pre_eclampsia", "placental_abruption", "pyelonephritis_in_pregnancy", "swelling_of_normal_pregnancy"),
                       ("abdominal_pain", "headache", "leg_swelling", "fever"), 60)
    checked = early_seen = 0
    for r in records:
        if r.gold.disposition not in {"emergency_department", "urgent"}:
            continue
        said = r.messages[r.gold.disposition_turn].content
        # early on, or before the pregnancy is confirmed, the early pregnancy service instead (read 11: "labor
        # and delivery" at 8 weeks)
        gestation = next((t.answer_values if t.act == "answer_value" else t.volunteered_map["weeks_pregnant"]
                          for t in r.turns if (t.finding == "weeks_pregnant" and t.act == "answer_value")
                          or "weeks_pregnant" in t.volunteered_map), [])
        early = bool(gestation) and set(gestation) <= {"under_20_weeks", "not_sure"}
        if r.persona.locale == "en_US":
            service = "OB provider or family doctor" if early else "labor and delivery"
        else:
            service = "early pregnancy unit" if early else "maternity unit"
        assert (service in said) == r.persona.pregnant, (r.id, said)
        checked += 1
        early_seen += early and r.persona.pregnant
    assert checked and early_seen


def test_a_simple_faint_is_never_the_hidden_condition_without_a_faint():
    records = _records(("vasovagal_syncope",), ("dizziness", "fainting", "seizure"), 40)
    for r in records:
        assert "fainting" in r.case.present, r.id


def test_a_clear_no_to_a_faint_rules_out_a_simple_faint(bundled_kb):
    who = Demographics(6 * Y + 6, Sex.male)
    result = assess(bundled_kb, who, {"dizziness": True, "fainting": False})
    assert "vasovagal_syncope" not in {c for c, _ in result.differential}


def test_a_dizzy_child_is_asked_about_a_knock_to_the_head_something_swallowed_and_walking():
    records = _records(("vasovagal_syncope", "bppv", "orthostatic_hypotension"), ("dizziness",), 60)
    children = [r for r in records if r.persona.age_months < 18 * Y]
    assert children
    for r in children:
        known = _known_by(r, r.gold.disposition_turn)
        if r.gold.disposition != "emergency_ambulance":
            for fid in ("head_injury", "swallowed_harmful_substance"):
                assert fid in known, (r.id, fid)
            # walking: BE-FAST's sudden loss of balance from 13, the child's unsteadiness (ED) below
            walking = "sudden_loss_of_balance" if r.persona.age_months >= 13 * Y else "unsteady_walking_child"
            assert walking in known, (r.id, walking)


def test_a_girl_under_16_is_never_asked_whether_she_has_had_a_baby():
    records = _records(("depression", "generalised_anxiety_disorder", "postnatal_depression"), ("low_mood",), 120)
    young = [r for r in records if r.persona.age_months < 16 * Y]
    assert young
    for r in young:
        assert "gave_birth_recently" not in {t.finding for t in r.turns if t.act in {"clarify", "red_flag_check"}}, r.id


def test_a_woman_of_50_or_over_is_never_asked_whether_she_has_had_a_baby():
    """A 57-year-old with low mood was asked "Have you had a baby in the past year?" (blind read 9)."""
    records = _records(("depression", "generalised_anxiety_disorder", "postnatal_depression"), ("low_mood",), 120)
    older = [r for r in records if r.persona.age_months >= 50 * Y and r.persona.sex == "female"]
    assert older
    for r in older:
        assert "gave_birth_recently" not in {t.finding for t in r.turns if t.act in {"clarify", "red_flag_check"}}, r.id


def test_a_teenager_with_low_mood_is_asked_about_self_harm():
    records = _records(("depression", "generalised_anxiety_disorder"), ("low_mood",), 120)
    teens = [r for r in records if r.persona.age_months < 18 * Y]
    assert teens
    for r in teens:
        if r.gold.disposition != "emergency_ambulance":
            assert "self_harm_recent" in _known_by(r, r.gold.disposition_turn), r.id


FRAMED = ("hiv_exposure_risk", "hepatitis_exposure_risk", "pelvic_pain_or_fever_with_discharge", "pain_during_sex",
          "new_sexual_partner", "cannabis_or_drug_use", "bleeding_between_periods_or_after_sex", "discharge_fishy_smell")


def test_personal_questions_carry_a_framing_for_young_people(bundled_kb):
    for fid in FRAMED:
        framing = bundled_kb.findings[fid].young_framing
        assert framing is not None and framing.max_age_months == 18 * Y - 1, fid


def test_a_teenager_hears_the_framing_before_a_personal_question_and_an_adult_does_not():
    kb = _lib().kb
    records = _records(("bacterial_vaginosis", "vaginal_thrush", "pelvic_inflammatory_disease"), ("vaginal_itch_discharge",), 200)
    seen = {"teen": 0, "adult": 0}
    for r in records:
        personal = [i for i, t in enumerate(r.turns)
                    if t.act in {"clarify", "red_flag_check"} and kb.findings[t.finding].young_framing is not None]
        if not personal:
            continue
        framing = kb.findings[r.turns[personal[0]].finding].young_framing.text
        framed = [framing in r.messages[i].content for i in personal]
        if r.persona.speaker == "self" and r.persona.age_months < 18 * Y:
            assert framed[0] and not any(framed[1:]), (r.id, framed)  # once, before the first personal question
            seen["teen"] += 1
        else:
            assert not any(framed), r.id
            seen["adult"] += 1
    assert seen["teen"] and seen["adult"], seen


def test_a_teenager_on_their_own_is_told_to_involve_a_parent_or_trusted_adult():
    records = _records(("depression", "generalised_anxiety_disorder", "tension_type_headache", "migraine"),
                       ("low_mood", "headache"), 150)
    teens = adults = 0
    for r in records:
        said = r.messages[r.gold.disposition_turn].content
        if r.gold.disposition == "emergency_ambulance":
            continue
        if r.persona.speaker == "self" and r.persona.age_months < 18 * Y:
            assert "adult you trust" in said, (r.id, said)
            teens += 1
        else:
            assert "adult you trust" not in said, (r.id, said)
            adults += 1
    assert teens and adults


PRE_ECLAMPSIA_SIGNS = {"visual_disturbance_in_pregnancy", "sudden_swelling_face_hands", "pain_below_ribs_in_pregnancy"}


@given(age_years=st.integers(16, 45),
       complaint=st.sampled_from(["headache", "dizziness", "high_bp_reading", "leg_swelling", "allergic_reaction",
                                  "vomiting", "abdominal_pain", "vision_change"]),
       weeks=st.sampled_from(["under_20_weeks", "from_20_weeks"]))
def test_pre_eclampsia_signs_are_neither_asked_nor_netted_before_20_weeks(age_years, complaint, weeks):
    """Pre-eclampsia arises from 20 weeks of pregnancy (NICE NG133): its questions (blurred vision, sudden
    swelling of the face and hands) were asked of someone 'a few weeks' pregnant in a blind read."""
    from scenegen.plan import safety_net

    kb = _lib().kb
    floored = {f for f, x in kb.findings.items()
               if "under_20_weeks" not in x.implies.get("weeks_pregnant", ("under_20_weeks",))}
    assert PRE_ECLAMPSIA_SIGNS <= floored
    who = Demographics(age_years * Y, Sex.female, True)
    obs = {complaint: True, "weeks_pregnant": weeks}
    result = assess(kb, who, obs, n_questions=40)
    asked = {q.finding for q in result.next_questions}
    band = kb.age_band(who.age_months)
    known = {"pregnancy_known_or_possible": True, **obs}
    conds = tuple(kb.conditions)
    top = result.differential[:3]
    for entry, c in kb.complaints.items():
        if c.finding != complaint:
            continue
        net = {text for text, _ in safety_net(kb, known, result.decision, top, entry, band, conds)}
        if weeks == "under_20_weeks":
            assert not net & {kb.findings[f].red_flag.warning for f in floored}, (complaint, net)
    if weeks == "under_20_weeks":
        assert not asked & floored, (complaint, asked & floored)
