"""The inspect_ai task: `inspect eval` on a tasks file with any OpenAI-compatible model scores the replies by
scenegen's rules (run here against a local server that answers every turn with an ambulance). Inspect runs in its
own process, as a user runs it, so its event loop's leftovers never reach another test."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.test_evaluation import _Server

pytest.importorskip("inspect_ai")

_RUN = """
import json, sys
import inspect_ai
from scenegen.evaluation.inspect_task import scenegen_triage
log = inspect_ai.eval(scenegen_triage(tasks_file=sys.argv[1]), model="openai-api/mock/m", log_dir=sys.argv[2],
                      display="none")[0]
print(json.dumps({"status": log.status, "error": str(log.error) if log.error else None,
                  "accuracy": log.results.scores[0].metrics["accuracy"].value if log.results else None,
                  "ids": sorted(s.id for s in log.samples)}))
"""


def test_inspect_eval_scores_a_constant_ambulance_reply_by_the_gold(library, tmp_path):
    from scenegen.evaluation import build_tasks, write_tasks
    from scenegen.generate import GenerateConfig, Generator

    gen = Generator(library, GenerateConfig(seed=12))
    tasks = list(build_tasks((gen.record(i) for i in range(12)), at="decision"))
    path = tmp_path / "tasks.jsonl"
    write_tasks(tasks, path)
    server = _Server(lambda key, attempt: (200, "Please call 999 now for an ambulance.", 0))
    env = {**os.environ, "MOCK_BASE_URL": server.url, "MOCK_API_KEY": "x", "PYTHONWARNINGS": "ignore"}
    try:
        done = subprocess.run([sys.executable, "-c", _RUN, str(path), str(tmp_path / "logs")], env=env,
                              capture_output=True, text=True, timeout=600)
    finally:
        server.close()
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == "success", result["error"]
    expected = sum(t["expected"]["disposition"] == "emergency_ambulance" for t in tasks) / len(tasks)
    assert result["accuracy"] == pytest.approx(expected)
    assert result["ids"] == sorted(t["task_id"] for t in tasks)
