"""Flags flow back: `review apply` quarantines the template variants reviewers flagged for their wording, and the
next `generate` with that library never uses them (and says so in its manifest); a quarantine that empties an
act or names a template that does not exist is a clear load problem; `review export` gives the reviewed records
with the reviewers' level, the most given and a tie to the more urgent."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from scenegen.cli import cli
from scenegen.content import Disposition
from scenegen.errors import ContentError
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.load import bundled_library
from scenegen.review.dataset import Dataset
from scenegen.review.export import ReviewedRecord, reviewed_level
from scenegen.review.overlay import OVERLAY
from scenegen.review.store import append_review, parse_review
from scenegen.write import write_dataset

SAMPLE = Path(__file__).parent.parent / "examples" / "sample"


@pytest.fixture(scope="module")
def own_library(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lib") / "library"
    shutil.copytree(bundled_library(), root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _review(reviewer: str, record: dict, **judgement) -> dict:
    return {"reviewer": reviewer, "time": "2026-12-07T10:00:00Z", "record_id": record["id"],
            "gold_disposition": record["gold"]["disposition"], "library": {"content_sha256": "a" * 64},
            "scenegen_version": "0.1.0", "judgement": judgement}


def test_a_flagged_template_variant_is_quarantined_and_the_next_generate_never_uses_it(own_library, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    dataset = Dataset(data)
    record = dataset.record(dataset.order[0])
    turn = next(i for i, t in enumerate(record["turns"]) if t["act"] == "clarify")
    flagged = set(record["turns"][turn]["templates"])
    append_review(data / "reviews.jsonl",
                  parse_review(_review("ann", record, turns=[{"turn": turn, "flags": ["unnatural_wording"]}])))

    r = CliRunner().invoke(cli, ["review", "apply", str(data), "--library", str(own_library)])
    assert r.exit_code == 0, r.output
    assert (own_library / OVERLAY).is_file()
    lib = Library.load(own_library)
    assert flagged <= lib.overlay.templates
    assert not flagged & {v.id for vs in lib.templates.variants.values() for v in vs}

    out = tmp_path / "next"
    manifest = write_dataset(Generator(lib, GenerateConfig(seed=1)), 60, out)
    used = {name for line in (out / "train.jsonl").read_bytes().splitlines()
            + (out / "test.jsonl").read_bytes().splitlines()
            for t in orjson.loads(line)["turns"] for name in t["templates"]}
    assert used and not used & flagged
    bundled = Library.load()
    assert manifest["library"]["templates_sha256"] != bundled.wording_sha256["templates"]
    check = CliRunner().invoke(cli, ["kb", "check", "--library", str(own_library)])
    assert check.exit_code == 0 and "Held back by reviewers" in check.output


def test_a_quarantine_that_empties_an_act_or_names_no_template_is_a_clear_problem(tmp_path):
    root = tmp_path / "library"
    shutil.copytree(bundled_library(), root, ignore=shutil.ignore_patterns("__pycache__"))
    every = sorted(f"system/{p.stem}" for p in (root / "templates" / "system").glob("*.j2"))
    (root / OVERLAY).parent.mkdir()
    (root / OVERLAY).write_text("templates:\n" + "".join(f"  - id: {t}\n" for t in every + ["clarify/nope"]))
    with pytest.raises(ContentError) as exc:
        Library.load(root)
    text = str(exc.value)
    assert "no template for dialogue act 'system' once review/quarantine.yaml holds back" in text
    assert "'clarify/nope' is not a template of this library" in text
    (root / OVERLAY).write_text("templates: 3\n")
    with pytest.raises(ContentError, match="a list of entries, each with an id"):
        Library.load(root)


def test_apply_refuses_to_write_into_the_bundled_library(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    r = CliRunner().invoke(cli, ["review", "apply", str(data), "--library", str(bundled_library())])
    assert r.exit_code != 0 and "copy the bundled one" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("levels, expected", [
    (["urgent"], "urgent"),
    (["urgent", "routine", "routine"], "routine"),
    (["urgent", "routine"], "urgent"),  # a tie goes to the more urgent
    (["self_care", "emergency_ambulance", "routine", "self_care", "emergency_ambulance"], "emergency_ambulance"),
])
def test_the_reviewed_level_is_the_most_given_and_a_tie_goes_to_the_more_urgent(levels, expected):
    assert reviewed_level([Disposition(x) for x in levels]).value == expected


def test_export_gives_the_judged_records_with_the_reviewers_level_and_they_still_load_as_records(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    dataset = Dataset(data)
    first, second, third = (dataset.record(rid) for rid in dataset.order[:3])
    for who in ("ann", "bob"):
        append_review(data / "reviews.jsonl", parse_review(_review(who, first, disposition="agree",
                                                                   reviewer_disposition=first["gold"]["disposition"])))
    append_review(data / "reviews.jsonl", parse_review(_review("ann", second, comment="fine")))  # not judged
    append_review(data / "reviews.jsonl", parse_review(_review("ann", third, disposition="agree")))
    out = tmp_path / "reviewed.jsonl"
    r = CliRunner().invoke(cli, ["review", "export", str(data), "--out", str(out)])
    assert r.exit_code == 0, r.output
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [x["id"] for x in rows] == [first["id"], third["id"]]
    assert rows[0]["gold"]["reviewed_disposition"] == first["gold"]["disposition"] and rows[0]["gold"]["reviewed_by"] == 2
    for row in rows:
        ReviewedRecord.model_validate(row)


def test_a_flagged_lay_phrase_is_held_back_and_never_said_again_for_that_finding(own_library, tmp_path):
    import random

    from scenegen.review.report import lay_phrase_in

    kb = Library.load().kb
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    dataset = Dataset(data)
    found = None
    for rid in dataset.order:
        record = dataset.record(rid)
        for i, t in enumerate(record["turns"]):
            f = kb.findings.get(t.get("finding") or "")
            if t["act"].startswith(("answer", "opening")) and f is not None and len(f.lay) > 1:
                phrase = lay_phrase_in(record["messages"][i]["content"], f.lay)
                if phrase:
                    found = (record, i, f.id, phrase)
                    break
        if found:
            break
    assert found, "the sample should say some finding in one of its lay phrases"
    record, turn, fid, phrase = found
    append_review(data / "reviews.jsonl",
                  parse_review(_review("ann", record, turns=[{"turn": turn, "flags": ["unnatural_wording"]}])))
    r = CliRunner().invoke(cli, ["review", "apply", str(data), "--library", str(own_library)])
    assert r.exit_code == 0, r.output
    lib = Library.load(own_library)
    assert (fid, phrase) in lib.overlay.phrasings
    realiser = Generator(lib, GenerateConfig(seed=1)).realiser
    said = {realiser.words.lay(fid, random.Random(k)) for k in range(200)}
    assert phrase not in said and said <= set(kb.findings[fid].lay)


def test_a_phrasing_quarantine_naming_no_phrase_or_every_phrase_is_a_clear_problem(tmp_path):
    root = tmp_path / "library"
    shutil.copytree(bundled_library(), root, ignore=shutil.ignore_patterns("__pycache__"))
    kb = Library.load().kb
    fid = next(f for f in sorted(kb.findings) if len(kb.findings[f].lay) >= 2)
    (root / OVERLAY).parent.mkdir()
    entries = "".join(f"  - {{finding: {fid}, text: \"{p}\"}}\n" for p in kb.findings[fid].lay)
    (root / OVERLAY).write_text("phrasings:\n" + entries + "  - {finding: fever, text: \"a made-up phrase\"}\n")
    with pytest.raises(ContentError) as exc:
        Library.load(root)
    text = str(exc.value)
    assert f"every lay phrase of '{fid}' is held back" in text
    assert "'a made-up phrase' is not a lay phrase of finding 'fever'" in text
