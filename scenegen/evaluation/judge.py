"""An optional LLM judge (``eval --judge URL --judge-model NAME``) for what the rules cannot read.

The judge sees the conversation and the reply and answers, as JSON, whether the reply asks or decides and at which
level. It reads every reply the rules left unparsed (those are then scored on the judge's reading, and counted as
judged), and a fixed sample of the replies the rules did read, so the report can say how often rules and judge
agree. A judge reply that is not the JSON asked for is counted, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Mapping

import orjson

from .metrics import Scored, score_task
from .reading import LEVELS, Cues, Reading, wording

JUDGE_PROMPT: str = wording()["judge_prompt"]  # evaluation/wording.yaml

_JSON = re.compile(r"\{.*\}", re.S)


def judge_prompt(task: Mapping, reply: str) -> list[dict]:
    convo = "\n".join(f"{m['role'].upper()}: {m['content']}" for m in task["messages"] if m["role"] != "system")
    return [{"role": "system", "content": JUDGE_PROMPT},
            {"role": "user", "content": f"CONVERSATION:\n{convo}\n\nREPLY TO GRADE:\n{reply}"}]


def parse_verdict(text: str | None) -> tuple[str, str | None] | None:
    """(act, level) from the judge's reply, or None when it is not the JSON asked for."""
    m = _JSON.search(text or "")
    if not m:
        return None
    try:
        obj = orjson.loads(m.group(0))
    except orjson.JSONDecodeError:
        return None
    act, level = obj.get("act"), obj.get("level")
    if act == "ask" and level in (None, "null"):
        return "ask", None
    if act == "decide" and level in LEVELS:
        return "decide", level
    return None


def judge_scores(tasks: Mapping[str, Mapping], scored: list[Scored], replies: Mapping[str, str], cues: Cues,
                 ask: Callable[[list[dict]], str | None], sample_every: int = 10) -> tuple[list[Scored], dict]:
    """Re-score unparsed replies on the judge's reading; judge every ``sample_every``-th parsed reply to measure
    agreement. Returns the scores and the judge block of the report."""
    out, agree, compared, judged, unusable = [], 0, 0, 0, 0
    for k, s in enumerate(scored):
        unparsed = s.reading.act == "unparsed"
        if not unparsed and k % sample_every:
            out.append(s)
            continue
        verdict = parse_verdict(ask(judge_prompt(tasks[s.task_id], replies[s.task_id])))
        if verdict is None:
            unusable += 1
            out.append(s)
            continue
        act, level = verdict
        if unparsed:
            judged += 1
            reading = replace(s.reading, act=act, level=level)
            out.append(score_task(tasks[s.task_id], replies[s.task_id], cues, reading=reading))
        else:
            compared += 1
            agree += (act, level if act == "decide" else None) == (s.reading.act, s.reading.level if s.reading.act == "decide" else None)
            out.append(s)
    return out, {"judged_unparsed": judged, "compared_with_rules": compared,
                 "agreement_with_rules": round(agree / compared, 4) if compared else None,
                 "unusable_judge_replies": unusable}


__all__ = ["JUDGE_PROMPT", "Reading", "judge_prompt", "judge_scores", "parse_verdict"]
