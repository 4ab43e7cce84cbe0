"""An en-US caller says no British-only word (review 13: 'defo', 'rubbish', 'fortnight', 'reckon', 'weeing',
'sat here' from American callers). The words are data: each locale's ``never_words`` in personas/personas.yaml;
the library's British wordings are swapped by the locale's ``terms`` and British texting forms are held to en_GB
(``locales`` in personas/noise.yaml)."""

from __future__ import annotations

import re
from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen.generate import GenerateConfig, Generator, Library


@lru_cache(maxsize=1)
def lib() -> Library:
    return Library.load()


def _pattern(words):
    return re.compile(r"(?<![\w&])(" + "|".join(re.escape(w) for w in words) + r")(?![\w&])", re.I)


def test_the_us_locale_lists_the_british_words_of_review_13():
    us = lib().personas.locale("en_US")
    assert {"defo", "rubbish", "fortnight", "reckon", "weeing", "sat here"} <= set(us.never_words)


def test_no_record_says_a_word_its_locale_never_says():
    """Across generated dialogues (patients, carers and the assistant, noise on), no message of an en-US record
    says one of en_US.never_words; the same check finds them in en-GB records, so it can fail."""
    personas = lib().personas
    words = {loc.id: loc.never_words for loc in personas.locales if loc.never_words}
    assert words
    found = {loc: 0 for loc in words}
    british = 0
    us_pattern = _pattern(words["en_US"])
    gen = Generator(lib(), GenerateConfig(seed=1618))
    for i in range(700):
        r = gen.record(i)
        text = " ".join(m.content for m in r.messages if m.role != "system")
        if r.persona.locale in words:
            hits = _pattern(words[r.persona.locale]).findall(text)
            assert hits == [], (r.id, hits)
            found[r.persona.locale] += 1
        elif r.persona.locale == "en_GB":
            british += bool(us_pattern.search(text))
    assert all(n >= 100 for n in found.values()), found
    assert british >= 10  # the British words are there to be found where they belong


@lru_cache(maxsize=1)
def _us_prone() -> Generator:
    # the calls whose library text says the words a blind read found in en-US dialogues: cotton buds (ears),
    # the reliever (blue) inhaler (breathing), a torch (throat), the sick (vomit)
    return Generator(lib(), GenerateConfig(seed=2718, complaints=("ear_pain", "breathlessness", "cough",
                                                                  "sore_throat", "vomiting", "rash")))


@given(index=st.integers(0, 100_000))
def test_an_en_us_record_says_none_of_the_british_words_the_locale_lists(index):
    r = _us_prone().record(index)
    words = lib().personas.locale(r.persona.locale).never_words
    if words:
        text = " ".join(m.content for m in r.messages if m.role != "system")
        assert _pattern(words).findall(text) == [], r.id


def test_the_us_locale_lists_the_british_words_a_blind_read_found():
    us = lib().personas.locale("en_US")
    assert {"gp", "a&e", "paracetamol", "cotton buds", "reliever", "blue inhaler"} <= set(us.never_words)


def test_a_locale_swap_never_doubles_a_word_in_any_library_text():
    """'a reliever inhaler, usually a blue one' became 'a rescue inhaler inhaler, usually a blue one' in en-US:
    the swap 'a reliever' matched at the article before the longer phrase could. Every question, phrase and
    denial of the library, localised, says no word twice in a row unless the original did."""
    from scenegen.realise import Localiser

    library = lib()
    texts = set()
    for f in library.kb.findings.values():
        texts |= {t for t in (f.question, f.ask, getattr(f, "question_neutral", None)) if t}
        texts |= set(f.lay) | set(f.deny)
    doubled = re.compile(r"\b(\w+) \1\b", re.I)
    for loc in library.personas.locales:
        local = Localiser(loc.terms)
        bad = [(t, local(t)) for t in sorted(texts) if doubled.search(local(t)) and not doubled.search(t)]
        assert not bad, (loc.id, bad[:5])
