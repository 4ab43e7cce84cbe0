"""Answers and openings that fit the case and the person (read 11's contradictions, by class).

- an opening that names a red flag is not played down ('I don't like to make a fuss' before a first fit);
- an opening's aside agrees with the time course ('I tried ringing earlier' about a pain of half an hour);
- confusion of a problem under a week old came on over hours or days, and sudden confusion without a long
  memory problem is not months old;
- a child who cannot swallow even saliva is not 'drinking as normal';
- an early or unconfirmed pregnancy is pointed to the early pregnancy service, not the maternity unit.
"""

from __future__ import annotations

from types import SimpleNamespace

from scenegen.generate import GenerateConfig, Generator
from scenegen.realise import Realiser

PLAYING_DOWN_OPENINGS = {"opening/self_stoic", "opening/self_minimising", "opening/proxy_stoic",
                         "opening/proxy_minimising"}


def _records(library, n, **config):
    gen = Generator(library, GenerateConfig(**config))
    return [gen.record(i) for i in range(n)]


def test_a_fit_in_pregnancy_is_not_played_down_in_the_opening(library):
    """A fit in pregnancy meets an emergency rule from the opening on (modifier: seizure in pregnancy), so the
    opening is never a stoic or minimising one ('I don't like to make a fuss') nor carries an aside that plays it
    down; the same personas still play down a problem that meets no such rule."""
    pl = library.personas
    fits = down = 0
    for r in _records(library, 120, seed=11, conditions=("eclampsia",)):
        if r.case.complaint != "seizure":
            continue
        fits += 1
        opening = r.turns[1]
        assert not set(opening.templates) & PLAYING_DOWN_OPENINGS, (r.id, r.messages[1].content)
        assert not any(d.lower() in r.messages[1].content.lower() for d in pl.playing_down_details), r.id
    for r in _records(library, 300, seed=11, complaints=("sore_throat",)):
        down += bool(set(r.turns[1].templates) & PLAYING_DOWN_OPENINGS)
    assert fits >= 40 and down >= 5


def test_a_worried_persona_never_plays_the_problem_down(library):
    """An anxious or catastrophising persona never adds 'I hate making a fuss' (a read of seed 9191 found "I'm
    scared ... I hate making a fuss"), while other personas still may."""
    pl = library.personas
    worried = calm = 0
    for r in _records(library, 600, seed=15):
        opening = r.messages[1].content.lower()
        says = any(d.lower() in opening for d in pl.playing_down_details)
        if pl.style(r.persona.style).tone in pl.worried_tones:
            worried += 1
            assert not says, (r.id, opening)
        else:
            calm += says
    assert worried >= 50 and calm >= 5


def test_an_opening_aside_never_says_the_problem_is_older_than_it_is(library):
    """'I tried ringing earlier' or 'couldn't get through ... this morning' never opens a problem of under an
    hour, though such asides are still said of older problems."""
    short = longer = 0
    for r in _records(library, 600, seed=12):
        opening = r.messages[1].content.lower()
        aside = "tried ringing earlier" in opening or "on the phone this morning" in opening
        if r.case.value_map.get("duration") == ["under_an_hour"]:
            short += 1
            assert not aside, (r.id, opening)
        elif aside:
            longer += 1
    assert short >= 20 and longer >= 1


def test_confusion_of_days_came_on_suddenly_and_sudden_confusion_is_not_months_old(library):
    quick = 0
    for r in _records(library, 300, seed=13, complaints=("confusion",)):
        present, duration = set(r.case.present), r.case.value_map.get("duration", [])
        if "confusion" in present and set(duration) <= {"under_an_hour", "hours", "days_1_to_4", "days_5_to_7"}:
            quick += 1
            assert "confusion_sudden_onset" in present, r.id
        if "confusion_sudden_onset" in present and "memory_loss_gradual" not in present:
            assert "over_3_weeks" not in duration, r.id
    assert quick >= 50


def test_a_child_who_cannot_swallow_saliva_is_not_feeding_normally(library):
    kb = library.kb
    seen = 0
    for r in _records(library, 400, seed=14, conditions=("epiglottitis",)):
        if "drooling_cannot_swallow" in r.case.present and kb.reportable("poor_feeding", kb.age_band(r.persona.age_months)):
            seen += 1
            assert "poor_feeding" in r.case.present, r.id
    assert seen >= 20


def test_an_early_or_unconfirmed_pregnancy_is_pointed_to_the_early_pregnancy_service(library):
    realiser = Realiser(library.kb, library.personas, library.templates)
    for locale in ("en_GB", "en_US"):
        vocab = library.personas.locale(locale).vocab
        person = SimpleNamespace(locale=locale)
        for said, service in (("under_20_weeks", "early_pregnancy_unit"), ("not_sure", "early_pregnancy_unit"),
                              ("from_20_weeks", "maternity_unit"), (None, "maternity_unit")):
            plan = SimpleNamespace(observations={} if said is None else {"weeks_pregnant": said})
            assert realiser.closing.pregnancy_service(plan, person) == vocab[service], (locale, said)
