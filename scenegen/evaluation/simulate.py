"""A model holds the whole conversation with scenegen's patient (``scenegen simulate``).

The patient is deterministic, unlike an LLM patient that can contradict itself: it opens with the record's own
opening, then answers each question from the hidden case, after matching the question to a finding with the
library's own phrasings (``reading.match_findings``); what it cannot match it says it does not understand. The
conversation ends when the model decides (read by the same rules as ``eval``) or after ``max_turns`` questions,
and is scored against the record's gold.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import orjson

from ..knowledge import KnowledgeBase
from ..realise.words import say_denial
from ..records import Record
from .reading import RANK, Cues, match_findings, read_reply, sentences, wording

#: what the patient says when it cannot tell what was asked (from the patient's own side, never a finding)
NOT_UNDERSTOOD: str = wording()["not_understood"]  # evaluation/wording.yaml
_PRONOUNS: dict = wording()["pronouns"]


@dataclass(frozen=True)
class PatientAnswer:
    text: str
    findings: tuple[str, ...]
    """the findings the question was matched to (empty: not understood)"""


def answer(question: str, record: Record, kb: KnowledgeBase, cues: Cues) -> PatientAnswer:
    """The patient's reply to the questions of one assistant message, from the hidden case."""
    asked = [s for s in sentences(question) if s.rstrip().endswith("?")]
    found: list[str] = []
    for s in asked:
        found.extend(f for f in match_findings(s, cues) if f not in found and f in kb.findings)
    if not found:
        return PatientAnswer(NOT_UNDERSTOOD, ())
    case = record.case
    values = {v.finding: v.values for v in case.values}
    pronouns = None if record.persona.speaker == "self" else _PRONOUNS[record.persona.sex]
    parts = []
    for fid in found[:2]:  # a question about two things gets an answer about both, no more
        f = kb.findings[fid]
        if fid in values:
            lay = [v.lay[0] for v in f.values if v.id in values[fid]]
            said = ", ".join(lay)
            parts.append((said[:1].upper() + said[1:] + ".") if lay else "I'm not sure.")
        elif fid in case.present:
            parts.append(f"Yes, {f.lay[0]}." if f.lay else "Yes.")
        else:  # absent, or not part of this case: the person does not have it
            parts.append(f"No, {say_denial(f.deny[0], pronouns)}." if f.deny else "No.")
    return PatientAnswer(" ".join(parts), tuple(found[:2]))


@dataclass
class Conversation:
    record_id: str
    messages: list[dict]
    gold: str
    decided: str | None
    questions: int
    understood: int
    red_flags_asked: int
    red_flags_in_gold: int
    error: str | None = None

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def converse(record: Record, reply_to: Callable[[list[dict]], tuple[str | None, str | None]], kb: KnowledgeBase,
             cues: Cues, max_turns: int = 12) -> Conversation:
    """One whole conversation: the record's system prompt and opening, then the model and the patient in turn."""
    messages = [{"role": m.role, "content": m.content} for m in record.messages[:2 if record.messages[0].role == "system" else 1]]
    gold_flags = {q.finding for q in record.gold.questions if q.red_flag}
    asked_flags: set[str] = set()
    questions = understood = 0
    for _ in range(max_turns + 1):
        text, error = reply_to(messages)
        if error is not None:
            return Conversation(record.id, messages, record.gold.disposition, None, questions, understood,
                                len(asked_flags), len(gold_flags), error)
        messages.append({"role": "assistant", "content": text})
        reading = read_reply(text, cues)
        if reading.act == "decide":
            return Conversation(record.id, messages, record.gold.disposition, reading.level, questions, understood,
                                len(asked_flags), len(gold_flags))
        if questions == max_turns:
            break
        questions += 1
        ans = answer(text, record, kb, cues)
        understood += bool(ans.findings)
        asked_flags |= set(ans.findings) & gold_flags
        messages.append({"role": "user", "content": ans.text})
    return Conversation(record.id, messages, record.gold.disposition, None, questions, understood,
                        len(asked_flags), len(gold_flags))


def summarise(convs: list[Conversation]) -> dict:
    """Disposition accuracy and triage errors over whole conversations, and how well the patient understood."""
    done = [c for c in convs if c.error is None]
    decided = [c for c in done if c.decided is not None]
    emergencies = [c for c in decided if c.gold.startswith("emergency")]

    def rate(xs, pred):
        return round(sum(1 for x in xs if pred(x)) / len(xs), 4) if xs else None

    q = sum(c.questions for c in done)
    flags = sum(c.red_flags_in_gold for c in decided)
    return {
        "conversations": len(convs), "errors": len(convs) - len(done),
        "no_decision_rate": rate(done, lambda c: c.decided is None),
        "disposition_accuracy": rate(decided, lambda c: c.decided == c.gold),
        "under_triage_rate": rate(decided, lambda c: RANK[c.decided] < RANK[c.gold]),
        "emergency_under_triage_rate": rate(emergencies, lambda c: RANK[c.decided] < RANK[c.gold]),
        "over_triage_rate": rate(decided, lambda c: RANK[c.decided] > RANK[c.gold]),
        "questions_per_conversation": round(q / len(done), 2) if done else None,
        "understood_rate": round(sum(c.understood for c in done) / q, 4) if q else None,
        "red_flag_coverage": round(sum(c.red_flags_asked for c in decided) / flags, 4) if flags else None,
    }


def matcher_self_check(records: Iterable[Record], kb: KnowledgeBase, cues: Cues) -> dict:
    """How often the patient maps scenegen's own gold questions back to their finding: as the patient does (the
    library's exact question wordings first), and by shared words alone (how it fares with a model's own words)."""
    from .reading import match_finding

    n = hit = words = 0
    for r in records:
        for q in r.gold.questions:
            text = r.messages[q.turn].content
            n += 1
            hit += q.finding in answer(text, r, kb, cues).findings
            last = [s for s in sentences(text) if s.rstrip().endswith("?")][-1:]
            words += bool(last) and match_finding(last[0], cues) == q.finding
    return {"questions": n, "mapped_to_their_finding": round(hit / n, 4) if n else None,
            "mapped_by_words_alone": round(words / n, 4) if n else None}


def simulate(records: list[Record], out: Path, reply_to: Callable[[list[dict]], tuple[str | None, str | None]],
             kb: KnowledgeBase, cues: Cues, *, max_turns: int = 12, concurrency: int = 4) -> list[Conversation]:
    """Hold every record's conversation not already in ``out`` (JSONL, one finished conversation per line, appended
    as each ends, so a stopped run resumes); return all conversations in the file and the new ones."""
    from .responses import read_jsonl_ids

    done = read_jsonl_ids(out, "record_id")
    todo = [r for r in records if r.id not in done]
    lock = threading.Lock()
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "ab") as fh, ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        futures = [pool.submit(converse, r, reply_to, kb, cues, max_turns) for r in todo]
        for fut in as_completed(futures):
            conv = fut.result()
            if conv.error is not None:
                continue  # not stored: asked again on the next run
            with lock:
                fh.write(orjson.dumps(conv.as_dict()) + b"\n")
                fh.flush()
    kept = {r.id for r in records}
    return [Conversation(**d) for d in done.values() if d["record_id"] in kept] + \
        [f.result() for f in futures]

