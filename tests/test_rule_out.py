"""Rule out before escalating: a dangerous condition that alone decides the level is ruled in or out first."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen import Demographics
from scenegen.content import Disposition, Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.triage import ancestors, assess, decide, pending_rule_outs

HEADACHE_AT_HOME = {"headache": True, "dizziness": True, "nausea": True, "fatigue": True, "head_injury": False,
                    "headache_thunderclap": False, "limb_weakness_sudden": False}


def test_carbon_monoxide_is_ruled_in_or_out_by_asking_about_fuel_burning_appliances(bundled_kb):
    who = Demographics(40 * 12, Sex.female)
    result = assess(bundled_kb, who, HEADACHE_AT_HOME, n_questions=10)
    asked = {q.finding: q.rules_out for q in result.next_questions}
    assert asked.get("fuel_burning_appliance_indoors") == "carbon_monoxide_poisoning"
    # once the exposure is denied, carbon monoxide no longer decides the level
    after = decide(bundled_kb, who, {**HEADACHE_AT_HOME, "fuel_burning_appliance_indoors": False,
                                     "others_at_home_same_symptoms": False, "symptoms_better_away_from_home": False})
    assert "carbon_monoxide_poisoning" not in {r.id for r in after.decisive}


def test_no_rule_out_when_a_red_flag_already_decides(bundled_kb):
    who = Demographics(60 * 12, Sex.male)
    obs = {"chest_pain": True, "chest_pain_over_15_min": True}
    d = decide(bundled_kb, who, obs)
    assert d.disposition is Disposition.emergency_ambulance
    assert pending_rule_outs(bundled_kb, d, obs) == {}


def test_every_rule_out_question_is_an_edge_of_its_condition(bundled_kb):
    for cid, c in bundled_kb.conditions.items():
        assert set(c.rule_out) <= set(bundled_kb.likelihoods[cid]), cid



EMERGENCY = (Disposition.emergency_department, Disposition.emergency_ambulance)


def test_every_emergency_condition_can_be_ruled_in_or_out(bundled_kb):
    """An emergency condition that is merely plausible on a diffuse posterior is not escalated on without its
    defining features having been asked: each names rule-out questions or has an obligatory finding (whose
    denial rules it out), and each rule-out question can be answered at some age the condition occurs at
    (a baby cannot report pain; its rule-out must be a sign a parent sees)."""
    obligatory = bundled_kb.settings.obligatory_band
    for cid, c in bundled_kb.conditions.items():
        if c.disposition not in EMERGENCY:
            continue
        defining = [e.id for e in c.findings if e.p == obligatory]
        assert c.rule_out or defining, f"{cid} ({c.disposition.value}) has neither rule_out nor an obligatory finding"
        for fid in c.rule_out:
            assert any(bundled_kb.reportable(fid, band) for band in c.ages), (
                f"{cid}: rule-out '{fid}' cannot be reported in any of its age bands {c.ages}")

@lru_cache(maxsize=None)
def _gen(seed: int) -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=seed))


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_no_generated_decision_leaves_a_rule_out_unasked(seed, index):
    from scenegen.validate import _dialogue_observations

    gen = _gen(seed)
    kb = gen.lib.kb
    r = gen.record(index)
    p = r.persona
    obs = _dialogue_observations(r, kb)
    d = decide(kb, Demographics(p.age_months, Sex(p.sex), p.pregnant), obs)
    assert d.disposition.value == r.gold.disposition
    if d.disposition is not Disposition.emergency_ambulance:
        assert pending_rule_outs(kb, d, obs, kb.age_band(p.age_months)) == {}
    for q in r.gold.questions:
        if q.rules_out:  # the rule-out question itself (or what the condition cannot exist without), or a gateway
            questions = kb.rule_out_questions(q.rules_out)
            gateways = {a for f in questions for a in ancestors(kb, f)}
            assert q.finding in set(questions) | gateways


def test_generated_carbon_monoxide_dialogues_ask_the_exposure_before_escalating_on_it():
    """Every record whose level rests on carbon monoxide alone asked the exposure question first."""
    from scenegen.validate import _dialogue_observations

    gen = Generator(Library.load(), GenerateConfig(seed=2, conditions=("carbon_monoxide_poisoning",)))
    kb = gen.lib.kb
    ruled = 0
    for i in range(25):
        r = gen.record(i)
        ruled += any(q.rules_out == "carbon_monoxide_poisoning" for q in r.gold.questions)
        p = r.persona
        obs = _dialogue_observations(r, kb)
        d = decide(kb, Demographics(p.age_months, Sex(p.sex), p.pregnant), obs)
        if d.disposition is not Disposition.emergency_ambulance:
            assert pending_rule_outs(kb, d, obs, kb.age_band(p.age_months)) == {}, r.id
    assert ruled >= 5


def test_a_condition_whose_rule_out_questions_were_all_denied_no_longer_decides_the_level(bundled_kb):
    """Asking rules a danger out: cholecystitis with no fever and no pain on moving stays in the differential
    but is no reason for A&E, and it is back as soon as one of its questions is answered yes."""
    from scenegen.triage import ruled_out

    who = Demographics(71 * 12, Sex.female, False)
    base = {"abdominal_pain": True, "vomiting": True, "abdominal_pain_site": "upper_middle"}
    rules = bundled_kb.conditions["acute_cholecystitis"].rule_out
    denied = {**base, **{f: False for f in rules}}
    assert ruled_out(bundled_kb, "acute_cholecystitis", denied)
    d = decide(bundled_kb, who, denied)
    assert all(r.id != "acute_cholecystitis" for r in d.reasons)
    one_yes = {**denied, rules[0]: True}
    assert not ruled_out(bundled_kb, "acute_cholecystitis", one_yes)
    assert not ruled_out(bundled_kb, "acute_cholecystitis", base)  # unasked is not denied


def test_a_febrile_baby_with_no_sign_of_meningitis_or_sepsis_is_seen_within_hours_not_by_ambulance(bundled_kb):
    """NICE NG143: a temperature under 3 months is a red feature (face-to-face within 2 hours); only a
    life-threatening or specific sign calls for an ambulance. Meningitis and sepsis stay plausible on the
    fever alone, so their level is the lower one until a sign that makes them suspected is reported."""
    baby = Demographics(1, Sex.male)
    denied = {"floppy_or_unresponsive": False, "non_blanching_rash": False, "mottled_skin": False,
              "very_fast_breathing": False, "poor_feeding": False, "reduced_activity": False}
    well = decide(bundled_kb, baby, {"fever": True, **denied})
    assert well.disposition is Disposition.emergency_department
    assert {"bacterial_meningitis", "sepsis"} & {r.id for r in well.decisive}
    rash = decide(bundled_kb, baby, {"fever": True, **denied, "non_blanching_rash": True})
    assert rash.disposition is Disposition.emergency_ambulance
    # an adult with the classic triad is suspected meningitis: an ambulance
    adult = decide(bundled_kb, Demographics(30 * 12, Sex.female),
                   {"fever": True, "headache": True, "neck_stiffness": True, "light_sensitivity": True})
    assert adult.disposition is Disposition.emergency_ambulance
