"""An age word said of the patient fits the patient's age (issue #10 item 5: 'toddler' said of a 4.5-year-old; a
toddler is about 1-3 years). Whoever speaks, 'my baby', 'your toddler', 'the little one', 'he's a teenager' name
someone of the age the word means; 'the baby' of a pregnant woman is her unborn child, so her record is not held."""

from __future__ import annotations

import re
from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st

from scenegen.generate import GenerateConfig, Generator, Library

#: word -> the ages in months it can be said of (a baby to 2 years, a toddler 1-3, a teenager 13-19; a newborn
#: the first month; 'little one' of a child up to 11)
AGE_WORDS = {"baby": (0, 23), "newborn": (0, 1), "infant": (0, 23), "toddler": (12, 47),
             "little one": (0, 143), "teenager": (156, 227), "teen": (156, 227)}
_WORDS = "|".join(sorted(map(re.escape, AGE_WORDS), key=len, reverse=True))
#: the word said of the person the call is about: 'my/your/the/our X', 'he's/she's (just) a X'
SAID_OF = re.compile(rf"\b(?:(?:my|your|the|our) (?:little )?|(?:he|she)(?:'s| is) (?:only |just |still )?an? )({_WORDS})\b",
                     re.I)


@lru_cache(maxsize=1)
def _gen() -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=4_5))


def misfits(record) -> list[tuple[str, int]]:
    """The age words said of someone whose age they do not fit."""
    # 'the baby' of a pregnant woman, or of a mother who has just had one, is not the patient (seed 45, record
    # 7209: a 18-year-old's postnatal low mood, 'a baby under a year old')
    if record.persona.pregnant or {"pregnancy_known_or_possible", "gave_birth_recently",
                                   "gave_birth_in_past_weeks"} & set(record.case.present):
        return []
    out = []
    for m in record.messages[1:]:
        for w in SAID_OF.findall(m.content):
            lo, hi = AGE_WORDS[w.lower()]
            if not lo <= record.persona.age_months <= hi:
                out.append((w, record.persona.age_months))
    return out


def test_the_check_finds_a_toddler_of_four_and_a_half():
    class R:  # the blind read's line, as a record would carry it
        class persona:
            pregnant, age_months = False, 54
        class case:
            present = ["fever"]
        messages = [None, type("M", (), {"content": "My toddler has had a temperature since last night."})]
    assert misfits(R) == [("toddler", 54)]


@settings(max_examples=150, deadline=None)
@given(index=st.integers(0, 200_000))
def test_every_age_word_said_of_the_patient_fits_their_age(index):
    r = _gen().record(index)
    assert misfits(r) == [], r.id


def test_generated_dialogues_say_age_words_and_each_fits():
    """The check is live: the dialogues do call the patient a baby or a newborn, always of the right age."""
    said = 0
    for i in range(300):
        r = _gen().record(i)
        said += sum(len(SAID_OF.findall(m.content)) for m in r.messages[1:])
        assert misfits(r) == [], r.id
    assert said >= 10


def test_a_school_age_child_is_not_said_to_be_off_feeds_or_taking_milk():
    """'still taking his milk' and 'feeding' were said of children of 6 and over (clinician read of 2026-12-08):
    a baby's words for eating and drinking stay with babies and toddlers, and a school-age child eats and drinks."""
    import random

    from scenegen.generate import GenerateConfig, Generator, Library
    from scenegen.realise import said_topic

    gen = Generator(Library.load(), GenerateConfig(seed=0))
    words, kb = gen.realiser.words, gen.lib.kb
    baby = re.compile(r"\b(?:feeds?|feeding|milk|bottles?|breast)\b")
    for fid in ("poor_feeding", "feeding_less_than_half"):
        older = {words.lay(fid, random.Random(k), base={"_age": 96}) for k in range(200)}
        young = {words.lay(fid, random.Random(k), base={"_age": 8}) for k in range(200)}
        assert older and not any(baby.search(p) for p in older), (fid, older)
        assert any(baby.search(p) for p in young), (fid, young)  # the baby words are kept for babies
    assert not baby.search(said_topic(kb.findings["poor_feeding"], 96))
    assert baby.search(said_topic(kb.findings["poor_feeding"], 8))
