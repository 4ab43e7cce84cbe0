"""A flare of a known long-term lung disease is ruled in or out by asking about that diagnosis before it sets
the level: a productive cough alone is acute bronchitis, self-care (NICE NG120), once the person says they have
no COPD and no bronchiectasis."""

from __future__ import annotations

from scenegen import Demographics
from scenegen.content import Disposition, Sex
from scenegen.triage import decide, pending_rule_outs

BRONCHITIS = {"cough": True, "productive_cough": True, "discoloured_sputum": True, "fever": False,
              "breathlessness": False, "chest_pain": False, "coughing_blood": False, "confusion": False,
              "wheeze": False, "recent_weight_loss": False}
WHO = Demographics(45 * 12, Sex.female)


def test_known_copd_and_bronchiectasis_are_asked_before_their_flares_decide_the_level(bundled_kb):
    d = decide(bundled_kb, WHO, BRONCHITIS)
    assert d.disposition is Disposition.urgent
    pending = pending_rule_outs(bundled_kb, d, BRONCHITIS, bundled_kb.age_band(WHO.age_months), WHO.sex)
    assert pending.get("known_bronchiectasis") == "bronchiectasis_exacerbation"
    assert pending.get("known_copd") == "copd_exacerbation"


def test_denying_both_diagnoses_leaves_acute_bronchitis_at_self_care(bundled_kb):
    obs = {**BRONCHITIS, "known_copd": False, "known_bronchiectasis": False}
    assert decide(bundled_kb, WHO, obs).disposition is Disposition.self_care


def test_known_bronchiectasis_keeps_the_flare_at_same_day_care(bundled_kb):
    obs = {**BRONCHITIS, "known_copd": False, "known_bronchiectasis": True}
    d = decide(bundled_kb, WHO, obs)
    assert d.disposition is Disposition.urgent
    assert any(r.id == "bronchiectasis_exacerbation" and r.disposition is Disposition.urgent for r in d.reasons)


CHEST_WALL = {"chest_pain": True, "chest_pain_tender_to_touch": True, "pain_worse_on_movement": True,
              "recent_chest_wall_strain": True, "chest_pain_with_sweating_or_breathlessness": False,
              "pain_radiates_arm_jaw": False, "chest_pain_exertional": False, "chest_pain_pressure_tightness": False,
              "breathlessness": False, "fever": False, "coughing_blood": False, "calf_pain_tenderness": False,
              "fainting": False}
RIB_QUESTIONS = ("felt_rib_crack", "osteoporosis_or_steroids", "active_cancer")


def test_a_rib_broken_through_weak_bone_is_asked_about_before_it_sends_a_sore_chest_wall_to_same_day_care(bundled_kb):
    who = Demographics(30 * 12, Sex.female)
    d = decide(bundled_kb, who, CHEST_WALL)
    assert d.disposition is Disposition.urgent
    pending = pending_rule_outs(bundled_kb, d, CHEST_WALL, bundled_kb.age_band(who.age_months), who.sex)
    assert {f: pending.get(f) for f in RIB_QUESTIONS} == dict.fromkeys(RIB_QUESTIONS, "spontaneous_rib_fracture")
    denied = {**CHEST_WALL, **dict.fromkeys(RIB_QUESTIONS, False)}
    assert decide(bundled_kb, who, denied).disposition is Disposition.self_care
    for f in RIB_QUESTIONS:  # any one of them keeps the fracture deciding the level
        assert decide(bundled_kb, who, {**denied, f: True}).disposition is Disposition.urgent, f
