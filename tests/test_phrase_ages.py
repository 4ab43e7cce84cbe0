"""Phrases held to some ages (phrase_ages): nobody says what only an older (or a younger) person could say.

Read 11 found a 4-month-old's parent answering 'nothing on the paper when wiping', a 16-month-old's pain placed
'over the bladder', a 3-year-old's 'scratchy throat' and a 15-year-old drinking 'several pints most nights'.
"""

from __future__ import annotations

from scenegen.content import phrases_fit
from scenegen.generate import GenerateConfig, Generator
from scenegen.validate import Lexicon, RULES
from scenegen.load import bundled_library

from .age_bands import band_ranges


def test_every_finding_keeps_a_phrase_at_every_age_it_is_reported(bundled_kb):
    """Holding phrases to some ages never leaves a finding (or a value, or a complaint) with nothing to say at an
    age where it can be reported: each limit's edge ages and each band's ends are tried."""
    kb = bundled_kb
    bands = band_ranges(kb)
    bare = []
    for fid, f in kb.findings.items():
        if not f.phrase_ages:
            continue
        edges = {a for lim in f.phrase_ages for a in (lim.min_age_months, lim.max_age_months) if a is not None}
        for band, low, high in bands:
            if not kb.reportable(fid, band):
                continue
            for age in {low, high, *(a + d for a in edges for d in (-1, 0, 1) if low <= a + d <= high)}:
                if f.lay and not phrases_fit(f.lay, f.phrase_ages, age):
                    bare.append((fid, "lay", age))
                for v in f.values:
                    if not phrases_fit(v.lay, f.phrase_ages, age):
                        bare.append((fid, v.id, age))
    for cid, c in kb.complaints.items():
        for band, low, high in bands:
            if kb.reportable(c.finding, band) and not phrases_fit(c.lay, c.phrase_ages, low):
                bare.append((cid, "complaint", low))
    assert bare == []


def test_the_named_phrases_of_read_11_are_held_to_their_ages(bundled_kb):
    kb = bundled_kb
    site = kb.findings["abdominal_pain_site"]
    assert "over the bladder" not in phrases_fit(["over the bladder"], site.phrase_ages, 16)
    assert "over the bladder" in phrases_fit(["over the bladder"], site.phrase_ages, 9 * 12)
    bleed = kb.findings["rectal_bleeding"]
    assert phrases_fit(["nothing on the paper", "no blood when wiping"], bleed.phrase_ages, 4) == []
    drink = kb.findings["alcohol_excess"]
    assert phrases_fit(drink.lay, drink.phrase_ages, 15 * 12) == ["a big binge at the weekend"]
    throat = kb.complaints["sore_throat"]
    assert "a scratchy throat" not in phrases_fit(throat.lay, throat.phrase_ages, 3 * 12)


def test_generated_dialogues_of_young_children_say_no_phrase_outside_its_ages(library):
    """Across dialogues of babies, toddlers and teenagers (where the held phrases bite), no user message says a
    phrase held to other ages (validate rule phrases_fit_the_age). With the realiser's age filter switched off
    this fails (checked by hand when the rule was written)."""
    kb, lx = library.kb, Lexicon.load(bundled_library())
    check = RULES["phrases_fit_the_age"]
    gen = Generator(library, GenerateConfig(seed=77))
    young = broken = 0
    for i in range(600):
        r = gen.record(i)
        if r.persona.age_months >= 216:
            continue
        young += 1
        broken += bool(list(check(r, kb, lx)))
    assert young >= 100
    assert broken == 0


def test_phrases_that_assume_an_adults_own_report_are_not_a_young_childs(bundled_kb):
    """Issue #10 item 6: an 8-month-old's parent said 'a funny turn where everything went dark' (what the person
    saw as they fainted), a 6-month-old's 'the morning tablets twice' and a 3-month-old's swallow 'on and off over
    a few days' (a staggered overdose). Each is held to ages that can say it."""
    kb = bundled_kb
    faint = kb.complaints["fainting"]
    assert "a funny turn where everything went dark" not in phrases_fit(faint.lay, faint.phrase_ages, 8)
    assert "a funny turn where everything went dark" in phrases_fit(faint.lay, faint.phrase_ages, 30 * 12)
    amount = kb.findings["amount_taken"]
    dose = next(v for v in amount.values if v.id == "one_extra_dose")
    assert "the morning tablets twice" not in phrases_fit(dose.lay, amount.phrase_ages, 6)
    since = kb.findings["time_since_ingestion"]
    later = next(v for v in since.values if v.id == "over_24_hours")
    assert "on and off over a few days" not in phrases_fit(later.lay, since.phrase_ages, 3)
    assert "on and off over a few days" in phrases_fit(later.lay, since.phrase_ages, 40 * 12)
    drowsy = kb.findings["drowsy_after_ingestion"]
    assert "passed out after taking the tablets" not in phrases_fit(drowsy.lay, drowsy.phrase_ages, 3)


def test_a_no_to_a_first_ever_fit_says_there_were_fits_before(library):
    """'No. No first-ever fit that I know of.' is no answer: a 'no' to 'is this the first fit ever?' says that
    there were fits before (the finding's own deny wordings), in every generated dialogue that denies it."""
    assert library.kb.findings["first_ever_seizure"].deny
    gen = Generator(library, GenerateConfig(seed=31, complaints=("seizure", "fever", "fainting")))
    denied = 0
    for i in range(300):
        r = gen.record(i)
        for t, m in zip(r.turns, r.messages):
            if t.finding == "first_ever_seizure" and t.act == "answer_no":
                denied += 1
                assert "first-ever" not in m.content.lower(), (r.id, m.content)
    assert denied >= 10
