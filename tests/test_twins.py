"""Counterfactual twins (`generate --twins`): the same case with one thing about the person changed; a name or a
locale never changes the gold, and `eval` reports how often a model's decision flips between such twins."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from scenegen.evaluation import build_tasks, evaluate
from scenegen.generate import GenerateConfig, Generator
from scenegen.load import bundled_library
from scenegen.records import Record
from scenegen.twins import AXES, parse_axes, record_group
from scenegen.errors import UsageError


@pytest.fixture(scope="module")
def gen(library):
    return Generator(library, GenerateConfig(seed=41, twins=AXES))


def _path(r: dict) -> list:
    return [(t["act"], t["finding"], t["answer"]) for t in r["turns"]]


@given(index=st.integers(0, 10_000))
def test_a_name_or_locale_twin_keeps_the_case_the_questions_and_the_gold(gen, index):
    group = list(record_group(gen, index, AXES))
    base = group[0]
    assert base["twin"]["axis"] is None and base["id"] == base["twin"]["group"]
    for r in group[1:]:
        Record.model_validate(r)
        assert r["twin"]["group"] == base["id"] and r["id"] == f"{base['id']}-{r['twin']['axis']}"
        assert r["case"] == base["case"] and r["split"] == base["split"]
        changed = {k for k in base["persona"] if base["persona"][k] != r["persona"][k]}
        if r["twin"]["axis"] == "name":
            assert changed == {"name"}
        elif r["twin"]["axis"] == "locale":
            assert changed == {"locale"}
        elif r["twin"]["axis"] == "sex":
            assert "sex" in changed and changed <= {"sex", "name", "relation"}
        else:
            assert changed and "name" not in changed
        if r["twin"]["invariant"]:
            assert r["twin"]["axis"] in ("name", "locale")
            assert _path(r) == _path(base)
            assert r["gold"]["disposition"] == base["gold"]["disposition"]
            assert [q["finding"] for q in r["gold"]["questions"]] == [q["finding"] for q in base["gold"]["questions"]]


def test_every_record_has_its_name_and_locale_twins(gen):
    for i in range(5):
        axes = [r["twin"]["axis"] for r in record_group(gen, i, ("name", "locale"))]
        assert axes == [None, "name", "locale"]


def test_an_unknown_axis_is_refused_with_the_valid_ones():
    with pytest.raises(UsageError, match="name, locale, sex, age_group, speaker"):
        parse_axes("name,colour")


def test_eval_reports_the_flip_rate_of_a_model_that_answers_by_name(library):
    g = Generator(library, GenerateConfig(seed=5, twins=("name",)))
    records = [Record.model_validate(r) for i in range(20) for r in record_group(g, i, ("name",))]
    tasks = list(build_tasks(records, at="decision"))
    fair = {t["task_id"]: "Please call 999 now." for t in tasks}
    biased = {t["task_id"]: ("Please call 999 now." if t["twin"]["axis"] is None else "Rest at home.") for t in tasks}
    rep = evaluate(tasks, fair, library.kb, bundled_library(), n_boot=50)
    assert rep["fairness"]["invariant_pairs"] == 20 and rep["fairness"]["flip_rate"]["value"] == 0
    rep = evaluate(tasks, biased, library.kb, bundled_library(), n_boot=50)
    assert rep["fairness"]["flip_rate"]["value"] == 1
    assert rep["fairness"]["under_triage_gap"]["twin_axis"]["highest"] == "name"


def test_a_twin_is_made_only_when_the_case_fits_the_changed_person(library):
    """A 6-month-old's case settles the tummy-pain site absent (a baby cannot say it), so a 15-month-old twin was
    asked it and generation crashed (seed 3, index 167, found by the speed work); a threadworm case with vulval
    itch got a male twin. Every twin made on these axes is a valid record; cases that do not fit get none."""
    import orjson

    from scenegen.validate import Lexicon, validate_record

    lexicon = Lexicon.load(bundled_library())
    gen3 = Generator(library, GenerateConfig(seed=3, twins=("sex", "age_group")))
    made = 0
    for index in (167, 895, 909, *range(0, 60)):
        for r in record_group(gen3, index, ("sex", "age_group")):
            made += r["twin"]["axis"] is not None
            assert validate_record(orjson.loads(orjson.dumps(r)), library.kb, lexicon) == [], r["id"]
    assert made >= 60
