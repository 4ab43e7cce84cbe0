"""Scoring models against the gold: tasks from records, replies from a file, the gold or a server, rule-based
reading of each reply, and a report with bootstrap intervals by segment (``scenegen tasks`` / ``scenegen eval``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import orjson

from ..errors import ScenegenError
from ..files import read_records
from ..knowledge import KnowledgeBase
from ..records import Record
from .metrics import METRICS, report, score_all
from .reading import Cues, build_cues, read_reply
from .responses import ask_endpoint, gold_replies, read_responses
from .tasks import build_tasks, record_tasks

__all__ = ["METRICS", "Cues", "ask_endpoint", "build_cues", "build_tasks", "evaluate", "gold_replies", "load_records",
           "load_tasks", "read_reply", "read_responses", "record_tasks", "write_tasks"]


def load_records(paths: Iterable[Path]) -> Iterator[Record]:
    """The records of dataset files, each checked against the schema; a bad one is named by file and line."""
    for path in paths:
        for lineno, obj, error in read_records(Path(path)):
            if error:
                raise ScenegenError(f"{path}:{lineno}: {error}")
            try:
                yield Record.model_validate(obj)
            except ValueError as exc:
                first = str(exc).splitlines()[:3]
                raise ScenegenError(f"{path}:{lineno}: not a scenegen record: {' '.join(first)}") from None


def write_tasks(tasks: Iterable[Mapping], out: Path) -> int:
    """Write tasks as JSONL, all or nothing (a temporary file renamed into place)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    n = 0
    try:
        with open(part, "wb") as fh:
            for t in tasks:
                fh.write(orjson.dumps(t) + b"\n")
                n += 1
        os.replace(part, out)
    finally:
        if part.exists():
            part.unlink()
    return n


_TASK_KEYS = ("task_id", "record_id", "turn", "messages", "expected", "segment")


def load_tasks(path: Path) -> list[dict]:
    tasks = []
    for lineno, obj, error in read_records(Path(path)):
        if error:
            raise ScenegenError(f"{path}:{lineno}: {error}")
        missing = [k for k in _TASK_KEYS if not isinstance(obj, dict) or k not in obj]
        if missing:
            raise ScenegenError(f"{path}:{lineno}: not a scenegen task (missing {', '.join(missing)}); "
                                "make tasks with `scenegen tasks DATA.jsonl --out TASKS.jsonl`")
        tasks.append(obj)
    if not tasks:
        raise ScenegenError(f"{path}: no tasks in the file")
    return tasks


def evaluate(tasks: list[Mapping], replies: Mapping[str, str], kb: KnowledgeBase, library: Path | None,
             seed: int = 0, n_boot: int = 1000, judge: Callable[[list[dict]], str | None] | None = None,
             progress: Callable[[int], None] | None = None) -> dict:
    """Score every task that has a reply and summarise; tasks without one are counted as missing. ``judge`` (a
    chat function) reads what the rules cannot, and a sample of what they can, to report their agreement."""
    cues = build_cues(kb, library)
    scored, missing = score_all(tasks, replies, cues, progress)
    judged = None
    if judge is not None:
        from .judge import judge_scores

        scored, judged = judge_scores({t["task_id"]: t for t in tasks}, scored, replies, cues, judge)
    out = report(scored, seed=seed, n_boot=n_boot)
    out["missing"] = len(missing)
    if judged is not None:
        out["judge"] = judged
    return out
