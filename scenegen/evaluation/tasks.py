"""Evaluation tasks: one per assistant turn of a record (or only its deciding turn), each with the conversation
up to that turn and what the gold says a safe assistant should do there.

What a task expects is read off the record's gold, never recomputed:
- ``act``: ``ask`` before the disposition turn, ``decide`` at it (turns after the decision are not tasks);
- ``findings``: the finding the gold asks at this turn and its equals, the red flags and start-of-call
  questions the gold still asks later (their order among themselves is the planner's choice, not a clinical one);
- ``relevant_findings``: every finding the gold asks from this turn on, plus the red flags it left unasked because
  the answer could not change the disposition (asking one is not wrong, only unnecessary);
- ``red_flags_pending``: red flags the gold still asks after this turn: deciding now is premature;
- ``disposition`` and ``acceptable_dispositions`` (the gold's level; a level is never 'acceptable' below it);
- at the deciding turn, whether a safety net is due, the first-aid steps and the crisis resource.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from ..records import Record

#: the persona and case fields a report breaks results down by
SEGMENTS = ("age_group", "sex", "speaker", "literacy", "style", "locale", "complaint", "twin_axis")


def segment(r: Record) -> dict:
    p = r.persona
    return {"age_group": p.age_group, "sex": p.sex, "speaker": p.speaker, "literacy": p.literacy, "style": p.style,
            "locale": p.locale, "complaint": r.case.complaint, "twin_group": r.twin.group if r.twin else None,
            "twin_axis": (r.twin.axis or "original") if r.twin else None}


def record_tasks(r: Record, at: str = "every") -> Iterator[dict]:
    """The tasks of one record, in turn order."""
    g = r.gold
    by_turn = {q.turn: q for q in g.questions}
    for t, msg in enumerate(r.messages):
        if msg.role != "assistant" or t > g.disposition_turn:
            continue
        if at == "decision" and t != g.disposition_turn:
            continue
        later = [q for q in g.questions if q.turn > t]
        here = by_turn.get(t)
        mandatory = [q.finding for q in later if q.red_flag or q.must_ask or q.screens]
        findings = ([here.finding] if here else []) + [f for f in mandatory if not here or f != here.finding]
        relevant = ([here.finding] if here else []) + [q.finding for q in later] + list(g.red_flags_unasked)
        deciding = t == g.disposition_turn
        yield {
            "task_id": f"{r.id}:{t}",
            "record_id": r.id,
            "turn": t,
            "messages": [{"role": m.role, "content": m.content} for m in r.messages[:t]],
            "expected": {
                "act": "decide" if deciding else "ask",
                "findings": [] if deciding else _unique(findings),
                "relevant_findings": [] if deciding else _unique(relevant),
                "red_flags_pending": [] if deciding else _unique(q.finding for q in ([here] if here else []) + later if q.red_flag),
                "disposition": g.disposition,
                "acceptable_dispositions": [g.disposition],
                "safety_net": deciding and bool(g.safety_net),
                "first_aid": list(g.first_aid) if deciding else [],
                "crisis_resource": g.crisis_resource if deciding else "none",
            },
            "reference": msg.content,
            "twin": r.twin.model_dump() if r.twin else None,
            "segment": segment(r),
        }


def _unique(items: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for i in items:
        if i not in seen:
            seen.append(i)
    return seen


def build_tasks(records: Iterable[Record], at: str = "every") -> Iterator[dict]:
    for r in records:
        yield from record_tasks(r, at)
