"""The review loop's data and figures: a review is validated like a record (a verdict must match the levels it
names), appends from many writers at once all land whole, a bad line is named, the report's agreement,
under-/over-triage, override rate and Cohen's kappa are what a hand count gives, flags are traced to the
library entries that made the turn, and the page's API samples, saves and guards as it says."""

from __future__ import annotations

import multiprocessing as mp
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from scenegen.cli import cli
from scenegen.review.dataset import Dataset
from scenegen.review.report import cohen_kappa, entries_behind, report_html, report_text, summarise
from scenegen.review.server import ReviewSession, make_server
from scenegen.review.store import ReviewError, append_review, parse_review, read_reviews

SAMPLE = Path(__file__).parent.parent / "examples" / "sample"
LIB = {"content_sha256": "a" * 64}


def _review(reviewer: str, rid: str, gold: str, level: str | None = None, **judgement) -> dict:
    if level is not None:
        order = ["self_care", "routine", "urgent", "emergency_department", "emergency_ambulance"]
        g, m = order.index(gold), order.index(level)
        judgement.update(reviewer_disposition=level, disposition="agree" if g == m else "too_high" if g > m else "too_low")
    return {"reviewer": reviewer, "time": "2026-12-07T10:00:00Z", "record_id": rid, "gold_disposition": gold,
            "library": LIB, "scenegen_version": "0.1.0", "judgement": judgement}


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    return folder


@pytest.mark.parametrize("judgement, message", [
    ({"disposition": "too_high", "reviewer_disposition": "emergency_ambulance"}, "is 'too_low', not 'too_high'"),
    ({"disposition": "too_low"}, "needs the level the reviewer would give"),
    ({}, "must judge the disposition, flag a turn, comment"),
    ({"no_issue": True, "turns": [{"turn": 2, "flags": ["unnatural_wording"]}]}, "'no issue' cannot come with"),
    ({"turns": [{"turn": 2, "flags": ["missing_question"]}]}, "missing_question needs the question"),
    ({"turns": [{"turn": 2, "flags": ["rude"]}]}, "judgement.turns.0.flags.0"),
    ({"disposition": "agree", "surprise": 1}, "judgement.surprise"),
])
def test_a_review_that_does_not_hold_together_is_refused_naming_what_is_wrong(judgement, message):
    data = _review("ann", "scn-1-00000001", "urgent", **judgement)
    with pytest.raises(ReviewError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_review(data)


def test_a_verdict_follows_from_the_levels():
    assert parse_review(_review("ann", "x", "urgent", "emergency_ambulance")).judgement.disposition == "too_low"
    assert parse_review(_review("ann", "x", "urgent", "self_care")).judgement.disposition == "too_high"
    assert parse_review(_review("ann", "x", "urgent", "urgent")).judgement.disposition == "agree"


def _writer(path: str, who: str, n: int) -> None:
    for i in range(n):
        append_review(Path(path), parse_review(_review(who, f"scn-1-{i:08d}", "urgent", "routine",
                                                        comment="x" * (i % 50) * 40)))


def test_reviews_appended_by_several_processes_at_once_all_land_whole(tmp_path):
    path = tmp_path / "reviews.jsonl"
    ctx = mp.get_context("fork")
    writers = [ctx.Process(target=_writer, args=(str(path), f"r{k}", 150)) for k in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
        assert w.exitcode == 0
    reviews = list(read_reviews(path))
    assert len(reviews) == 600
    assert {(r.reviewer, r.record_id) for r in reviews} == {(f"r{k}", f"scn-1-{i:08d}") for k in range(4) for i in range(150)}


def test_a_bad_line_in_a_reviews_file_is_named_with_its_line_number(tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_bytes(orjson.dumps(_review("ann", "x", "urgent", "urgent")) + b"\n{not json\n")
    with pytest.raises(ReviewError, match=r"reviews.jsonl:2: not JSON"):
        list(read_reviews(path))
    path.write_bytes(orjson.dumps(_review("ann", "x", "urgent", "urgent")) + b"\n"
                     + orjson.dumps(_review("", "x", "urgent", "urgent")) + b"\n")
    with pytest.raises(ReviewError, match=r"reviews.jsonl:2: reviewer"):
        list(read_reviews(path))


@pytest.mark.parametrize("pairs, kappa", [
    ([("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15, 0.4),  # po .7, pe .5
    ([("a", "a"), ("b", "b"), ("c", "c")], 1.0),
    ([("a", "b"), ("b", "a")], -1.0),
    ([("a", "a"), ("a", "a")], None),  # one label throughout: agreement beyond chance is undefined
    ([], None),
])
def test_cohen_kappa_is_the_textbook_figure(pairs, kappa):
    got = cohen_kappa(pairs)
    assert got == kappa if kappa is None else got == pytest.approx(kappa)


def test_the_report_counts_agreement_triage_errors_overrides_and_kappa_as_a_hand_count_does():
    # two reviewers, four records; ann's first review of r1 is replaced by her second
    reviews = [parse_review(r) for r in [
        _review("ann", "r1", "urgent", "routine"),
        _review("ann", "r1", "urgent", "urgent"),
        _review("ann", "r2", "routine", "urgent"),                # gold too low: under-triage
        _review("ann", "r3", "emergency_department", "urgent"),   # gold too high
        _review("bob", "r1", "urgent", "urgent"),
        _review("bob", "r2", "routine", "urgent"),
        _review("bob", "r3", "emergency_department", "emergency_department"),
        _review("bob", "r4", "self_care", no_issue=True),         # reviewed, disposition not judged
    ]]
    s = summarise(reviews)
    d = s["disposition"]
    assert (s["reviews"], s["records_reviewed"], s["no_issue"]) == (7, 4, 1)
    assert d["judged"] == 6
    assert d["agree"] == pytest.approx(round(3 / 6, 4))
    assert d["under_triage"] == pytest.approx(round(2 / 6, 4)) and d["over_triage"] == pytest.approx(round(1 / 6, 4))
    assert (d["records_overridden"], d["records_judged"]) == (2, 3)  # r2 (both), r3 (ann)
    # ann/bob on r1, r2, r3: (urgent, urgent), (urgent, urgent), (urgent, emergency_department)
    [pair] = s["inter_rater"]
    assert pair["records"] == 3 and pair["agreement"] == pytest.approx(round(2 / 3, 4))
    assert pair["kappa"] == pytest.approx(round(cohen_kappa([("u", "u"), ("u", "u"), ("u", "e")]), 4))
    text = report_text(s)
    assert "under-triage (gold too low) 33.3 %" in text and "override rate: 66.7 % (2 of 3 records" in text
    assert "<svg" in report_html(s)


def test_flags_are_traced_to_the_templates_findings_and_condition_that_made_the_turn():
    dataset = Dataset(SAMPLE)
    rid = dataset.order[0]
    record = dataset.record(rid)
    turn = next(i for i, t in enumerate(record["turns"]) if t["act"].startswith("answer") and t.get("finding"))
    review = parse_review(_review("ann", rid, record["gold"]["disposition"],
                                  turns=[{"turn": turn, "flags": ["unnatural_wording", "contradicts_case"]}]))
    got = set(entries_behind(review, record))
    t = record["turns"][turn]
    assert {("template", name, "unnatural_wording") for name in t["templates"]} <= got
    assert ("lay phrasing", t["finding"], "unnatural_wording") in got
    assert ("finding", t["finding"], "contradicts_case") in got
    assert ("condition", record["case"]["condition"], "contradicts_case") in got


def test_sampling_gives_unreviewed_records_and_the_least_reviewed_stratum(data):
    session = ReviewSession(data, "ann")
    first = session.next_id("unreviewed", "disposition", None)
    assert first == session.dataset.order[0]
    session.save({"record_id": first, "judgement": {"no_issue": True}})
    assert session.next_id("unreviewed", "disposition", first) == session.dataset.order[1]
    e = session.dataset.entries
    pick = session.next_id("stratified", "disposition", first)
    assert e[pick].disposition != e[first].disposition  # a stratum not yet reviewed comes first
    assert session.next_id("random", "disposition", first) == session.next_id("random", "disposition", first)
    for rid in session.dataset.order:
        if rid not in session.mine:
            session.save({"record_id": rid, "judgement": {"no_issue": True}})
    assert session.next_id("random", "complaint", None) is None
    again = ReviewSession(data, "ann")  # what was saved is read back
    assert len(again.mine) == len(session.dataset.order)


def _call(url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=None if body is None else orjson.dumps(body),
                                 headers={"X-Review-Token": token} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, orjson.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, orjson.loads(exc.read())


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_the_page_s_api_saves_a_review_and_needs_a_token_beyond_this_machine(data, host):
    session = ReviewSession(data, "ann")
    server, address = make_server(session, host, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        token = address.split("token=")[1] if "token=" in address else None
        assert (token is None) == (host == "127.0.0.1")
        if token:
            assert _call(f"{base}/api/state")[0] == 403
        status, nxt = _call(f"{base}/api/next?mode=unreviewed", token=token)
        assert status == 200
        rid = nxt["id"]
        status, saved = _call(f"{base}/api/review", {"record_id": rid, "judgement": {
            "turns": [{"turn": 1, "flags": ["missing_question"], "missing_question": "when did it start?"}]}}, token)
        assert status == 200 and saved["saved"]
        status, bad = _call(f"{base}/api/review", {"record_id": rid, "judgement": {"disposition": "too_low"}}, token)
        assert status == 400 and "needs the level" in bad["error"]
        assert _call(f"{base}/api/review", {"record_id": "nope", "judgement": {"no_issue": True}}, token)[0] == 400
        status, view = _call(f"{base}/api/record?id={rid}", token=token)
        assert view["review"]["judgement"]["turns"][0]["missing_question"] == "when did it start?"
        assert [r.record_id for r in read_reviews(data / "reviews.jsonl")] == [rid]
    finally:
        server.shutdown()
        server.server_close()


def test_review_report_on_the_command_line_and_its_clear_errors(data):
    r = CliRunner().invoke(cli, ["review", "report", str(data)])
    assert r.exit_code != 0 and "no reviews at" in r.output and "Traceback" not in r.output
    rid = Dataset(data).order[0]
    gold = Dataset(data).record(rid)["gold"]["disposition"]
    append_review(data / "reviews.jsonl", parse_review(_review("ann", rid, gold, "emergency_ambulance")
                                                       if gold != "emergency_ambulance" else
                                                       _review("ann", rid, gold, "urgent")))
    r = CliRunner().invoke(cli, ["review", "report", str(data), "--html", str(data / "r.html")])
    assert r.exit_code == 0, r.output
    assert "1 review(s) of 1 record(s)" in r.output and (data / "r.html").read_text().startswith("<!doctype html>")
    with open(data / "reviews.jsonl", "ab") as fh:
        fh.write(b'{"reviewer": 3}\n')
    r = CliRunner().invoke(cli, ["review", "report", str(data)])
    assert r.exit_code != 0 and "reviews.jsonl:2" in r.output and "Traceback" not in r.output


def test_the_page_offers_exactly_the_disposition_levels_most_urgent_first():
    """page.html writes the levels out (it has no build step): they must be the engine's, in its order, with
    the engine's ranks, or a reviewer's level would be refused or compared wrongly."""
    import re

    from scenegen.content import Disposition

    page = (Path(__file__).parents[1] / "scenegen" / "review" / "page.html").read_text(encoding="utf-8")
    select = page[page.index('id="level"'):]
    select = select[:select.index("</select>")]
    offered = [v for v in re.findall(r'<option value="([a-z_]*)"', select) if v]
    assert offered == [d.value for d in Disposition]
    ranks = dict(re.findall(r"(\w+): (\d)", re.search(r"const RANK = \{([^}]*)\}", page).group(1)))
    assert {k: int(v) for k, v in ranks.items()} == {d.value: d.rank for d in Disposition}
