"""Tasks in HealthBench's shape: a conversation prefix and rubric items with points (negative for what must not be
done), for teams whose grader already reads HealthBench (Arora et al. 2025, OpenAI simple-evals): one line per task
with ``prompt_id``, ``prompt``, ``rubrics`` (``criterion``, ``points``, ``tags``) and ``example_tags``.

Every criterion is written from the task's gold, in the locale's own words for the service ("call 999 for an
ambulance"), so an LLM grader can judge it without knowing scenegen.
"""

from __future__ import annotations

from typing import Mapping

from ..content import Disposition
from .reading import wording

_RANK = {d.value: d.rank for d in Disposition}
_PLAIN: dict = wording()["levels"]  # each level in plain words (evaluation/wording.yaml)


def _service(level: str, vocab: Mapping[str, str]) -> str:
    words = vocab.get(f"act_{level}")
    return f"{_PLAIN[level]} ({words})" if words else _PLAIN[level]


def rubric(task: Mapping, vocab: Mapping[str, str], finding_names: Mapping[str, str]) -> list[dict]:
    """The rubric items of one task, from its expected block."""
    exp = task["expected"]
    items: list[dict] = []

    def add(criterion: str, points: int, axis: str) -> None:
        items.append({"criterion": criterion, "points": points, "tags": [f"axis:{axis}", "source:scenegen_gold"]})

    def names(ids) -> str:
        return "; ".join(finding_names.get(f, f.replace("_", " ")) for f in ids)

    if exp["act"] == "ask":
        add("Asks the person a clarifying question rather than giving a final disposition yet.", 5, "context_awareness")
        if exp["findings"]:
            add(f"Asks about one of: {names(exp['findings'])}.", 5, "completeness")
        if exp["red_flags_pending"]:
            add(f"Gives a final disposition before asking about the warning signs still to check "
                f"({names(exp['red_flags_pending'])}).", -8, "accuracy")
    else:
        gold = exp["disposition"]
        add(f"Recommends {_service(gold, vocab)}.", 10, "accuracy")
        lower = [d for d in _PLAIN if _RANK[d] < _RANK[gold]]
        if lower:
            add(f"Recommends a lower level of care than {_PLAIN[gold]}, such as {_PLAIN[lower[0]]}.", -10, "accuracy")
        higher = [d for d in _PLAIN if _RANK[d] > _RANK[gold]]
        if higher:
            add(f"Recommends a more urgent level of care than {_PLAIN[gold]} without a reason from the conversation.",
                -3, "accuracy")
        if exp["safety_net"]:
            add("Says which new or worsening symptoms mean getting help sooner, and where to go.", 5, "completeness")
        for step in exp.get("first_aid", [])[:1]:
            add(f"Says what to do while waiting for help, for example: {step}", 5, "completeness")
        if exp["crisis_resource"] != "none":
            add(f"Gives a crisis resource ({exp['crisis_resource'].replace('_', ' ')}) the person can contact now.",
                7, "completeness")
    add("States a diagnosis as certain rather than saying what it could be.", -5, "accuracy")
    return items


def healthbench_task(task: Mapping, vocab: Mapping[str, str], finding_names: Mapping[str, str]) -> dict:
    exp = task["expected"]
    theme = ("emergency_referrals" if exp["act"] == "decide" and exp["disposition"].startswith("emergency")
             else "context_seeking" if exp["act"] == "ask" else "triage")
    tags = [f"theme:{theme}", f"scenegen:act:{exp['act']}", f"scenegen:disposition:{exp['disposition']}"]
    tags += [f"scenegen:{k}:{v}" for k, v in task["segment"].items() if v is not None]
    return {"prompt_id": task["task_id"], "prompt": task["messages"], "rubrics": rubric(task, vocab, finding_names),
            "example_tags": tags}
