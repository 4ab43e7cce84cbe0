"""An acknowledgement does not cheer a 'no' to how long a reported symptom has lasted: 'It's good that there's no
tummy pain for more than 3 weeks' (a blind read, seed 31415 balanced, record 151) says back a pain the person has,
as if it were good news. A finding with ``own_days`` (the complaint's own duration) is said back plainly ('So no
vomiting for more than 2 days'); any other 'no' may still be welcomed ('Good - no fever')."""

from __future__ import annotations

import re
from functools import lru_cache

from scenegen.generate import GenerateConfig, Generator, Library

CHEER = re.compile(r"(?:It's good that there's no|Good - no) ([^.]+)\.")
PLAIN = re.compile(r"(?:So no|Okay, no) ([^.]+)\.")
N = 400


@lru_cache(maxsize=None)
def _records() -> tuple:
    gen = Generator(Library.load(), GenerateConfig(seed=16180, noise="off", balance="disposition"))
    return tuple(gen.record(i) for i in range(N))


def _own_duration_topics() -> set[str]:
    kb = Library.load().kb
    return {t.lower() for f in kb.findings.values() if f.own_days is not None
            for t in (f.topic, *f.topics) if t}


def _said_back(pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    return [(r.id, m.group(1).lower()) for r in _records() for msg in r.messages if msg.role == "assistant"
            for m in pattern.finditer(msg.content)]


def test_a_no_to_how_long_a_symptom_has_lasted_is_not_welcomed_as_good_news():
    own = _own_duration_topics()
    cheered = [(rid, text) for rid, text in _said_back(CHEER) if text in own]
    assert cheered == []


def test_such_a_no_is_still_said_back_plainly():
    """The check above is live: these records do say back own-duration 'no's, in the plain wording."""
    own = _own_duration_topics()
    plain = [(rid, text) for rid, text in _said_back(PLAIN) if text in own]
    assert len(plain) >= 3, plain
