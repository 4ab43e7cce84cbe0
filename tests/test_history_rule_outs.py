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
