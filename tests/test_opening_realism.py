"""Openings, asides and answers that read like real people (issue #10, step 1-2).

A first message carries more than the complaint: why now, what worries them, what they have looked up, who
they write for, each part with many wordings in templates/opening. Those parts are said in words that name no
finding, so an opening never states a fact the hidden case does not hold: its facts come only from the slots
the realiser fills from the case (the complaint, the time course, the findings volunteered).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.realise import mentions

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
N = 300
_GROUP_SPLIT = re.compile(r"\(\(|\)\)|\|")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


@lru_cache(maxsize=None)
def _library() -> Library:
    return Library.load()


@lru_cache(maxsize=None)
def _openings() -> tuple[str, ...]:
    gen = Generator(_library(), GenerateConfig(seed=20260, noise="off"))
    return tuple(next(m.content for m in gen.record(i).messages if m.role == "user") for i in range(N))


def _fixed_wordings(act: str) -> list[tuple[str, str]]:
    """(file, piece) for every piece of fixed text of an act's templates: each alternative, and the text
    between groups and variables."""
    out = []
    for path in sorted((TEMPLATES / act).glob("*.j2")):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)
        for piece in _GROUP_SPLIT.split(_JINJA.sub("|", text)):
            if piece.strip():
                out.append((path.name, piece.strip()))
    return out


def test_no_fixed_wording_of_an_opening_or_aside_names_a_finding():
    kb = _library().kb
    assert mentions(kb, "I've got a cough"), "the check must be able to find a finding named"
    named = [(f, piece, sorted(mentions(kb, piece))) for act in ("opening", "aside")
             for f, piece in _fixed_wordings(act) if mentions(kb, piece)]
    assert not named, named[:5]


def test_openings_say_more_than_a_bare_complaint():
    # before the opening parts (why now, worry, what was looked up, who for): 53 % of openings were over 25
    # words (seed 4242, 1,000 records), after: 68 %
    openings = _openings()
    long = sum(len(o.split()) > 25 for o in openings)
    assert long >= 0.6 * N, long


def test_no_opening_sentence_is_a_stock_line():
    # 'Does it need looking at?' closed 5.5 % of openings before (seed 4242, 1,000 records); here 13 of 300
    # before the opening parts, 10 after (a time course: 'It's been about three days.')
    counts = Counter(s for o in _openings() for s in re.split(r"(?<=[.!?])\s+", o) if len(s.split()) >= 4)
    sentence, n = counts.most_common(1)[0]
    assert n <= 0.037 * N, (sentence, n)


@lru_cache(maxsize=None)
def _user_turns() -> tuple[tuple[str, tuple[str, ...], str], ...]:
    gen = Generator(_library(), GenerateConfig(seed=20260, noise="off"))
    out = []
    for i in range(N):
        r = gen.record(i)
        out += [(m.content, tuple(t.templates), t.act) for m, t in zip(r.messages, r.turns) if m.role == "user"]
    return tuple(out)


def test_a_hedged_or_second_thought_yes_still_opens_with_a_yes():
    # the new answer shapes ('Now I think about it, yes, ...', 'I think so - ..., as far as I can tell.') are
    # read as a yes: the first sentence holds an affirmative word and does not open on a negative
    shaped = [(text, act) for text, ids, act in _user_turns()
              if {"answer_yes/hedge_1", "answer_yes/second_thought_1"} & set(ids)]
    assert len(shaped) >= 10, len(shaped)
    for text, act in shaped:
        first = text.split(".")[0].lower()
        assert act == "answer_yes" and re.search(r"\b(yes|yeah|i think so|i'd say so|i suppose so)\b", first), text
        assert not re.match(r"(no|not|nothing)\b", first), text

