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
    """Across generated dialogues (patients, carers and the assistant, noise on), no message of a record says
    one of its locale's never_words: an American caller says no 'nettle rash' or 'ta', a British one no
    'acetaminophen' or 'ER'. The other locale's words are found in each, so the check can fail."""
    personas = lib().personas
    words = {loc.id: loc.never_words for loc in personas.locales if loc.never_words}
    assert {"en_US", "en_GB"} <= set(words)
    patterns = {loc: _pattern(ws) for loc, ws in words.items()}
    found = {loc: 0 for loc in words}
    others = {loc: 0 for loc in words}
    gen = Generator(lib(), GenerateConfig(seed=1618))
    for i in range(700):
        r = gen.record(i)
        text = " ".join(m.content for m in r.messages if m.role != "system")
        if r.persona.locale in words:
            hits = patterns[r.persona.locale].findall(text)
            assert hits == [], (r.id, hits)
            found[r.persona.locale] += 1
            others[r.persona.locale] += any(p.search(text) for loc, p in patterns.items() if loc != r.persona.locale)
    assert all(n >= 100 for n in found.values()), found
    assert all(n >= 10 for n in others.values()), others  # each locale's words are there where they belong


def test_each_locale_lists_the_other_locales_marker_words_a_blind_read_found():
    """Issue #10 item 4: 'nettle rash' and 'Ta' from American callers; American words from British ones."""
    assert {"nettle rash", "ta", "chemist"} <= set(lib().personas.locale("en_US").never_words)
    assert {"acetaminophen", "mom", "diaper", "the er", "911"} <= set(lib().personas.locale("en_GB").never_words)


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
