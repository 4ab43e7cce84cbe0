"""scenegen tasks as an inspect_ai task, for teams that run their evaluations with Inspect
(``pip install 'scenegen[inspect]'``):

    scenegen tasks data/test.jsonl --out tasks.jsonl
    inspect eval scenegen/scenegen_triage -T tasks_file=tasks.jsonl --model openai/gpt-4o-mini

Each task is one sample (the conversation up to an assistant turn); the model's reply is read by the same rules
as ``scenegen eval``. A sample is correct when the reply asks where the gold asks (and does not decide with a red
flag pending) or decides at the gold's level where the gold decides; the score's metadata carries every metric of
``scenegen eval`` that applies, and ``scenegen eval`` on the stored replies gives the full report with intervals.
"""

from __future__ import annotations

from functools import lru_cache

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageUser
from inspect_ai.scorer import CORRECT, INCORRECT, Score, Target, accuracy, scorer, stderr
from inspect_ai.solver import TaskState, generate

_ROLES = {"system": ChatMessageSystem, "user": ChatMessageUser, "assistant": ChatMessageAssistant}


@lru_cache(maxsize=4)
def _cues(library: str | None):
    from scenegen.load import load_knowledge_base, resolve_library
    from scenegen.evaluation.reading import build_cues

    return build_cues(load_knowledge_base(library), resolve_library(library))


def _sample(row: dict) -> Sample:
    exp = row["expected"]
    return Sample(input=[_ROLES[m["role"]](content=m["content"]) for m in row["messages"]],
                  target=exp["disposition"] if exp["act"] == "decide" else "ask", id=row["task_id"],
                  metadata={"task": row})


@scorer(metrics=[accuracy(), stderr()])
def triage_rules(library: str | None = None):
    """scenegen's rule-based reading of the reply against the task's gold."""
    from scenegen.evaluation.metrics import score_task

    async def score(state: TaskState, target: Target) -> Score:
        row = state.metadata["task"]
        s = score_task(row, state.output.completion, _cues(library))
        v = s.values
        if row["expected"]["act"] == "decide":
            ok = v["disposition_accuracy"] == 1
        else:
            ok = v["ask_decide_accuracy"] == 1 and v["premature_decision_rate"] != 1
        return Score(value=CORRECT if ok else INCORRECT, answer=s.reading.level or s.reading.act,
                     explanation=f"read as {s.reading.act}" + (f" at {s.reading.level}" if s.reading.level else ""),
                     metadata={k: x for k, x in v.items() if x is not None})

    return score


@task
def scenegen_triage(tasks_file: str, library: str | None = None) -> Task:
    """The tasks of a `scenegen tasks` file, scored by scenegen's rules."""
    from pathlib import Path

    from scenegen.evaluation import load_tasks

    return Task(dataset=MemoryDataset([_sample(r) for r in load_tasks(Path(tasks_file))], name="scenegen"),
                solver=generate(), scorer=triage_rules(library))
