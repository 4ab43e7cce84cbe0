"""The inspect_ai task: `inspect eval` on a tasks file with any OpenAI-compatible model scores the replies by
scenegen's rules (run here against a local server that answers every turn with an ambulance)."""

from __future__ import annotations

import json

import pytest

from tests.test_evaluation import _Server

inspect_ai = pytest.importorskip("inspect_ai")


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning",
                            "ignore::pytest.PytestUnraisableExceptionWarning")  # inspect_ai's and its libraries'
def test_inspect_eval_scores_a_constant_ambulance_reply_by_the_gold(library, tmp_path, monkeypatch):
    from scenegen.evaluation import build_tasks, write_tasks
    from scenegen.evaluation.inspect_task import scenegen_triage
    from scenegen.generate import GenerateConfig, Generator

    gen = Generator(library, GenerateConfig(seed=12))
    tasks = list(build_tasks((gen.record(i) for i in range(12)), at="decision"))
    path = tmp_path / "tasks.jsonl"
    write_tasks(tasks, path)
    server = _Server(lambda key, attempt: (200, "Please call 999 now for an ambulance.", 0))
    monkeypatch.setenv("MOCK_BASE_URL", server.url)
    monkeypatch.setenv("MOCK_API_KEY", "x")
    try:
        logs = inspect_ai.eval(scenegen_triage(tasks_file=str(path)), model="openai-api/mock/m",
                               log_dir=str(tmp_path / "logs"), display="none")
    finally:
        server.close()
    log = logs[0]
    assert log.status == "success", log.error
    accuracy = log.results.scores[0].metrics["accuracy"].value
    expected = sum(t["expected"]["disposition"] == "emergency_ambulance" for t in tasks) / len(tasks)
    assert accuracy == pytest.approx(expected)
    assert {s.id for s in log.samples} == {json.loads(x)["task_id"] for x in path.read_text().splitlines()}
