"""A multi-part question answered by one part, from a blind clinician's read: 'along with the chest pain, are
you sweaty or clammy, feeling sick, or short of breath?' answered "No, I've not been clammy" and then said back
as "no sweating, nausea or breathlessness"; 'does the pain spread to your arm, shoulder, neck or jaw?' answered
"nothing in my jaw". A deny wording (the finding's `deny`) is the whole answer, so for a finding that asks
about several things it names every one of them, or none ("not with the pain", "it doesn't spread")."""

from __future__ import annotations

import re

import pytest

# finding -> one pattern per part its question asks about (either/or), in the words a deny wording uses for it.
# Findings whose parts are near-synonyms ('hoarse or croaky', 'fainting or blacking out', 'burning or stinging')
# are not here: one word denies them all.
COMPOUND = {
    "abdominal_pain_worse_on_movement": [r"mov|walk", r"cough"],
    "bladder_disturbance_new": [r"leak|accident", r"trouble|struggl|start"],
    "bloody_mucoid_stool": [r"blood|red", r"slim|jelly"],
    "bone_through_skin": [r"bone|skin|wound", r"wound|skin"],
    "bottom_pain_severe": [r"bad|constant|all the time", r"lump"],
    "breathing_difficulty_with_reaction": [r"wheez", r"breath|tight"],
    "chest_pain_with_sweating_or_breathlessness": [r"sweat|clamm", r"sick|nause", r"breath"],
    "confusion": [r"clear|muddl|with it|confus", r"awake|drows|sleepy"],
    "coughing_after_ingestion": [r"cough", r"chok", r"breath"],
    "faint_on_exertion": [r"exercis|energetic|effort", r"lying"],
    "faint_with_chest_pain_or_palpitations": [r"chest|pain", r"heart|racing"],
    "hearing_change": [r"hear", r"ring|buzz"],
    "limb_weakness_sudden": [r"weak", r"numb"],
    "mouth_burns_or_drooling": [r"mouth|burn", r"drool", r"swallow"],
    "mouth_soreness_or_patches": [r"mouth", r"lip", r"patch"],
    "muscle_stiffness_with_fever_or_confusion": [r"temperature|fever", r"sweat", r"confus"],
    "palpitations": [r"racing", r"pound", r"skip"],
    "palpitations_with_chest_pain_or_faintness": [r"pain", r"faint", r"breath"],
    "passing_clots_or_tissue": [r"clot", r"tissue|lump"],
    "pain_radiates_arm_jaw": [r"\barm", r"shoulder", r"neck", r"jaw"],
    "pus_or_fever_with_bottom_pain": [r"pus|leak", r"hot|fever|temperature|shiver"],
    "runny_nose": [r"snott|runn", r"block"],
    "symptoms_with_pollen_pets_or_dust": [r"pollen", r"pet", r"dust"],
    "tongue_or_throat_swelling": [r"tongue|swell|swoll", r"throat|swell|swoll"],
    "urinary_symptoms": [r"sting|burn", r"more|often"],
    "voice_change_with_reaction": [r"voice|croak|hoarse", r"squeak|breath"],
}


@pytest.mark.parametrize("fid", sorted(COMPOUND))
def test_a_denial_of_a_several_part_question_names_every_part_or_none(bundled_kb, fid):
    parts = [re.compile(p, re.I) for p in COMPOUND[fid]]
    for phrase in bundled_kb.findings[fid].deny:
        named = [bool(p.search(phrase)) for p in parts]
        assert all(named) or not any(named), (fid, phrase, named)


def test_the_several_part_findings_here_still_ask_about_several_things(bundled_kb):
    """The table stays true to the library: each finding's question or topic still lists its parts with 'or'."""
    for fid in COMPOUND:
        f = bundled_kb.findings[fid]
        assert " or " in f"{f.topic or ''} {f.ask or ''} {f.question or ''}", fid


@pytest.mark.parametrize("fid", sorted(COMPOUND))
def test_a_whole_question_denial_does_not_say_the_question_back(bundled_kb, fid):
    """Naming every part is not reading the list back: no five words in a row of the question's `ask`
    (test_realise holds the answers of generated records to the same)."""
    token = re.compile(r"[a-z0-9']+")
    f = bundled_kb.findings[fid]
    ask = token.findall((f.ask or "").lower())
    runs = {" ".join(ask[i:i + 5]) for i in range(len(ask) - 4)}
    for phrase in f.deny:
        said = " ".join(token.findall(phrase.lower().replace("{", "").replace("}", "")))
        assert not any(run in said for run in runs), (fid, phrase)


_BARE_YES = re.compile(r"^\W*(yes|yeah|yep)\W*$", re.I)


def _bare_yes_to_several_parts(record, kb):
    from scenegen.realise import said_topic

    return [(t.finding, m.content) for t, m in zip(record.turns, record.messages)
            if t.act == "answer_yes" and t.finding in kb.findings
            and re.search(r",| or ", said_topic(kb.findings[t.finding])) and _BARE_YES.match(m.content)]


def test_a_yes_to_a_several_part_question_names_the_part_that_is_true(library):
    """Issue #9 item 5: 'do you also get chest pain, feel faint or become very short of breath?' answered 'yes.'
    and then taken as all three. A yes to a question that asks about several things says which, in the finding's
    own words ('Yes, feeling faint with it.'), in every generated dialogue (6/300 records of seed 27182 before)."""
    from scenegen.generate import GenerateConfig, Generator

    gen = Generator(library, GenerateConfig(seed=27182, complaints=(
        "palpitations", "chest_pain", "ear_pain", "urinary_symptoms", "fever", "rash", "dizziness")))
    several = 0
    for i in range(400):
        r = gen.record(i)
        several += sum(t.act == "answer_yes" for t in r.turns)
        assert _bare_yes_to_several_parts(r, library.kb) == [], r.id
    assert several >= 200
