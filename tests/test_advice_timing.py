"""Self-care advice never asks for care sooner than the level the person is given. Advice is given only with a
self-care or routine disposition, so an item that says "speak to a GP today" or "contact a doctor early"
contradicts it, unless it is a warning sign ("get help the same day IF ..."), which the person acts on only
if the sign starts. Read 11 #17: a teenager with yellow skin got a routine disposition and "speak to a GP
today" in the same message (Gilbert's syndrome; the red flag jaundice_first_time carries that case)."""

from __future__ import annotations

import re

from scenegen import Demographics
from scenegen.content import Disposition, Sex
from scenegen.triage import decide

# a care-seeking verb, then (in the same clause) a time sooner than a routine booking
SOONER = re.compile(
    r"\b(contact|see|speak to|call|ring|go to|get help|get seen|get advice|get it checked|book|ask)\b[^.;:]*?"
    r"\b(today|the same day|straight away|right away|immediately|urgently|early|now|as soon as possible)\b"
    r"|\b(999|A&E)\b", re.I)
WARNING = re.compile(r"\b(if|unless|for)\b", re.I)  # "get help the same day if ...", "urgently for ..."


def test_no_self_care_or_routine_advice_asks_unconditionally_for_sooner_care(bundled_kb):
    bad = []
    for cid, c in sorted(bundled_kb.conditions.items()):
        if c.disposition not in (Disposition.self_care, Disposition.routine):
            continue
        for a in c.advice:
            if a.pregnancy.value == "required" and c.disposition is Disposition.routine:
                continue  # pregnancy modifiers raise such a condition; checked below for the one we know
            if SOONER.search(a.text) and not WARNING.search(a.text):
                bad.append((cid, a.text))
    assert not bad, bad


def test_the_checker_catches_the_item_read_11_found():
    assert SOONER.search("Because you are over 65, contact a doctor early: antiviral medicine may help.")
    assert not WARNING.search("Because you are over 65, contact a doctor early: antiviral medicine may help.")
    assert SOONER.search("speak to a GP today: new jaundice needs a blood test")
    assert not SOONER.search("everyone in the household should be treated on the same day")


def test_gilberts_advice_says_nothing_sooner_than_its_routine_level(bundled_kb):
    for a in bundled_kb.conditions["gilbert_syndrome"].advice:
        assert not re.search(r"\btoday\b|same day", a.text), a.text


def test_a_raised_reading_in_pregnancy_is_not_routine(bundled_kb):
    """The one routine item that says 'the same day' is for pregnancy, which a modifier raises."""
    who = Demographics(30 * 12, Sex.female, True)
    d = decide(bundled_kb, who, {"high_bp_reading": True, "pregnancy_known_or_possible": True})
    assert d.disposition.rank > Disposition.routine.rank


def test_flu_like_aches_from_65_are_seen_the_same_day_without_a_fever(bundled_kb):
    who = Demographics(78 * 12, Sex.male)
    obs = {"cough": True, "muscle_aches": True, "fever": False, "onset": "sudden", "duration": "days_1_to_4"}
    assert decide(bundled_kb, who, obs).disposition.rank >= Disposition.urgent.rank
    young = Demographics(40 * 12, Sex.male)
    assert decide(bundled_kb, young, obs).disposition.rank < Disposition.urgent.rank
