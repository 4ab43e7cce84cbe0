"""Where replies come from: a responses file (``{task_id, content}`` per line), the dataset's own assistant messages
(``gold``), or any OpenAI-compatible chat-completions server, whose replies are appended to the responses file as
they arrive so that a stopped run resumes where it stopped and a rerun asks nothing again.

Timeouts, rate limits, connection and server errors are retried with exponential back-off; a task that still fails
is reported as an error and never scored (it is asked again on the next run).
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

import orjson

from ..errors import ScenegenError, UsageError


def read_responses(path: Path) -> dict[str, str]:
    """task_id -> reply, from a responses file (see :func:`read_jsonl_ids`)."""
    rows = read_jsonl_ids(path, "task_id", required={"content": str})
    return {k: v["content"] for k, v in rows.items()}


def read_jsonl_ids(path: Path, key: str, required: Mapping[str, type] | None = None) -> dict[str, dict]:
    """key -> row of a JSONL file that a run appends to. A torn last line (a run killed mid-write) is cut off the
    file, to be made again; any other bad line is an error naming its line."""
    path = Path(path)
    if not path.exists():
        return {}
    need = {key: str, **(required or {})}
    raw = path.read_bytes()
    out: dict[str, dict] = {}
    good_end = 0
    lines = raw.split(b"\n")
    for n, line in enumerate(lines, start=1):
        last = n == len(lines)
        if line.strip():
            try:
                obj = orjson.loads(line)
                if not isinstance(obj, dict) or any(not isinstance(obj.get(k), t) for k, t in need.items()):
                    raise ValueError("each line needs " + " and ".join(f"a {t.__name__} '{k}'" for k, t in need.items()))
            except (orjson.JSONDecodeError, ValueError) as exc:
                if last and not raw.endswith(b"\n"):
                    with open(path, "r+b") as fh:  # the write a killed run left half done
                        fh.truncate(good_end)
                    break
                raise ScenegenError(f"{path}:{n}: {exc}") from None
            out[obj[key]] = obj
        good_end += len(line) + (0 if last else 1)
    return out


def gold_replies(tasks: Iterable[Mapping]) -> dict[str, str]:
    """The dataset's own assistant message for each task: a perfect score is the check that the scorer reads the
    library's words right."""
    return {t["task_id"]: t["reference"] for t in tasks}


@dataclass
class EndpointRun:
    asked: int = 0
    answered: int = 0
    retries: int = 0
    errors: dict[str, str] = field(default_factory=dict)


#: what a failed request looks like to the retry loop: (retry it?, short reason)
Classify = Callable[[BaseException], tuple[bool, str]]


def _openai_client(url: str, api_key: str | None, timeout: float):
    try:
        import openai
    except ImportError:
        raise UsageError("--endpoint needs the OpenAI client: pip install 'scenegen[endpoint]'") from None
    client = openai.OpenAI(base_url=url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0)

    def classify(exc: BaseException) -> tuple[bool, str]:
        if isinstance(exc, openai.APITimeoutError):
            return True, "timeout"
        if isinstance(exc, openai.APIConnectionError):
            return True, f"connection error: {exc}"
        if isinstance(exc, openai.RateLimitError):
            return True, "rate limited (429)"
        if isinstance(exc, openai.APIStatusError):
            return exc.status_code >= 500 or exc.status_code == 408, f"HTTP {exc.status_code}: {exc.message}"
        return False, f"{type(exc).__name__}: {exc}"

    return client, classify


def chat(client, classify: Classify, model: str, messages: list[Mapping], *, max_attempts: int = 5,
         backoff: float = 1.0, temperature: float | None = 0.0) -> tuple[str | None, str | None, int]:
    """One chat completion: (reply, None, retries) or (None, why it failed, retries), retrying what can pass."""
    retries = 0
    for attempt in range(max_attempts):
        try:
            kwargs = {"model": model, "messages": list(messages)}
            if temperature is not None:
                kwargs["temperature"] = temperature
            resp = client.chat.completions.create(**kwargs)
            content = resp.choices[0].message.content if resp.choices else None
            if content is None:
                return None, "the server returned no message content", retries
            return content, None, retries
        except Exception as exc:  # noqa: BLE001 - classified below; nothing else escapes
            retry, why = classify(exc)
            if not retry or attempt == max_attempts - 1:
                return None, why, retries
            retries += 1
            time.sleep(min(backoff * 2 ** attempt, 30.0))
    return None, "no attempt made", retries  # pragma: no cover - max_attempts >= 1


def openai_client(url: str, api_key: str | None, timeout: float):
    """An OpenAI-compatible client with no retries of its own, and how to classify its errors."""
    return _openai_client(url, api_key, timeout)


def ask_endpoint(tasks: list[Mapping], responses_path: Path, url: str, model: str, *, api_key: str | None = None,
                 concurrency: int = 4, timeout: float = 60.0, max_attempts: int = 5, backoff: float = 1.0,
                 temperature: float | None = 0.0, progress: Callable[[int], None] | None = None) -> EndpointRun:
    """Ask the server for every task without a stored reply; append each reply as it arrives."""
    client, classify = _openai_client(url, api_key, timeout)
    done = read_responses(responses_path)
    todo = [t for t in tasks if t["task_id"] not in done]
    run = EndpointRun(asked=len(todo))
    responses_path.parent.mkdir(parents=True, exist_ok=True)

    def one(task: Mapping) -> tuple[str, str | None, str | None, int]:
        content, error, retries = chat(client, classify, model, task["messages"], max_attempts=max_attempts,
                                       backoff=backoff, temperature=temperature)
        return task["task_id"], content, error, retries

    try:
        _ask_all(todo, one, responses_path, model, run, concurrency, progress)
    finally:
        client.close()  # its connection pool, so no socket outlives the run
    return run


def _ask_all(todo: list[Mapping], one: Callable, responses_path: Path, model: str, run: EndpointRun,
             concurrency: int, progress: Callable[[int], None] | None) -> None:
    """Run `one` over the tasks on a thread pool, appending each reply durably as it arrives."""
    lock = threading.Lock()
    with open(responses_path, "ab") as fh, ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        futures = [pool.submit(one, t) for t in todo]
        for fut in as_completed(futures):
            task_id, content, error, retries = fut.result()
            with lock:
                run.retries += retries
                if error is not None:
                    run.errors[task_id] = error
                else:
                    fh.write(orjson.dumps({"task_id": task_id, "content": content, "model": model}) + b"\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                    run.answered += 1
                if progress:
                    progress(1)
