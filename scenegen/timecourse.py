"""What a dialogue's time phrases say about the problem, from the time-word table of ``_model.yaml``
(``model.time_course``): the span of days since it started and the onsets each phrase fits. The realiser
keeps one running :class:`When` per dialogue and picks only phrases that fit it ('it started a couple of days
ago' is never followed by 'it came on over a couple of hours'; 'for several months' is never said of a baby);
``scenegen validate`` reads a record's asserted phrases with the same table. No wording lives here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from scenegen.knowledge import KnowledgeBase

DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class When:
    """What is known of the time course: a span of days since it started (``hi`` None = no bound) and the
    onsets still possible (None = any)."""

    lo: float = 0.0
    hi: Optional[float] = None
    onsets: Optional[frozenset[str]] = None

    def meet(self, lo: float, hi: Optional[float], onsets: Optional[Iterable[str]]) -> Optional["When"]:
        """The span and onsets that fit both, or None when they cannot both be true."""
        new_lo = max(self.lo, lo)
        new_hi = hi if self.hi is None else (self.hi if hi is None else min(self.hi, hi))
        if new_hi is not None and new_hi <= new_lo:
            return None
        got = self.onsets
        if onsets:
            got = frozenset(onsets) if got is None else got & frozenset(onsets)
            if not got:
                return None
        return When(new_lo, new_hi, got)


def _pattern(kb: KnowledgeBase) -> Optional[re.Pattern]:
    def compute() -> Optional[re.Pattern]:
        table = kb.settings.time_course
        if table is None:
            return None
        words = sorted({w for entry in table.words for w in entry.words}, key=lambda w: (-len(w), w))
        return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b")
    return kb.cached("time_words_pattern", None, compute)


def _entry(kb: KnowledgeBase):
    def compute() -> dict:
        table = kb.settings.time_course
        return {w: e for e in (table.words if table else []) for w in e.words}
    return kb.cached("time_words_entry", None, compute)


def time_words(kb: KnowledgeBase, text: str) -> list[str]:
    """The time words a text says, longest first where two overlap ('well over a month', not 'over a month')."""
    pattern = _pattern(kb)
    if pattern is None or not text:
        return []
    return [m.group(1) for m in pattern.finditer(text.lower())]


def fit(kb: KnowledgeBase, when: When, text: str) -> Optional[When]:
    """``when`` narrowed by what the text says, or None when the text disagrees with it."""
    entries = _entry(kb)
    for w in time_words(kb, text):
        e = entries[w]
        lo, hi = e.days if e.days is not None else (0.0, None)
        got = when.meet(lo, hi, e.onsets)
        if got is None:
            return None
        when = got
    return when


def age_cap(kb: KnowledgeBase, age_months: int) -> float:
    """The longest a problem can have lasted at this age, in days (a baby under a month: the table's
    ``newborn_days``)."""
    table = kb.settings.time_course
    newborn = table.newborn_days if table is not None else 14.0
    return max(age_months * DAYS_PER_MONTH, newborn)


def case_when(kb: KnowledgeBase, values: dict, age_months: int, complaint: Optional[str] = None) -> When:
    """What the case's onset and duration values and the person's age allow (``values``: finding -> value),
    and, in a call about a symptom, how long the case says that symptom has lasted (``own_days``): vomiting
    of not more than 2 days is never 'about three days' in the opening."""
    table = kb.settings.time_course
    when = When(0.0, age_cap(kb, age_months), None)
    if table is None:
        return when
    duration = values.get(table.duration)
    if isinstance(duration, str) and duration in table.duration_days:
        lo, hi = table.duration_days[duration]
        when = when.meet(lo, hi, None) or When(lo, hi, None)
    onset = values.get(table.onset)
    if isinstance(onset, str):
        when = when.meet(0.0, None, [onset]) or when
    for fid in own_duration_findings(kb, complaint):
        when = _own_span(when, kb.findings[fid].own_days, values.get(fid))
    for fid in moment_findings(kb, complaint):
        value = values.get(fid)
        span = table.value_days[fid].get(value) if isinstance(value, str) else None
        if span is not None:
            when = when.meet(span[0], span[1], None) or when
    return when


def moment_findings(kb: KnowledgeBase, complaint: Optional[str]) -> tuple[str, ...]:
    """The categorical findings of ``model.time_course.value_days`` whose value says when the complaint began
    (the time since a swallow, in a call about the swallow): their parent is the complaint's finding."""
    table = kb.settings.time_course
    if complaint is None or table is None or not table.value_days or complaint not in kb.complaints:
        return ()
    lead = kb.complaints[complaint].finding
    return kb.cached("moment_findings", complaint, lambda: tuple(
        fid for fid in sorted(table.value_days) if fid in kb.findings and kb.findings[fid].parent == lead))


def own_duration_findings(kb: KnowledgeBase, complaint: Optional[str]) -> tuple[str, ...]:
    """The findings that ask how long the complaint itself has lasted (``own_days``, parent = complaint)."""
    if complaint is None:
        return ()
    return kb.cached("own_duration_findings", complaint, lambda: tuple(
        fid for fid, f in kb.findings.items() if f.own_days is not None and f.parent == complaint))


def _own_span(when: When, span, answer) -> When:
    """``when`` within the span a 'yes' means (True) or outside it (False); unchanged when unknown or when
    the case's band leaves no room (the sampler's implications keep that from happening)."""
    if answer is not True and answer is not False:
        return when
    lo, hi = span
    if answer is True:
        return when.meet(lo, hi, None) or when
    if hi is None:
        return when.meet(0.0, lo, None) or when
    if lo == 0.0:
        return when.meet(hi, None, None) or when
    return when  # a 'no' to a span in the middle leaves both sides open


def fitting(kb: KnowledgeBase, when: When, phrases: list[str]) -> list[str]:
    """The phrases that agree with ``when`` (all of them when none does: the validator then says so)."""
    keep = [p for p in phrases if fit(kb, when, p) is not None]
    return keep or phrases
