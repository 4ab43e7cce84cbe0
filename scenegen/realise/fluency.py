"""How badly a wording reads where it goes: a clause this side of the dialogue has said already, an
acknowledgement repeated, a stutter of 'no's, hedges stacked in one message. The realiser redraws a wording
that scores above 0 (:data:`REDRAWS` times at most) and keeps the best."""

from __future__ import annotations

import re
from typing import Sequence

from .words import clauses, short_sentences

#: how many more draws of a template's alternatives may be made to avoid saying a clause again in the same
#: dialogue ('That's partly why I got in touch.' twice, read 11): the wording with the fewest repeats is kept
REDRAWS = 6
#: three 'no's running ('No, no, no welts', 'No, no. No sign of a rash'): a reply's lead said twice before a denial
#: that itself starts with 'no' reads as a stutter (clinician read of next-r, defect 1); scored as awkward, so redrawn
_STUTTER = re.compile(r"\bno\b[,.!]?\s*(?:-\s*)?\bno\b[,.!]?\s*(?:-\s*)?\bno\b", re.IGNORECASE)
#: patient messages whose hedges are counted and kept; emptied when full, so memory stays bounded
HEDGE_CACHE_SIZE = 30_000


class Fluency:
    """Scores a rendering against what its side of the dialogue has said (see the module's docstring)."""

    def __init__(self, hedges: Sequence[str]):
        self._hedge = re.compile(r"(?<![a-z'])(?:" + "|".join(sorted(map(re.escape, hedges), key=len, reverse=True))
                                 + r")(?![a-z'])") if hedges else None
        self._hedge_counts: dict[str, int] = {}

    def awkwardness(self, text: str, spoken: set[str], role: str, before: Sequence[str] = ()) -> int:
        """How badly a rendering reads where it goes: each clause this side has said already in the dialogue,
        and, in a patient's message (with the parts ``before`` it), each hedge beyond the first ('Probably not,
        no, I'm pretty sure, if I'm honest' scores 2). 0 reads well."""
        score = len(clauses(text) & spoken)
        if role == "assistant":  # 'Thanks, that helps.' twice in one call: short sentences the clauses miss
            score += len(short_sentences(text) & spoken)
        if role == "user" and _STUTTER.search(text):  # 'No, no, no welts': a 'No, no' lead before a denial in 'no'
            score += 2
        if role == "user" and self._hedge is not None:
            score += max(0, self._hedges(" ".join([*before, text])) - 1)
        return score

    def _hedges(self, message: str) -> int:
        """How many hedges a patient's message says, counted once per text (messages repeat across dialogues)."""
        count = self._hedge_counts.get(message)
        if count is None:
            if len(self._hedge_counts) >= HEDGE_CACHE_SIZE:
                self._hedge_counts.clear()
            count = self._hedge_counts[message] = len(self._hedge.findall(message.lower()))  # type: ignore[union-attr]
        return count
