"""A condition that was never tested drives nothing (issue #9, blind read).

D15: a confused woman never asked about fumes was told to get everyone out and turn off the gas, and given the
poisons line, because carbon monoxide poisoning was kept plausible at 5 %. D16: a toddler's rash net gave
heatstroke's 999 criteria because an untested sunburn (never asked about the sun) was the likeliest cause.
First aid and a crisis line come from an affirmed red flag or exposure; a safety net from the conditions in view
whose defining findings were reported.
"""

from __future__ import annotations

from functools import lru_cache

from scenegen.advice import first_aid_steps
from scenegen.content import Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.knowledge import Demographics
from scenegen.triage import CrisisResource, decide
from scenegen.validate import _dialogue_observations

CO_EXPOSURE = ("fuel_burning_appliance_indoors", "others_at_home_same_symptoms", "symptoms_better_away_from_home")
WOMAN_39 = Demographics(39 * 12, Sex.female, False)


@lru_cache(maxsize=1)
def lib() -> Library:
    return Library.load()


def _co_step(kb) -> str:
    return kb.conditions["carbon_monoxide_poisoning"].first_aid[0].text


def test_carbon_monoxide_first_aid_needs_an_exposure_said():
    kb = lib().kb
    reasons = [("red_flag", "confusion_sudden_onset"), ("plausible_condition", "carbon_monoxide_poisoning")]
    untested = first_aid_steps(kb, reasons, WOMAN_39, False, ["confusion", "confusion_sudden_onset"], "en_GB",
                               ambulance=False, leading="delirium")
    assert _co_step(kb) not in [s.text for s in untested]
    exposed = first_aid_steps(kb, reasons, WOMAN_39, False,
                              ["confusion", "confusion_sudden_onset", "fuel_burning_appliance_indoors"], "en_GB",
                              ambulance=False, leading="delirium")
    assert _co_step(kb) in [s.text for s in exposed]


def test_the_poisons_line_for_carbon_monoxide_needs_an_exposure_said():
    kb = lib().kb
    obs = {"headache": True, "dizziness": True, "nausea": True, "fatigue": True}
    assert decide(kb, WOMAN_39, obs).crisis_resource is CrisisResource.none
    for exposure in CO_EXPOSURE:
        decision = decide(kb, WOMAN_39, {**obs, exposure: True})
        if "carbon_monoxide_poisoning" in {r.id for r in decision.reasons}:
            assert decision.crisis_resource is CrisisResource.poison_centre, exposure


def test_generated_calls_give_co_first_aid_and_the_poisons_line_only_after_an_exposure_was_said():
    kb = lib().kb
    gen = Generator(lib(), GenerateConfig(seed=27182, conditions=("carbon_monoxide_poisoning", "delirium", "migraine"),
                                          complaints=("confusion", "headache")))
    given = 0
    for i in range(60):
        r = gen.record(i)
        obs = _dialogue_observations(r, kb)
        exposed = any(obs.get(f) is True for f in CO_EXPOSURE)
        if _co_step(kb) in r.gold.first_aid:
            assert exposed, r.id
            given += 1
        if r.gold.crisis_resource == "poison_centre":
            assert exposed, r.id
    assert given, "no generated call gave the carbon monoxide step"


def _net(kb, obs, top):
    from scenegen.plan import safety_net

    toddler = Demographics(22, Sex.male, False)
    decision = decide(kb, toddler, obs)
    return [text for text, _ in safety_net(kb, obs, decision, top, "rash", kb.age_band(22),
                                           tuple(kb.conditions), current={c: p for c, p in top}, sex=Sex.male)]


def test_a_safety_net_never_warns_of_heatstroke_after_an_untested_sunburn():
    """D16: sunburn the likeliest at 16 % of a toddler's rash, nobody asked about the sun."""
    kb = lib().kb
    cooling = [kb.findings[f].red_flag.warning for f in kb.safety_nets["sunburn"]
               if "cool" in (kb.findings[f].red_flag.warning or "")]
    assert cooling
    top = [("sunburn", 0.16), ("impetigo", 0.13), ("chickenpox", 0.12)]
    obs = {"rash": True, "fever": False}
    assert not set(cooling) & set(_net(kb, obs, top))
    assert set(cooling) & set(_net(kb, {**obs, "red_sore_skin_after_sun": True}, top))


# D23, D19, D15: a condition above routine decides the level only after the question that tells it apart was asked
DISCRIMINATING = {"herpes_zoster": {"rash_band_one_side", "rash_blisters"},
                  "acute_pyelonephritis": {"loin_pain", "fever"},
                  "traumatic_subdural_haemorrhage": {"head_injury"}}


def test_shingles_a_kidney_infection_and_a_subdural_are_ruled_out_before_they_decide():
    kb = lib().kb
    for cid, wanted in DISCRIMINATING.items():
        assert wanted <= set(kb.rule_out_questions(cid)), cid


def test_an_untested_shingles_does_not_make_a_rash_same_day():
    from scenegen.triage import pending_rule_outs

    kb = lib().kb
    older = Demographics(75 * 12, Sex.female, False)
    obs = {"rash": True, "rash_itchy": True}
    decision = decide(kb, older, obs)
    if any(r.id == "herpes_zoster" for r in decision.decisive):
        pending = pending_rule_outs(kb, decision, obs, kb.age_band(older.age_months), older.sex)
        assert {"rash_band_one_side", "rash_blisters"} & set(pending)
    denied = decide(kb, older, {**obs, "rash_band_one_side": False, "rash_blisters": False})
    assert "herpes_zoster" not in {r.id for r in denied.decisive}
