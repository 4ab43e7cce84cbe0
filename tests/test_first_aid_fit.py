"""First aid that fits the likeliest cause and the person (review 13).

#1: a suspected heart attack sent to 999 was told 'nothing to eat or drink, not even tablets' because an
oesophageal tear (Boerhaave) was kept plausible at p=0.06, which both cancelled and contradicted the 300 mg
aspirin NICE CG95 gives for suspected ACS. A less likely condition among the reasons no longer cancels the
likeliest condition's own step, and two steps whose acts contradict (model.first_aid_conflicts) are never
both given.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from scenegen.advice import contradicting, first_aid_reasons, first_aid_steps, self_care_advice, step_acts
from scenegen.content import Disposition, Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.knowledge import Demographics
from scenegen.validate import _dialogue_observations

from .age_bands import band_ranges


@lru_cache(maxsize=1)
def lib() -> Library:
    return Library.load()


ACS_CALL = [("red_flag", "chest_pain_with_sweating_or_breathlessness"),
            ("plausible_condition", "acute_coronary_syndrome"), ("plausible_condition", "boerhaave_syndrome")]
WOMAN_67 = Demographics(67 * 12, Sex.female, False)


def said(reasons, leading, present=("chest_pain", "chest_pain_with_sweating_or_breathlessness"), who=WOMAN_67,
         proxy=True) -> str:
    kb = lib().kb
    return " ".join(s.text for s in first_aid_steps(kb, first_aid_reasons(kb, reasons, [leading]), who, proxy,
                                                    list(present), "en_GB", leading=leading))


def test_a_suspected_heart_attack_gets_aspirin_though_a_tear_is_kept_plausible():
    text = said(ACS_CALL, "acute_coronary_syndrome")
    assert "300 mg aspirin" in text
    assert "not even" not in text and "Nothing to eat or drink" not in text


def test_the_tear_keeps_nothing_by_mouth_when_it_is_the_likeliest_or_was_reported():
    assert "aspirin" not in said(ACS_CALL, "boerhaave_syndrome")
    assert "Nothing to eat or drink" in said(ACS_CALL, "boerhaave_syndrome")
    reported = said(ACS_CALL, "acute_coronary_syndrome",
                    present=("chest_pain", "vomiting", "chest_pain_after_forceful_vomiting"))
    assert "aspirin" not in reported


def test_a_reported_tearing_pain_still_cancels_aspirin_for_the_likeliest_heart_attack():
    reasons = ACS_CALL + [("plausible_condition", "aortic_dissection")]
    assert "aspirin" not in said(reasons, "acute_coronary_syndrome", present=("chest_pain", "pain_tearing_ripping"))


def test_aspirin_is_for_adults_only_and_says_its_allergy_condition():
    """The library's aspirin step for suspected ACS: adults only (BNF: no aspirin under 16; the step is written
    for 18 and over), not in pregnancy, and worded 'if not allergic to aspirin'."""
    kb = lib().kb
    steps = [s for s in kb.conditions["acute_coronary_syndrome"].first_aid if "aspirin" in s.text]
    assert steps and all(s.min_age_months is not None and s.min_age_months >= 192 for s in steps)
    assert all("not allergic to aspirin" in s.text for s in steps)
    assert "aspirin" not in said(ACS_CALL, "acute_coronary_syndrome", who=Demographics(15 * 12, Sex.male, False))


def test_the_acts_of_the_named_steps_are_read_from_their_words():
    kb = lib().kb
    boerhaave = kb.conditions["boerhaave_syndrome"].first_aid[0].text
    aspirin = next(s.text for s in kb.conditions["acute_coronary_syndrome"].first_aid if "aspirin" in s.text)
    assert "nothing_by_mouth" in step_acts(kb, boerhaave)
    assert "by_mouth" in step_acts(kb, aspirin)
    assert contradicting(kb, [boerhaave, aspirin]) == [(boerhaave, aspirin)]


def _emergency_reasons():
    kb = lib().kb
    flags = sorted(f for f, x in kb.findings.items() if x.red_flag is not None and x.red_flag.first_aid)
    conds = sorted(c for c, x in kb.conditions.items() if x.first_aid)
    mods = sorted(m.id for m in kb.modifiers if m.first_aid)
    return flags, conds, mods


@settings(max_examples=300, deadline=None)
@given(data=st.data(), age_years=st.integers(0, 95), proxy=st.booleans(), pregnant=st.booleans())
def test_no_two_first_aid_steps_contradict(data, age_years, proxy, pregnant):
    """Whatever mix of red flags, conditions and modifiers decides an emergency, and whichever condition leads,
    no two steps given contradict (nothing by mouth and an aspirin; lie flat and sit up)."""
    kb = lib().kb
    flags, conds, mods = _emergency_reasons()
    reasons = data.draw(st.lists(st.one_of(
        st.sampled_from(flags).map(lambda f: ("red_flag", f)),
        st.sampled_from(conds).map(lambda c: ("plausible_condition", c)),
        st.sampled_from(mods).map(lambda m: ("modifier", m))), min_size=1, max_size=4, unique=True))
    leading = data.draw(st.one_of(st.none(), st.sampled_from(conds)))
    present = [rid for kind, rid in reasons if kind == "red_flag"]
    pregnant = pregnant and 16 <= age_years <= 45
    who = Demographics(age_years * 12, Sex.female if pregnant else data.draw(st.sampled_from([Sex.female, Sex.male])),
                       pregnant)
    for ambulance in (True, False):
        texts = [s.text for s in first_aid_steps(kb, reasons, who, proxy, present, "en_GB", ambulance=ambulance,
                                                 leading=leading)]
        assert contradicting(kb, texts) == [], (reasons, leading)
        said_once = {x.id for x in kb.settings.first_aid_acts if x.once}
        once = [a for t in texts for a in step_acts(kb, t) if a in said_once]
        assert len(once) == len(set(once)), (reasons, texts)  # no 'recovery position' twice, in two wordings


def test_a_thunderclap_headache_and_a_brain_bleed_say_each_step_once():
    """Read 14 #10: the red flag's and the condition's steps each said 'note the time', 'recovery position' and
    'start CPR' in their own words, and the 999 message read them all."""
    kb = lib().kb
    who = Demographics(80 * 12, Sex.male)
    texts = [s.text for s in first_aid_steps(kb, [("red_flag", "headache_thunderclap"),
                                                  ("plausible_condition", "subarachnoid_haemorrhage")],
                                             who, True, ["headache", "headache_thunderclap"], "en_US",
                                             leading="subarachnoid_haemorrhage")]
    acts = [a for t in texts for a in step_acts(kb, t)]
    assert {"recovery_position", "start_cpr", "note_the_time"} <= set(acts)
    assert len(acts) == len(set(acts)), texts


def test_no_generated_emergency_gives_contradicting_steps_and_suspected_acs_gets_aspirin():
    """Chest-pain emergencies generated whole: no message gives two steps that contradict, and where a heart
    attack leads for an adult who is not pregnant and reported nothing that rules aspirin out, aspirin is given."""
    kb = lib().kb
    gen = Generator(lib(), GenerateConfig(seed=11, conditions=("acute_coronary_syndrome", "boerhaave_syndrome",
                                                               "aortic_dissection", "perforated_peptic_ulcer")))
    aspirin_not_with = set(next(s for s in kb.conditions["acute_coronary_syndrome"].first_aid
                                if "aspirin" in s.text).not_with)
    emergencies = led = 0
    for i in range(150):
        r = gen.record(i)
        if r.gold.disposition != Disposition.emergency_ambulance.value:
            continue
        emergencies += 1
        assert contradicting(kb, r.gold.first_aid) == [], r.id
        top = r.gold.differential_final[0].condition if r.gold.differential_final else None
        present = {f for f, a in _dialogue_observations(r, kb).items() if a is True}
        if top == "acute_coronary_syndrome" and r.persona.age_months >= 216 and not r.persona.pregnant \
                and not present & aspirin_not_with:
            led += 1
            assert any("aspirin" in t for t in r.gold.first_aid), r.id
    assert emergencies >= 30 and led >= 5


# --- #18: steps that presume walking, sitting up or chewing reach nobody too young -------------------------


def _items(kb):
    for c in kb.conditions.values():
        for a in c.first_aid + c.advice:
            yield "condition", c.id, a
    for fid, f in kb.findings.items():
        if f.red_flag is not None:
            for a in f.red_flag.first_aid:
                yield "red_flag", fid, a
    for m in kb.modifiers:
        for a in m.first_aid:
            yield "modifier", m.id, a
    for a in kb.settings.waiting_for_ambulance:
        yield "model", "waiting_for_ambulance", a


def _reachable(kb, kind, oid, age):
    band = kb.age_band(age)
    if kind == "condition":
        c = kb.conditions[oid]
        return (not c.ages or band in c.ages) and (c.min_age_months is None or age >= c.min_age_months) \
            and (c.max_age_months is None or age <= c.max_age_months)
    if kind == "red_flag":
        return kb.reportable(oid, band)
    w = next(m for m in kb.modifiers if m.id == oid).when
    return (w.age_below_months is None or age < w.age_below_months) and \
        (w.age_at_least_months is None or age >= w.age_at_least_months)


def test_no_advice_or_first_aid_presumes_what_the_person_is_too_young_to_do():
    """Every self-care item and first-aid step that says words of model.advice_age_words ('stand up', 'walk
    about', 'sit up') is held to the age the words presume wherever its owner (a condition, a red flag, a
    modifier) reaches younger people: the 7-month-old of review 13 #18 was told 'don't let them stand up'."""
    import re

    from scenegen.advice import fits

    kb = lib().kb
    assert kb.settings.advice_age_words
    bad = set()
    for kind, oid, a in _items(kb):
        low = a.text.lower()
        for aw in kb.settings.advice_age_words:
            if not any(re.search(rf"\b{re.escape(w)}\b", low) for w in aw.words):
                continue
            too_old = range(aw.max_age_months + 1, 18 * 12, 6) if aw.max_age_months is not None else range(0)
            for age in [*range(aw.min_age_months), *too_old]:
                if _reachable(kb, kind, oid, age) and any(
                        fits(kb, a, Demographics(age, sex, False), True) for sex in (Sex.female, Sex.male)):
                    bad.add((kind, oid, age, a.text))
                    break
    assert sorted(bad) == []


def test_breast_or_bottle_feeds_are_advised_for_babies_only():
    """Read 16: 'breast or bottle feeds for babies' was said to an 11-year-old's parent; the words are held to
    the first year (model.advice_age_words) and the older child is offered drinks."""
    kb = lib().kb
    assert any(aw.max_age_months is not None and "breast or bottle feeds" in aw.words
               for aw in kb.settings.advice_age_words)
    older = " ".join(a.text for c in ("viral_uri_child", "hand_foot_and_mouth_disease")
                     for a in self_care_advice(kb, c, Demographics(11 * 12, Sex.female, False), True))
    assert "breast or bottle" not in older and "drinks" in older
    baby = " ".join(a.text for a in self_care_advice(kb, "viral_uri_child", Demographics(6, Sex.female, False), True))
    assert "breast or bottle feeds" in baby


def test_a_baby_with_anaphylaxis_is_held_flat_and_a_toddler_kept_from_walking():
    kb = lib().kb
    flag = [("red_flag", "tongue_or_throat_swelling")]
    baby = " ".join(s.text for s in first_aid_steps(kb, flag, Demographics(7, Sex.female, False), True, []))
    assert "stand up" not in baby and "walk" not in baby
    assert "lying flat" in baby and "adrenaline auto-injector" in baby
    toddler = " ".join(s.text for s in first_aid_steps(kb, flag, Demographics(30, Sex.female, False), True, []))
    assert "don't let them stand up or walk about" in toddler and "the baby" not in toddler


# --- #18, #19: no carer of a young child is asked, nor says, how something feels -------------------------


def _felt(kb):
    import re

    entries = kb.settings.felt_words
    assert entries
    return [(re.compile(r"\b(" + "|".join(re.escape(w) for w in e.words) + r")\b", re.I), e.min_age_months)
            for e in entries]


def test_no_finding_asks_or_says_a_feeling_below_the_age_that_can_tell_it():
    """Over every finding a child under the age of model.felt_words can be asked about (by age band): its question
    for that child's carer says no felt word (blurred sight, dizziness, tingling, a tight throat), and no lay,
    deny, topic or value phrase with one is left open to that age. Pregnancy's own findings are left out (no
    young child is pregnant)."""
    from scenegen.content import phrases_fit
    from scenegen.triage import ancestors

    kb = lib().kb
    preg = kb.settings.pregnancy_finding
    bad = []
    for rx, min_age in _felt(kb):
        for fid, f in sorted(kb.findings.items()):
            if preg in ancestors(kb, fid) or fid == preg:
                continue
            for band, low, high in band_ranges(kb):
                if low >= min_age or not kb.reportable(fid, band):
                    continue
                for age in {low, min(high, min_age - 1)}:
                    young = f.question_young is not None and age <= f.young_max_age_months
                    question = f.question_young if young else f.question
                    if rx.search(question):
                        bad.append((fid, age, "question", question))
                    phrases = [*f.lay, *f.deny, *f.topics, *([f.topic] if f.topic else []),
                               *(w for v in f.values for w in v.lay)]
                    bad += [(fid, age, "phrase", p) for p in phrases_fit(phrases, f.phrase_ages, age) if rx.search(p)]
    assert bad == []


def test_every_young_question_can_be_put_to_a_carer():
    from scenegen.realise import proxy_question
    from scenegen.realise.person import PRONOUNS

    kb = lib().kb
    young = {fid: f for fid, f in kb.findings.items() if f.question_young}
    assert {"red_eye_reduced_vision", "tongue_or_throat_swelling", "vision_change"} <= set(young)
    for fid, f in young.items():
        for sex in ("female", "male"):
            assert proxy_question(f.question_young, "your child", PRONOUNS[sex], f.kind.value == "sign"), fid


def test_a_toddlers_parent_is_asked_what_can_be_seen_of_the_eye_and_a_babys_of_the_throat():
    """The two questions of review 13, as generated: a toddler's red eye and a baby's allergic reaction."""
    kb = lib().kb
    seen = {"red_eye_reduced_vision": 0, "tongue_or_throat_swelling": 0}
    for cond, fid in (("conjunctivitis", "red_eye_reduced_vision"), ("anaphylaxis", "tongue_or_throat_swelling")):
        gen = Generator(lib(), GenerateConfig(seed=3, conditions=(cond,)))
        for i in range(400):
            r = gen.record(i)
            if r.persona.age_months >= 60:
                continue
            for k, m in enumerate(r.messages):
                t = r.turns[k] if k < len(r.turns) else None
                if m.role == "assistant" and t is not None and t.finding == fid:
                    seen[fid] += 1
                    assert not any(rx.search(m.content) for rx, _ in _felt(kb)), (r.id, m.content)
    assert all(seen.values()), seen


def test_a_reported_stroke_sign_stops_aspirin_even_when_a_heart_attack_leads():
    """NICE NG128: aspirin for a stroke only once imaging has excluded a bleed, so a sudden weak arm or slurred
    speech reported with chest pain keeps the nothing-by-mouth step and no aspirin."""
    reasons = [("red_flag", "chest_pain_over_15_min"), ("red_flag", "limb_weakness_sudden"),
               ("plausible_condition", "acute_coronary_syndrome")]
    text = said(reasons, "acute_coronary_syndrome", present=("chest_pain", "chest_pain_over_15_min", "limb_weakness_sudden"))
    assert "aspirin" not in text
    assert "not even tablets" in text


def test_a_red_flag_asked_in_young_words_is_said_back_in_them():
    """A red flag whose carer's question avoids a feeling (question_young) is also said back, as the reason for
    the emergency, without it (warning_young): review 13 #18's 999 message told a baby's parent about 'a throat
    that feels tight'."""
    kb = lib().kb
    felt = _felt(kb)
    for fid, f in kb.findings.items():
        if f.red_flag is None or f.question_young is None or not f.red_flag.warning:
            continue
        if any(rx.search(f.red_flag.warning) for rx, _ in felt):
            assert f.red_flag.warning_young, fid
            assert not any(rx.search(f.red_flag.warning_young) for rx, _ in felt), fid


def test_a_babys_anaphylaxis_call_gives_a_reason_the_parent_could_see():
    kb = lib().kb
    gen = Generator(lib(), GenerateConfig(seed=3, conditions=("anaphylaxis",)))
    flag = kb.findings["tongue_or_throat_swelling"].red_flag
    checked = 0
    for i in range(300):
        r = gen.record(i)
        if r.persona.age_months >= 60 or not any(x.id == "tongue_or_throat_swelling" for x in r.gold.reasons):
            continue
        final = r.messages[r.gold.disposition_turn].content.lower()
        said = " ".join(m.content.lower() for m in r.messages if m.role == "user")
        own_words = [p.lower() for p in kb.findings["tongue_or_throat_swelling"].lay if p.lower() in said]
        checked += 1
        # the young warning as written, or the parent's own words for what they saw (the reason says back what
        # was said: "A swollen tongue can be a sign of an emergency"); never a feeling only the child has
        assert "feels tight" not in final, (r.id, final)
        assert flag.warning_young.split(",")[0] in final or any(p in final for p in own_words), (r.id, final)
    assert checked >= 3


@pytest.mark.parametrize("proxy", [False, True])
def test_everyone_waiting_for_an_ambulance_is_told_to_unlock_the_door_and_not_be_alone(proxy):
    """999 endings for sepsis, meningitis and a sudden severe headache only said what to tell the crew (read 17);
    the general steps for anyone waiting for a crew follow the emergency's own, and only when a crew is coming."""
    kb = lib().kb
    reasons = first_aid_reasons(kb, [("plausible_condition", "sepsis")], ["sepsis"])
    for ambulance in (True, False):
        steps = [s.text for s in first_aid_steps(kb, reasons, WOMAN_67, proxy, ["fever"], "en_GB",
                                                 ambulance=ambulance, leading="sepsis")]
        waiting = [s.text for s in kb.settings.waiting_for_ambulance
                   if s.speaker.value == ("proxy" if proxy else "self")]
        assert len(waiting) == 1
        if ambulance:
            assert steps[-1] == waiting[0] and "unlock the front door" in steps[-1]
        else:
            assert waiting[0] not in steps
