"""Advice that fits the person: self-care items and first-aid steps only within the ages and pregnancy states
their sources give; emergencies lead with the action, give the guideline's first-aid step and close urgently;
safety nets and self-care come only from conditions in view for this complaint."""

from __future__ import annotations

import random
import re
from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st

from scenegen.advice import first_aid_steps, fits, self_care_advice
from scenegen.content import Disposition, Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.knowledge import Demographics
from scenegen.plan import PlanSettings, Reasoner, plan_dialogue, warning_texts
from scenegen.records import Record
from scenegen.sample import Filters, PersonaDraw, sample_case
from scenegen.triage import linked_red_flags

#: conditions whose advice has age or pregnancy limits (so that random records exercise them often)
LIMITED = ("scabies", "acute_urticaria", "seasonal_allergic_rhinitis", "common_cold", "viral_gastroenteritis",
           "impetigo", "chickenpox", "migraine", "viral_uri_child", "insect_bite_local_reaction",
           "concussion_minor_head_injury", "hypoglycaemia_treated_diabetes", "functional_constipation",
           "tension_type_headache", "influenza")


@lru_cache(maxsize=1)
def lib() -> Library:
    return Library.load()


@lru_cache(maxsize=None)
def generator(seed: int, conditions: tuple[str, ...] = ()) -> Generator:
    return Generator(lib(), GenerateConfig(seed=seed, conditions=conditions))


def who(r: Record) -> Demographics:
    return Demographics(r.persona.age_months, Sex(r.persona.sex), r.persona.pregnant)


def final_text(r: Record) -> str:
    return r.messages[r.gold.disposition_turn].content


def advice_outside_range(r: Record) -> list[str]:
    """Advice texts in the record's final message whose every item (by text) is outside the person's range."""
    kb = lib().kb
    local = generator(0).realiser.localiser(r.persona.locale)
    by_text: dict[str, list] = {}
    for c in kb.conditions.values():
        for item in c.advice:
            by_text.setdefault(local(item.text), []).append(item)
    text = final_text(r)
    proxy = r.persona.speaker != "self"
    return [t for t, items in by_text.items()
            if t in text and not any(fits(kb, i, who(r), proxy, r.persona.locale) for i in items)]


# --- the limits themselves --------------------------------------------------------------------------------


def texts(condition: str, age_months: int, pregnant: bool = False, proxy: bool = True) -> list[str]:
    sex = Sex.female
    return [a.text for a in self_care_advice(lib().kb, condition, Demographics(age_months, sex, pregnant), proxy)]


def test_no_permethrin_from_a_pharmacist_for_a_newborn():
    newborn = " ".join(texts("scabies", 0))
    assert "pharmacist can supply a scabies cream" not in newborn
    assert "not licensed for babies under 2 months" in newborn
    assert "pharmacist can supply a scabies cream" in " ".join(texts("scabies", 30 * 12, proxy=False))


def test_no_antihistamine_tablets_for_a_toddler():
    toddler = " ".join(texts("acute_urticaria", 18) + texts("seasonal_allergic_rhinitis", 18))
    assert "tablet" not in toddler and "cetirizine" not in toddler
    assert "liquid" in " ".join(texts("acute_urticaria", 36))
    assert "tablet" in " ".join(texts("seasonal_allergic_rhinitis", 30 * 12, proxy=False))


def test_no_stay_off_work_to_a_babys_parent():
    for condition in ("viral_gastroenteritis", "impetigo", "chickenpox"):
        said = " ".join(texts(condition, 8)).lower()
        assert "off work" not in said and "stay off" not in said, condition
    assert "off work" in " ".join(texts("viral_gastroenteritis", 30 * 12, proxy=False))


def test_pregnancy_gets_paracetamol_not_ibuprofen_and_no_aspirin():
    kb = lib().kb
    pregnant = Demographics(28 * 12, Sex.female, True)
    for cid, c in kb.conditions.items():
        if kb.prior(cid, pregnant) == 0:
            continue  # she cannot have it (croup, colic)
        for item in self_care_advice(kb, cid, pregnant, False):
            low = item.text.lower()
            if ("ibuprofen" in low or "aspirin" in low) and item.pregnancy.value == "any":
                # said to anyone: it must not recommend them ('work too slowly', 'do not use ibuprofen')
                assert any(w in low for w in ("too slowly", "do not use ibuprofen", "never give aspirin")), (cid, item.text)
    said = " ".join(texts("common_cold", 28 * 12, pregnant=True, proxy=False))
    assert "paracetamol" in said and "not recommended in pregnancy" in said


def test_pregnancy_advice_never_suggests_just_cutting_down_on_alcohol():
    """In pregnancy the advice is no alcohol at all (UK CMOs 2016), never 'less alcohol'."""
    kb = lib().kb
    pregnant = Demographics(28 * 12, Sex.female, True)
    said = [item.text for cid in kb.conditions if kb.prior(cid, pregnant) > 0
            for item in self_care_advice(kb, cid, pregnant, False) if "alcohol" in item.text.lower()]
    assert said
    for text in said:
        low = text.lower()
        assert re.search(r"no alcohol|avoid\w*[^.;]*alcohol|alcohol[^.;]*avoided|not using alcohol", low), text
    ectopic = " ".join(texts("benign_ectopic_beats", 28 * 12, pregnant=True, proxy=False))
    assert "no alcohol at all in pregnancy" in ectopic and "Cutting down on coffee, tea, cola" not in ectopic


def test_nobody_under_18_is_told_to_cut_down_on_alcohol():
    """'Cutting down on caffeine and alcohol' assumes a 13-year-old drinks (a blind reader's finding); under 18
    the advice leaves alcohol out or says to avoid it (UK CMOs 2009: an alcohol-free childhood)."""
    kb = lib().kb
    teen = Demographics(14 * 12, Sex.female)
    said = [item.text for cid in kb.conditions if kb.prior(cid, teen) > 0
            for item in self_care_advice(kb, cid, teen, False)]
    assert said
    for text in said:
        low = text.lower()
        assert not re.search(r"(cut\w* down on|less|reduc\w*)(?:(?!avoid)[^.;])*alcohol", low), text
    assert "Cutting down on caffeine, such as cola, energy drinks and coffee, helps." in \
        texts("generalised_anxiety_disorder", 14 * 12, proxy=False)


def test_no_aspirin_under_16_and_no_decongestant_under_6():
    assert not any("aspirin" in t and "never" not in t for t in texts("migraine", 10 * 12))
    assert "never give aspirin" in " ".join(texts("migraine", 10 * 12))
    assert not any(t.startswith("Saline nose drops, steam or a decongestant") for t in texts("common_cold", 4 * 12))


def test_ibuprofen_for_babies_from_3_months_in_the_uk_and_6_months_in_the_us():
    kb = lib().kb
    item = next(a for a in kb.conditions["common_cold"].advice if "ibuprofen for babies" in a.text)
    baby = lambda months: Demographics(months, Sex.female)  # noqa: E731
    assert fits(kb, item, baby(4), True, "en_GB") and not fits(kb, item, baby(4), True, "en_US")
    assert fits(kb, item, baby(7), True, "en_US")
    assert not fits(kb, item, baby(4), True, None), "a locale not known gets the strictest limit"
    assert not fits(kb, item, baby(1), True, "en_GB"), "no paracetamol or ibuprofen advice under 2 months"
    # the feeds advice that came with it still reaches the youngest
    assert any(t.startswith("Keep offering breast or bottle feeds") for t in texts("common_cold", 1))


#: words that turn a mention of a medicine into a warning ('do not use ibuprofen', 'no more paracetamol')
_NEGATION = re.compile(r"\b(not|no more(?! than)|don't|do not|never|avoid|instead of|rather than|too slowly|without|before (?:taking|giving|using))\b", re.I)


def _clause(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ";.(") + 1
    ends = [i for i in (text.find(c, end) for c in ";.()") if i != -1]
    return text[left:min(ends) if ends else len(text)]


def test_every_item_that_recommends_a_medicine_lists_it():
    """An item that names a medicine outside a warning must list it in 'medicines', or its age limits by
    country would not apply (ibuprofen advised for a 4-month-old in the US)."""
    kb = lib().kb
    assert {"paracetamol", "ibuprofen"} <= set(kb.medicines)
    items = [a for c in kb.conditions.values() for a in c.advice + c.first_aid]
    items += [a for f in kb.findings.values() if f.red_flag is not None for a in f.red_flag.first_aid]
    missing = []
    for item in items:
        for med in kb.medicines.values():
            for word in med.mentions:
                for m in re.finditer(rf"\b{re.escape(word)}\b", item.text, re.I):
                    if not _NEGATION.search(_clause(item.text, m.start(), m.end())) and med.id not in item.medicines:
                        missing.append((med.id, item.text))
    assert missing == []
    assert sum(bool(a.medicines) for a in items) >= 60


#: wordings that put someone flat with the legs up, which late pregnancy should not be (the womb presses on
#: the main vein): such an item must exclude pregnancy, and a first-aid list that has one gives a pregnant
#: woman the left-side alternative (RCUK 2021 anaphylaxis; NHS fainting and sleeping position in pregnancy)
_FLAT_WITH_LEGS_UP = re.compile(r"(legs|feet) raised|lie flat with|lying flat with", re.I)


def test_lying_with_the_legs_raised_is_never_advised_in_pregnancy_and_first_aid_offers_the_left_side():
    from scenegen.content import Pregnancy

    kb = lib().kb
    lists = [(f"condition {cid}", c.first_aid, True) for cid, c in kb.conditions.items()]
    lists += [(f"condition {cid} advice", c.advice, False) for cid, c in kb.conditions.items()]
    lists += [(f"red flag {fid}", f.red_flag.first_aid, True) for fid, f in kb.findings.items()
              if f.red_flag is not None]
    lists += [(f"modifier {m.id}", m.first_aid, True) for m in kb.modifiers]
    wrong, no_alternative = [], []
    for name, items, is_first_aid in lists:
        for item in items:
            if not _FLAT_WITH_LEGS_UP.search(item.text) or (item.max_age_months or 999) < 120:
                continue
            if item.pregnancy is not Pregnancy.excluded:
                wrong.append((name, item.text))
            elif is_first_aid and not any(o.pregnancy is Pregnancy.required and o.speaker == item.speaker
                                          for o in items):
                no_alternative.append((name, item.text))
    assert wrong == []
    assert no_alternative == []


#: words that presuppose an ambulance was called: a step saying them is marked ``with_ambulance``
_SPEAKS_OF_THE_AMBULANCE = re.compile(r"ambulance crew|ambulance arrives|call handler|dispatcher|paramedics", re.I)


def test_a_condition_gives_its_first_aid_only_once_what_defines_it_was_reported():
    """A 94-year-old sent to 999 for signs of sepsis was told to be cooled and given water: heatstroke was
    still plausible, though nobody had said anything about heat (blind read 11)."""
    kb = lib().kb
    old = Demographics(94 * 12, Sex.female)
    reasons = [("red_flag", "very_fast_breathing"), ("plausible_condition", "heatstroke")]
    without = " ".join(a.text for a in first_aid_steps(kb, reasons, old, True, ["fever", "very_fast_breathing"]))
    with_heat = " ".join(a.text for a in first_aid_steps(kb, reasons, old, True,
                                                         ["fever", "very_fast_breathing", "heat_exposure"]))
    assert "cool" not in without.lower()
    assert "cool" in with_heat.lower()


def test_steps_that_speak_of_the_ambulance_are_given_only_when_one_is_called():
    """A newborn sent to A&E by car was told to 'tell the ambulance crew if the spots do not fade'."""
    kb = lib().kb
    items = [a for c in kb.conditions.values() for a in c.first_aid]
    items += [a for f in kb.findings.values() if f.red_flag is not None for a in f.red_flag.first_aid]
    items += [a for m in kb.modifiers for a in m.first_aid]
    items += kb.settings.waiting_for_ambulance
    unmarked = [a.text for a in items if _SPEAKS_OF_THE_AMBULANCE.search(a.text) and not a.with_ambulance]
    assert unmarked == []
    reasons = [("plausible_condition", "bacterial_meningitis")]
    baby = Demographics(1, Sex.female)
    to_ae = first_aid_steps(kb, reasons, baby, True, [], "en_GB", ambulance=False)
    by_999 = first_aid_steps(kb, reasons, baby, True, [], "en_GB", ambulance=True)
    assert any(a.with_ambulance for a in by_999)
    assert not any(a.with_ambulance for a in to_ae)


def test_no_ibuprofen_recommended_from_65_and_paracetamol_offered_instead():
    """An 89-year-old was offered ibuprofen for foot pain; over 65 an NSAID needs a pharmacist's or GP's
    advice first (NICE CKS NSAIDs - prescribing issues)."""
    kb = lib().kb
    for condition in ("influenza", "mechanical_low_back_pain", "plantar_fasciitis"):
        at_89 = [a for a in self_care_advice(kb, condition, Demographics(89 * 12, Sex.male), False)]
        at_40 = [a for a in self_care_advice(kb, condition, Demographics(40 * 12, Sex.male), False)]
        assert not any("ibuprofen" in a.medicines for a in at_89), condition
        assert any("paracetamol" in a.medicines for a in at_89), condition
        assert any("ibuprofen" in a.medicines for a in at_40), condition


def test_no_driving_advice_for_children():
    assert not any("drive" in t.lower() for t in texts("concussion_minor_head_injury", 6 * 12))
    assert not any("drive" in t.lower() for t in texts("hypoglycaemia_treated_diabetes", 8 * 12))


def test_every_advice_item_names_its_source():
    kb = lib().kb
    items = [a for c in kb.conditions.values() for a in c.advice + c.first_aid]
    items += [a for f in kb.findings.values() if f.red_flag is not None for a in f.red_flag.first_aid]
    assert items and all(len(a.source) >= 3 for a in items)


# --- the planner picks only what fits ---------------------------------------------------------------------


def persona(age_months: int, pregnant: bool = False, group: str = "child") -> PersonaDraw:
    speaker = "self" if age_months >= 18 * 12 else "parent"
    return PersonaDraw(group, age_months, Sex.female, pregnant, speaker, None if speaker == "self" else "daughter",
                       "medium", "matter_of_fact", "en_GB")


def test_the_planner_gives_a_newborn_a_toddler_and_a_pregnant_woman_only_advice_that_fits():
    kb, pl = lib().kb, lib().personas
    reasoner = Reasoner(kb)
    people = [persona(0, group="young_infant"), persona(1, group="young_infant"), persona(18),
              persona(8, group="infant"), persona(28 * 12, pregnant=True, group="young_adult")]
    checked = 0
    for p in people:
        for cid in LIMITED:
            rng = random.Random(f"{cid}-{p.age_months}")
            for _ in range(12):
                case = sample_case(kb, p, rng, Filters(frozenset({cid})))
                if case is None:
                    break
                plan = plan_dialogue(kb, pl, reasoner, p, case, rng, PlanSettings())
                if plan is None or not plan.advice:
                    continue
                items = {a.text: a for c in kb.conditions.values() for a in c.advice}
                items.update({a.text: a for advice in kb.complaint_advice.values() for a in advice})
                for text in plan.advice:
                    assert fits(kb, items[text], p.demographics, p.proxy), (cid, p.age_months, p.pregnant, text)
                checked += 1
    assert checked >= 20


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 3), index=st.integers(0, 100_000), limited=st.booleans())
def test_no_generated_record_gives_advice_outside_its_range(seed, index, limited):
    r = generator(seed, LIMITED if limited else ()).record(index)
    assert advice_outside_range(r) == [], (r.id, r.persona)
    kb = lib().kb
    items = {a.text: a for f in kb.findings.values() if f.red_flag is not None for a in f.red_flag.first_aid}
    items.update({a.text: a for c in kb.conditions.values() for a in c.first_aid})
    items.update({a.text: a for m in kb.modifiers for a in m.first_aid})  # a modifier's steps (a fall at 65+)
    items.update({a.text: a for a in kb.settings.waiting_for_ambulance})
    if r.persona.locale == "en_GB":
        for step in r.gold.first_aid:
            assert fits(kb, items[step], who(r), r.persona.speaker != "self", r.persona.locale), (r.id, step)


# --- first aid in emergencies -----------------------------------------------------------------------------


def steps(reasons, age_months=40 * 12, proxy=False, pregnant=False, sex=Sex.male, present=()):
    who_ = Demographics(age_months, sex if not pregnant else Sex.female, pregnant)
    return " ".join(a.text for a in first_aid_steps(lib().kb, reasons, who_, proxy, list(present)))


def test_first_aid_steps_named_by_the_guidelines():
    assert "adrenaline auto-injector" in steps([("red_flag", "tongue_or_throat_swelling")])
    assert "adrenaline auto-injector" in steps([("plausible_condition", "anaphylaxis")], age_months=30, proxy=True)
    assert "Note the time the symptoms started" in steps([("red_flag", "limb_weakness_sudden")])
    assert "recovery position" in steps([("red_flag", "seizure_over_5_minutes")], proxy=True)
    assert "out of reach" in steps([("red_flag", "suicidal_plan")])
    assert "taken anything" in steps([("red_flag", "suicidal_plan")], proxy=True)
    assert "300 mg aspirin" in steps([("red_flag", "chest_pain_over_15_min")])


def test_aspirin_only_for_adults_not_pregnant_and_never_with_a_possible_dissection():
    chest = [("red_flag", "chest_pain_over_15_min")]
    assert "aspirin" not in steps(chest, age_months=14 * 12)
    assert "aspirin" not in steps(chest, age_months=30 * 12, pregnant=True)
    assert "aspirin" not in steps(chest, present=["pain_tearing_ripping"])
    assert "aspirin" not in steps(chest + [("plausible_condition", "aortic_dissection")])
    assert "Sit down and rest" in steps(chest, present=["pain_tearing_ripping"])


def emergency_records(condition: str, n: int = 40) -> list[Record]:
    gen = generator(5, (condition,))
    return [r for r in (gen.record(i) for i in range(n)) if r.gold.disposition == "emergency_ambulance"]


def test_anaphylaxis_and_stroke_ambulance_calls_give_the_first_aid_step():
    ana = emergency_records("anaphylaxis")
    stroke = emergency_records("ischaemic_stroke")
    assert ana and stroke
    for r in ana:
        assert "auto-injector" in final_text(r), r.id
    for r in stroke:
        assert "time the symptoms started" in final_text(r), r.id


def test_emergency_dispositions_lead_with_the_action_and_never_close_on_a_pleasantry():
    lib_ = lib()
    closes = {v.id: v for v in lib_.templates.variants["close"]}
    gen = generator(2)
    seen = 0
    for i in range(300):
        r = gen.record(i)
        d = r.gold.disposition
        if d not in {"emergency_ambulance", "emergency_department"}:
            continue
        seen += 1
        turn = r.turns[r.gold.disposition_turn]
        assert turn.parts[0] == "disposition" and turn.parts[-1] == "close"
        close = closes[turn.templates[-1]]
        assert close.when.get("disposition") == frozenset({d}), (r.id, close.id)
        # the disposition part itself opens with what to do: call or go now
        opening = final_text(r).split(".")[0].lower()
        assert any(w in opening for w in ("call", "go to", "go now", "take", "should go", "safest place")), opening
        if r.gold.first_aid:
            assert turn.parts[1] == "first_aid"
    assert seen >= 20


# --- safety nets and self-care from conditions in view for this complaint ----------------------------------


def test_no_saddle_numbness_warning_for_knee_arthritis():
    kb = lib().kb
    saddle = kb.findings["saddle_numbness"].red_flag.warning
    gen = generator(3, ("knee_osteoarthritis_flare",))
    checked = 0
    for i in range(60):
        r = gen.record(i)
        back = [x.id for x in r.gold.reasons if x.id in kb.conditions and "saddle_numbness" in linked_red_flags(kb, x.id)]
        if not back:  # no condition with that warning sign is a reason for the decision
            assert saddle not in r.gold.safety_net, r.id
            checked += 1
    assert checked >= 20


def test_no_swallowed_chemical_warning_or_advice_for_colic():
    kb = lib().kb
    gen = generator(3, ("infant_colic",))
    poisoning = {f for c in kb.conditions.values() if "poisoning" in c.complaints
                 and "abdominal_pain" not in c.complaints for f in linked_red_flags(kb, c.id)}
    colic_flags = {f for c in kb.conditions.values() if "abdominal_pain" in c.complaints for f in linked_red_flags(kb, c.id)}
    words = {kb.findings[f].red_flag.warning for f in poisoning - colic_flags}
    assert any("swallowing a chemical" in (w or "") for w in words)
    for i in range(40):
        r = gen.record(i)
        assert not words & set(r.gold.safety_net), r.id
        assert "swallowing a chemical" not in final_text(r)


def test_every_safety_net_warning_comes_from_a_condition_with_this_complaint():
    kb = lib().kb
    gen = generator(4)
    for i in range(150):
        r = gen.record(i)
        if r.persona.locale != "en_GB":
            continue
        sharing = [c for c, cond in kb.conditions.items() if r.case.complaint in cond.complaints]
        allowed = {t for c in sharing for f in linked_red_flags(kb, c) + kb.safety_nets.get(c, ())
                   for t in warning_texts(kb.findings[f])}
        allowed |= {kb.not_better[c] for c in sharing if c in kb.not_better}  # 'no better in 48 hours'
        for w in r.gold.safety_net:
            assert w in allowed, (r.id, r.case.complaint, w)


def test_self_care_advice_comes_from_a_plausible_condition_with_this_complaint():
    kb = lib().kb
    gen = generator(6)
    for i in range(150):
        r = gen.record(i)
        if r.persona.locale != "en_GB" or "self_care" not in r.turns[r.gold.disposition_turn].parts:
            continue
        text = final_text(r)
        sources = [c for c, cond in kb.conditions.items() if any(a.text in text for a in cond.advice)]
        # with no condition leading clearly, a self-care record gets the complaint's own home care
        generic = any(a.text in text for a in kb.complaint_advice.get(r.case.complaint, ()))
        assert any(r.case.complaint in kb.conditions[c].complaints for c in sources) \
            or generic and r.gold.disposition == Disposition.self_care.value, (r.id, sources)
        assert Disposition(r.gold.disposition) in {Disposition.routine, Disposition.self_care, Disposition.urgent}
        if r.gold.disposition == Disposition.urgent.value:  # for the wait to be seen: only what its source says
            given = [a for c in sources for a in kb.conditions[c].advice if a.text in text]
            assert given and all(a.same_day for a in given), (r.id, sources)


def test_first_aid_also_comes_from_the_likeliest_condition():
    """A red flag decided the ambulance, but the likeliest cause names its own step (the anaphylaxis
    auto-injector), given once and only where the person fits it."""
    from scenegen.advice import first_aid_reasons

    kb = lib().kb
    reasons = first_aid_reasons(kb, [("red_flag", "tongue_or_throat_swelling")], ["anaphylaxis", "acute_urticaria"])
    assert reasons == [("red_flag", "tongue_or_throat_swelling"), ("most_likely_condition", "anaphylaxis")]
    assert "adrenaline auto-injector" in steps(reasons)
    assert first_aid_reasons(kb, [("plausible_condition", "anaphylaxis")], ["anaphylaxis"]) == \
        [("plausible_condition", "anaphylaxis")]
    assert first_aid_reasons(kb, [("red_flag", "limb_weakness_sudden")], []) == [("red_flag", "limb_weakness_sudden")]


def test_first_aid_does_not_come_from_a_likeliest_condition_unrelated_to_the_deciding_sign():
    """An 86-year-old sent to 999 for very fast breathing with a fever (sepsis) was also told to be cooled and
    given water for heatstroke, the likeliest condition, whose signs had not decided anything."""
    from scenegen.advice import first_aid_reasons

    kb = lib().kb
    assert first_aid_reasons(kb, [("red_flag", "very_fast_breathing")], ["heatstroke"]) == \
        [("red_flag", "very_fast_breathing")]
    assert first_aid_reasons(kb, [("red_flag", "limb_weakness_sudden")], ["anaphylaxis"]) == \
        [("red_flag", "limb_weakness_sudden")]


def test_every_ambulance_red_flag_and_condition_names_a_first_aid_step_for_each_speaker():
    """Every 999 disposition gives the step its guideline names: each ambulance-level red flag, condition and
    modifier has at least one step that can be said to the patient and one that can be said to a carer, at some age."""
    from scenegen.content import Disposition, Speaker

    kb = lib().kb
    sources = [(f"red flag {fid}", f.red_flag.first_aid) for fid, f in kb.findings.items()
               if f.red_flag is not None and f.red_flag.disposition is Disposition.emergency_ambulance]
    sources += [(f"condition {cid}", c.first_aid) for cid, c in kb.conditions.items()
                if c.disposition is Disposition.emergency_ambulance]
    sources += [(f"modifier {m.id}", m.first_aid) for m in kb.modifiers
                if m.disposition is Disposition.emergency_ambulance]
    missing = [name for name, steps in sources if not steps]
    assert missing == []
    proxy_only = [name for name, steps in sources if all(s.speaker is Speaker.self for s in steps)]
    assert proxy_only == []


def test_no_first_aid_step_tells_a_carer_to_give_a_young_baby_water(bundled_kb):
    """Babies under 6 months are not given water (NHS website: Heat exhaustion and heatstroke, and Drinks and
    cups for babies: breast milk or formula). A 3-month-old sent to 999 with heatstroke was told 'give them
    water to drink' and 'lie down with their feet raised' from the red flag's steps, which had no age limit."""
    import re

    from scenegen import Demographics
    from scenegen.advice import fits
    from scenegen.content import Sex

    kb = bundled_kb
    give_water = re.compile(r"\b(give|offer)\b[^.;]*\bwater\b|\bsip\b", re.I)
    for months in (0, 3, 5):
        who = Demographics(months, Sex.male, False)
        band = kb.age_band(months)
        steps = [(f.id, a) for f in kb.findings.values() if f.red_flag is not None and kb.reportable(f.id, band)
                 for a in f.red_flag.first_aid]
        steps += [(c.id, a) for c in kb.conditions.values() if band in c.ages and c.fits_age(months) for a in c.first_aid]
        for owner, step in steps:
            if fits(kb, step, who, True):
                assert not give_water.search(step.text), (months, owner, step.text)


def test_no_advice_a_pregnant_woman_can_be_given_lets_her_drink_some_alcohol(bundled_kb):
    """UK CMOs 2016: no alcohol in pregnancy. Read 13 #11 (pregnant, low mood) was told to 'avoid using alcohol
    or drugs to cope', which leaves drinking otherwise open; 'cut down on', 'less' and 'until the bout is over'
    do the same. Such an item is for pregnancy: excluded, with a pregnancy variant that says none at all."""
    allows_some = re.compile(r"(cut(ting)? down on|\bless\b)[^.;]*alcohol|alcohol[^.;]*(\buntil\b|to cope)", re.I)
    none_at_all = re.compile(r"no alcohol|altogether", re.I)
    found = []
    for cid, c in bundled_kb.conditions.items():
        if c.pregnancy.value == "excluded" or Sex.female not in c.sexes:
            continue
        found += [(cid, a.text) for a in c.advice if a.pregnancy.value != "excluded" and allows_some.search(a.text)
                  and not none_at_all.search(a.text)]
    assert not found, found


@given(flag=st.sampled_from(["suicidal_intent", "suicidal_plan", "suicidal_means_at_hand"]),
       age_years=st.integers(13, 90), proxy=st.booleans(), locale=st.sampled_from(["en_US", "en_GB"]))
def test_a_999_call_for_suicide_risk_restricts_the_means_that_locale_has_at_home(flag, age_years, proxy, locale):
    """Lethal-means counselling (SPRC CALM; 988 Lifeline guidance): in an en_US call, where a gun is the commonest
    means, the assistant asks about a gun at home and says to store it away from the person; tablets and sharp
    objects out of reach are said everywhere."""
    from scenegen.realise import Localiser

    kb = lib().kb
    who = Demographics(age_years * 12, Sex.female)
    reasons = [("red_flag", flag), ("plausible_condition", "suicidal_ideation_with_plan")]
    said = " ".join(a.text for a in first_aid_steps(kb, reasons, who, proxy, [flag], locale, ambulance=True))
    assert "out of reach" in said
    assert ("gun" in said) is (locale == "en_US"), said
    terms = {loc.id: loc.terms for loc in lib().personas.locales}
    question = Localiser(terms[locale])(kb.findings["suicidal_means_at_hand"].question)
    assert ("gun" in question) is (locale == "en_US"), question


def test_advice_for_particular_locales_names_only_locales_the_personas_have():
    kb = lib().kb
    known = {loc.id for loc in lib().personas.locales}
    items = [a for c in kb.conditions.values() for a in (*c.first_aid, *c.advice)]
    items += [a for f in kb.findings.values() if f.red_flag is not None for a in f.red_flag.first_aid]
    items += [a for m in kb.modifiers for a in m.first_aid]
    items += kb.settings.waiting_for_ambulance
    assert {loc for a in items for loc in a.locales} <= known
    assert any(a.locales for a in items)


def test_low_mood_sent_home_is_never_pointed_to_a_pharmacist():
    """A 90-year-old's grief was sent 'to a pharmacist' (read 17 D1): support for low mood or grief is through
    the GP and talking therapies (complaints.yaml: low_mood has pharmacy: false), while other complaints keep it."""
    kb = lib().kb
    assert not kb.complaints["low_mood"].pharmacy and kb.complaints["cough"].pharmacy
    gen = Generator(lib(), GenerateConfig(seed=5, complaints=("low_mood",)))
    home = 0
    for i in range(120):
        r = gen.record(i)
        if r.gold.disposition != Disposition.self_care:
            continue
        home += 1
        said = " ".join(m.content for m in r.messages if m.role == "assistant")
        assert "pharmacist" not in said.replace("ask a pharmacist or", ""), r.id  # the locale's self-care act names the GP too
    assert home >= 5


# --- a condition's own advice only when the dialogue supports it (read 16) ------------------------------------


def own_advice_given(r: Record) -> list[str]:
    """The conditions whose own advice (an item no other condition says) the record's final message gives."""
    kb = lib().kb
    local = generator(0).realiser.localiser(r.persona.locale)
    owners: dict[str, set[str]] = {}
    for cid, c in kb.conditions.items():
        for item in c.advice:
            owners.setdefault(local(item.text), set()).add(cid)
    text = final_text(r)
    return sorted({next(iter(cs)) for t, cs in owners.items() if len(cs) == 1 and t in text})


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 3), index=st.integers(0, 100_000), limited=st.booleans())
def test_no_condition_specific_advice_with_a_defining_finding_denied_or_unsure(seed, index, limited):
    """Impetigo's exclusion from school after 'no sores', tranexamic acid for bleeding between periods: a
    condition's own advice is never given once one of its defining findings (obligatory or very frequent)
    was answered no or unsure, nor with an obligatory finding unreported."""
    from scenegen.validate import _dialogue_observations
    kb = lib().kb
    r = generator(seed, LIMITED if limited else ()).record(index)
    obs = _dialogue_observations(r, kb)
    unsure = {t.finding for t in r.turns if t.act == "answer_unsure"} - set(obs)
    for cid in own_advice_given(r):
        assert not [f for f in kb.defining(cid) if obs.get(f) is False or f in unsure], (r.id, cid)
        assert all(obs.get(f) is True for f in kb.obligatory(cid)), (r.id, cid)


def test_own_advice_needs_the_condition_to_lead_clearly():
    """Below the model's floor (one cause among several) a condition's own advice is not given."""
    from scenegen.plan import advice_supported
    kb = lib().kb
    obs = {"rash": True, "honey_coloured_crusts": True, "sores_around_nose_mouth": True}
    assert advice_supported(kb, "impetigo", 0.9, obs, ())
    assert not advice_supported(kb, "impetigo", 0.23, obs, ())
    assert not advice_supported(kb, "impetigo", 0.9, {**obs, "honey_coloured_crusts": False}, ())
    assert not advice_supported(kb, "impetigo", 0.9, {"rash": True}, ("honey_coloured_crusts",))


# --- an item that counts days from the start fits how long it has lasted (read 16) ----------------------------

COUNTED_FROM_THE_START = ("acute_otitis_media", "acute_sinusitis", "acute_bronchitis", "cold_sore")


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_no_record_says_after_n_days_once_the_problem_may_have_lasted_n_days(seed, index):
    """'Come back if there is no improvement after 3 days' was said to someone whose problem had lasted 3 days
    or more: an item with ``before_days`` is given only when the case's duration cannot have reached them,
    and its ``from_days`` pair only when it can."""
    from scenegen.timecourse import case_when
    kb = lib().kb
    r = generator(seed, COUNTED_FROM_THE_START).record(index)
    local = generator(0).realiser.localiser(r.persona.locale)
    values: dict = {f: v[0] for f, v in r.case.value_map.items() if len(v) == 1}
    timed = kb.settings.time_course.duration in values
    # the complaint's own course counts too: a 'no' to 'has the earache gone on for 3 days or more?' puts a
    # 1-to-4-day earache under 3 days (seed 0, record 13017)
    values.update({f: True for f in r.case.present})
    values.update({f: False for f in r.case.absent})
    hi = case_when(kb, values, r.persona.age_months, r.case.complaint).hi if timed else 0.0
    text = final_text(r)
    for c in kb.conditions.values():
        for a in c.advice:
            if local(a.text) not in text:
                continue
            if a.before_days is not None:
                assert hi is not None and hi <= a.before_days, (r.id, a.text, values)
            if a.from_days is not None:
                assert hi is None or hi > a.from_days, (r.id, a.text, values)


def test_every_item_counted_from_the_start_has_its_pair():
    """A condition whose item says 'after N days' also says what to do once N days have passed."""
    kb = lib().kb
    for cid, c in kb.conditions.items():
        before = {a.before_days for a in c.advice if a.before_days is not None}
        after = {a.from_days for a in c.advice if a.from_days is not None}
        assert before == after, cid
    assert any(a.before_days for c in kb.conditions.values() for a in c.advice)


def test_swelling_of_the_lips_without_breathing_trouble_gets_an_antihistamine_for_the_wait():
    """Read 16: hives with swollen lips and eyelids, no breathing problem, sent to be seen the same day, got no
    antihistamine (NICE CKS Angio-oedema and anaphylaxis); never with an ACE inhibitor, nor under 2."""
    gen = generator(3, ("angioedema_without_airway_compromise",))
    said = kept = 0
    for i in range(60):
        r = gen.record(i)
        if r.gold.disposition != Disposition.urgent.value:
            continue
        text = final_text(r).lower()
        ace = any(t.finding == "ace_inhibitor_use" and t.act == "answer_yes" for t in r.turns)
        if "antihistamine" in text and not ace and "ask a pharmacist" not in text:
            said += 1
            assert r.persona.age_months >= 24, r.id
        if ace:
            assert "can ease the swelling" not in text, r.id
            kept += 1
    assert said >= 10
