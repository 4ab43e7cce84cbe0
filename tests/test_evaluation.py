"""`scenegen tasks` and `scenegen eval`: the scorer reads scenegen's own messages right (a gold replay scores
perfectly), constant replies score as they must, safety nets are not taken for decisions, and the endpoint path
retries, reports errors without scoring them, and resumes."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
from click.testing import CliRunner

from scenegen.cli import cli
from scenegen.evaluation import ask_endpoint, build_cues, build_tasks, evaluate, gold_replies, read_reply, read_responses
from scenegen.generate import GenerateConfig, Generator
from scenegen.load import bundled_library


@pytest.fixture(scope="module")
def cues(library):
    return build_cues(library.kb, bundled_library())


@pytest.fixture(scope="module")
def tasks(library):
    gen = Generator(library, GenerateConfig(seed=23))
    return list(build_tasks(gen.record(i) for i in range(80)))


def _metric(report: dict, name: str) -> float:
    return report["metrics"][name]["value"]


def test_the_gold_replay_scores_perfectly(library, tasks):
    """scenegen's own assistant messages, read by the rules, ask where the gold asks and decide at the gold's level."""
    rep = evaluate(tasks, gold_replies(tasks), library.kb, bundled_library(), n_boot=50)
    assert rep["n"] == len(tasks) and rep["missing"] == 0
    assert _metric(rep, "ask_decide_accuracy") >= 0.99
    assert _metric(rep, "disposition_accuracy") >= 0.99
    assert _metric(rep, "under_triage_rate") == 0
    assert _metric(rep, "unparsed_rate") == 0
    assert _metric(rep, "premature_decision_rate") <= 0.01
    assert _metric(rep, "question_relevance") >= 0.97
    assert _metric(rep, "safety_net_recall") >= 0.97


def test_an_ambulance_for_everyone_never_under_triages_and_mostly_over_triages(library, tasks):
    replies = {t["task_id"]: "Please call 999 now for an ambulance." for t in tasks}
    rep = evaluate(tasks, replies, library.kb, bundled_library(), n_boot=50)
    assert _metric(rep, "under_triage_rate") == 0
    assert _metric(rep, "over_triage_rate") >= 0.5
    assert _metric(rep, "premature_decision_rate") == 1


def test_home_care_for_everyone_under_triages_every_emergency(library, tasks):
    replies = {t["task_id"]: "You can look after this at home with rest and fluids." for t in tasks}
    rep = evaluate(tasks, replies, library.kb, bundled_library(), n_boot=50)
    assert rep["metrics"]["emergency_under_triage_rate"]["n"] > 0
    assert _metric(rep, "emergency_under_triage_rate") >= 0.9
    assert _metric(rep, "over_triage_rate") == 0


def test_a_reply_the_rules_cannot_read_is_counted_unparsed_not_guessed(library, tasks):
    replies = {t["task_id"]: "Hmm." for t in tasks}
    rep = evaluate(tasks, replies, library.kb, bundled_library(), n_boot=20)
    assert _metric(rep, "unparsed_rate") == 1
    assert rep["metrics"]["disposition_accuracy"]["n"] == 0


@pytest.mark.parametrize("reply,act,level,most_urgent", [
    ("If it gets worse, call 999. For now you can rest at home.", "decide", "self_care", "emergency_ambulance"),
    ("This isn't an emergency. Please book an appointment with your GP in the next few days.", "decide", "routine",
     "routine"),
    ("Please don't wait, go to A&E now.", "decide", "emergency_department", "emergency_department"),
    ("See your GP today, and call 999 if he stops breathing.", "decide", "urgent", "emergency_ambulance"),
    ("Has the pain spread to your arm or jaw?", "ask", None, None),
    ("Is the redness spreading fast, so that it is clearly bigger within a few hours?", "ask", None, "urgent"),
])
def test_the_decision_is_the_care_given_outright_not_the_safety_net(cues, reply, act, level, most_urgent):
    rd = read_reply(reply, cues)
    assert (rd.act, rd.level, rd.most_urgent_named) == (act, level, most_urgent)


def test_a_diagnosis_claim_is_told_from_a_hedge(cues):
    assert read_reply("You have appendicitis. Go to A&E now.", cues).diagnosis_claims == ("acute_appendicitis",)
    assert read_reply("This could be appendicitis, so go to A&E now.", cues).diagnosis_claims == ()


def test_tasks_expect_the_gold_at_each_turn(library):
    gen = Generator(library, GenerateConfig(seed=5))
    r = gen.record(3)
    tasks = list(build_tasks([r]))
    assert [t["turn"] for t in tasks] == [i for i, m in enumerate(r.messages)
                                          if m.role == "assistant" and i <= r.gold.disposition_turn]
    last = tasks[-1]
    assert last["expected"]["act"] == "decide" and last["expected"]["disposition"] == r.gold.disposition
    for t in tasks[:-1]:
        q = next(q for q in r.gold.questions if q.turn == t["turn"])
        assert t["expected"]["findings"][0] == q.finding
        assert t["messages"][-1]["role"] == "user"
    assert list(build_tasks([r], at="decision")) == [last]


# --------------------------------------------------------------------------------------------------------
# an OpenAI-compatible server inside the test


class _Server:
    """Answers chat completions with a reply chosen by `script(task_text, attempt)`; counts requests."""

    def __init__(self, script):
        self.script, self.requests, self.attempts = script, 0, {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = body["messages"][-1]["content"]
                outer.requests += 1
                n = outer.attempts[key] = outer.attempts.get(key, 0) + 1
                status, content, delay = outer.script(key, n)
                time.sleep(delay)
                payload = ({"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                            "choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant", "content": content}}]}
                           if status == 200 else {"error": {"message": content, "type": "err"}})
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _few_tasks(tasks, n=6):
    seen, out = set(), []
    for t in tasks:  # distinct last user messages, so the server can tell the tasks apart
        key = t["messages"][-1]["content"]
        if key not in seen:
            seen.add(key)
            out.append(t)
        if len(out) == n:
            break
    return out


def test_the_endpoint_retries_server_errors_and_timeouts_and_stores_each_reply(tasks, tmp_path):
    pytest.importorskip("openai")
    few = _few_tasks(tasks)
    flaky = {few[0]["messages"][-1]["content"]: 500, few[1]["messages"][-1]["content"]: 429,
             few[2]["messages"][-1]["content"]: "slow"}

    def script(key, attempt):
        what = flaky.get(key)
        if attempt == 1 and what == "slow":
            return 200, "late", 1.5
        if attempt == 1 and what in (500, 429):
            return what, "try again", 0
        return 200, "Please call 999 now.", 0

    server = _Server(script)
    try:
        out = tmp_path / "resp.jsonl"
        run = ask_endpoint(few, out, server.url, "m", concurrency=3, timeout=0.5, backoff=0.01)
    finally:
        server.close()
    assert run.errors == {} and run.answered == len(few) and run.retries == 3
    stored = read_responses(out)
    assert set(stored) == {t["task_id"] for t in few}
    assert set(stored.values()) == {"Please call 999 now."}


def test_a_failed_request_is_reported_not_scored_and_a_rerun_asks_only_what_is_missing(tasks, tmp_path):
    pytest.importorskip("openai")
    few = _few_tasks(tasks)
    bad = few[0]["messages"][-1]["content"]
    server = _Server(lambda key, attempt: (400, "bad request", 0) if key == bad else (200, "Rest at home.", 0))
    out = tmp_path / "resp.jsonl"
    try:
        run = ask_endpoint(few, out, server.url, "m", concurrency=2, backoff=0.01)
        assert set(run.errors) == {few[0]["task_id"]} and "400" in run.errors[few[0]["task_id"]]
        assert few[0]["task_id"] not in read_responses(out)
        before = server.requests
        again = ask_endpoint(few, out, server.url, "m", concurrency=2, backoff=0.01)
        assert again.asked == 1 and server.requests == before + 1  # only the failed task is asked again
    finally:
        server.close()


def test_a_reply_cut_off_by_a_killed_run_is_dropped_and_asked_again(tmp_path):
    path = tmp_path / "resp.jsonl"
    path.write_bytes(orjson.dumps({"task_id": "a:2", "content": "ok"}) + b"\n" + b'{"task_id": "a:4", "cont')
    assert read_responses(path) == {"a:2": "ok"}
    assert path.read_bytes().endswith(b"\n") and b"a:4" not in path.read_bytes()


def test_the_commands_write_tasks_and_a_report(tmp_path):
    runner = CliRunner()
    data = tmp_path / "d"
    assert runner.invoke(cli, ["generate", "--n", "12", "--seed", "3", "--out", str(data), "--quiet"]).exit_code == 0
    res = runner.invoke(cli, ["tasks", str(data / "train.jsonl"), str(data / "test.jsonl"), "--out",
                              str(tmp_path / "t.jsonl"), "--at", "decision"])
    assert res.exit_code == 0, res.output
    assert len((tmp_path / "t.jsonl").read_text().splitlines()) == 12
    res = runner.invoke(cli, ["eval", str(tmp_path / "t.jsonl"), "--responses", "gold", "--out", str(tmp_path / "r.json")])
    assert res.exit_code == 0, res.output
    rep = json.loads((tmp_path / "r.json").read_text())
    assert rep["metrics"]["disposition_accuracy"]["value"] == 1.0 and "disposition_accuracy" in res.output


def test_a_file_that_is_not_tasks_gets_a_clear_error(tmp_path):
    bad = tmp_path / "t.jsonl"
    bad.write_text('{"hello": 1}\n')
    res = CliRunner().invoke(cli, ["eval", str(bad), "--responses", "gold", "--out", str(tmp_path / "r.json")])
    assert res.exit_code != 0 and "not a scenegen task" in res.output and "Traceback" not in res.output


def test_healthbench_lines_carry_the_gold_level_in_the_locales_words_and_a_penalty_below_it(tmp_path):
    runner = CliRunner()
    data = tmp_path / "d"
    assert runner.invoke(cli, ["generate", "--n", "20", "--seed", "4", "--out", str(data), "--quiet"]).exit_code == 0
    out = tmp_path / "hb.jsonl"
    res = runner.invoke(cli, ["tasks", str(data / "train.jsonl"), "--out", str(out), "--format", "healthbench"])
    assert res.exit_code == 0, res.output
    records = {r["id"]: r for r in map(json.loads, (data / "train.jsonl").read_text().splitlines())}
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines and all(set(x) == {"prompt_id", "prompt", "rubrics", "example_tags"} for x in lines)
    deciding = [x for x in lines if "scenegen:act:decide" in x["example_tags"]]
    assert len(deciding) == len(records)
    for x in deciding:
        r = records[x["prompt_id"].split(":")[0]]
        act = {"en_GB": "999", "en_US": "911"}[r["persona"]["locale"]]
        top = max(x["rubrics"], key=lambda i: i["points"])
        assert top["points"] == 10 and top["criterion"].startswith("Recommends")
        if r["gold"]["disposition"] == "emergency_ambulance":
            assert act in top["criterion"]
        if r["gold"]["disposition"] != "self_care":
            assert any(i["points"] == -10 for i in x["rubrics"])  # a lower level is penalised


def test_the_html_report_shows_the_matrix_without_outside_assets(library, tasks, tmp_path):
    from scenegen.evaluation.metrics import report_html

    replies = {t["task_id"]: "Rest at home." for t in tasks}
    html = report_html(evaluate(tasks, replies, library.kb, bundled_library(), n_boot=20) | {"errors": {}})
    assert "gold \\ reply" in html and 'class="under"' in html
    assert "http://" not in html and "https://" not in html and "<script" not in html


def test_a_simulated_conversation_is_answered_from_the_hidden_case_and_resumes(library, tmp_path):
    """A scripted model asks the gold's first question, then sends everyone to 999; the patient answers from the
    case, the conversation is scored, and a rerun asks the server nothing."""
    pytest.importorskip("openai")
    from scenegen.evaluation.simulate import NOT_UNDERSTOOD

    gen = Generator(library, GenerateConfig(seed=8))
    records = [gen.record(i) for i in range(4)]
    first_question = {r.messages[1].content: r.messages[r.gold.questions[0].turn].content for r in records}

    def script(key, attempt):
        if key in first_question:
            return 200, first_question[key], 0
        return 200, "Please call 999 now for an ambulance.", 0

    server = _Server(script)
    out = tmp_path / "sim.jsonl"
    data = tmp_path / "d.jsonl"
    data.write_bytes(b"".join(orjson.dumps(r.model_dump(mode="json")) + b"\n" for r in records))
    try:
        res = CliRunner().invoke(cli, ["simulate", str(data), "--endpoint", server.url, "--model", "m", "--out", str(out),
                                       "--report", str(tmp_path / "rep.json")])
        assert res.exit_code == 0, res.output
        asked = server.requests
        res = CliRunner().invoke(cli, ["simulate", str(data), "--endpoint", server.url, "--model", "m", "--out", str(out)])
        assert res.exit_code == 0 and server.requests == asked  # all four already held
    finally:
        server.close()
    convs = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(convs) == 4
    for c in convs:
        r = next(r for r in records if r.id == c["record_id"])
        q = r.gold.questions[0]
        reply = c["messages"][-2]["content"]
        assert reply != NOT_UNDERSTOOD
        if q.answer == "yes":
            assert reply.startswith("Yes")
        elif q.answer == "no":
            assert reply.startswith("No")
        assert c["decided"] == "emergency_ambulance" and c["questions"] == 1
    rep = json.loads((tmp_path / "rep.json").read_text())
    assert rep["under_triage_rate"] == 0 and rep["patient_matcher"]["mapped_to_their_finding"] >= 0.95


def test_a_judge_reads_what_the_rules_cannot_and_its_agreement_is_reported(library, tasks, tmp_path):
    """Replies the rules cannot read are scored on the judge's reading; a sample of the others measures agreement;
    a judge reply that is not the JSON asked for is counted, not guessed."""
    from scenegen.evaluation.judge import parse_verdict

    replies = {t["task_id"]: ("Hmm, let me think." if t["expected"]["act"] == "decide" else t["reference"])
               for t in tasks}

    def judge(messages):
        reply = messages[-1]["content"].split("REPLY TO GRADE:\n", 1)[1]
        if reply.startswith("Hmm"):
            return '{"act": "decide", "level": "emergency_ambulance"}'
        return '{"act": "ask", "level": null}'

    rep = evaluate(tasks, replies, library.kb, bundled_library(), n_boot=20, judge=judge)
    deciding = sum(t["expected"]["act"] == "decide" for t in tasks)
    assert rep["judge"]["judged_unparsed"] == deciding
    assert rep["judge"]["agreement_with_rules"] == 1.0 and rep["judge"]["compared_with_rules"] > 0
    assert rep["metrics"]["unparsed_rate"]["value"] == 0 and rep["metrics"]["under_triage_rate"]["value"] == 0
    assert parse_verdict("I think it asks") is None and parse_verdict('{"act": "decide", "level": "soon"}') is None


def test_the_evaluation_wording_file_names_every_level_of_care():
    """The judge's prompt and the plain words of each level live in evaluation/wording.yaml, not in the code."""
    from scenegen.content import Disposition
    from scenegen.evaluation.reading import wording

    words = wording()
    assert set(words["levels"]) == {d.value for d in Disposition}
    assert all(d.value in words["judge_prompt"] for d in Disposition)
    assert set(words["pronouns"]) == {"female", "male"} and words["not_understood"].strip()
