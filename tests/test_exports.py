"""Exports: every format loads in the tool it is for, under one declared schema, and is written all or nothing."""

from __future__ import annotations

import gzip
import hashlib
import json

import orjson
import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq
import polars as pl
import pytest
import yaml

from scenegen.errors import UsageError
from scenegen.exports import FORMATS, export_dataset
from scenegen.exports.arrow import arrow_schema
from scenegen.exports.rows import chat_messages, sharegpt_row, turn_rows
from scenegen.generate import GenerateConfig, Generator
from scenegen.records import SCHEMA_VERSION
from scenegen.write import write_dataset


@pytest.fixture(scope="module")
def two_datasets(library, tmp_path_factory):
    """Two datasets generated apart (different seeds and options), as two users would make them."""
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    write_dataset(Generator(library, GenerateConfig(seed=11)), 40, a)
    write_dataset(Generator(library, GenerateConfig(seed=12, noise="off", system_prompt=False, ambiguity="low")), 30, b)
    return a, b


def _lines(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return [orjson.loads(line) for line in fh]


def test_pyarrow_reads_separately_generated_files_under_the_declared_schema_and_concatenates(two_datasets):
    schema = arrow_schema()
    opts = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
    tables = [pa_json.read_json(d / f"{s}.jsonl", parse_options=opts) for d in two_datasets for s in ("train", "test")]
    both = pa.concat_tables(tables)
    assert both.num_rows == 70
    assert both.cast(schema).schema.equals(schema)  # the reader drops 'not null'; the cast checks it holds
    assert set(both.column("schema_version").to_pylist()) == {SCHEMA_VERSION}


def test_polars_infers_the_same_columns_from_any_file_and_concatenates(two_datasets):
    frames = [pl.read_ndjson(d / f"{s}.jsonl") for d in two_datasets for s in ("train", "test")]
    assert pl.concat(frames, how="vertical_relaxed").height == 70
    assert len({tuple(f.columns) for f in frames}) == 1


def test_every_answer_is_one_type_and_every_value_map_a_list(two_datasets):
    for d in two_datasets:
        for r in _lines(d / "train.jsonl"):
            for t in r["turns"]:
                assert t["answer"] in (None, "yes", "no", "unsure") and isinstance(t["answer_values"], list)
                assert t["answer"] is None or not t["answer_values"]
                assert isinstance(t["volunteered_values"], list)
            assert all(set(fv) == {"finding", "values"} for fv in r["case"]["values"])


def test_system_message_can_be_kept_dropped_or_merged_into_the_first_user_message(two_datasets):
    r = _lines(two_datasets[0] / "train.jsonl")[0]
    kept, dropped, merged = (chat_messages(r, m) for m in ("keep", "drop", "merge"))
    assert kept[0]["role"] == "system" and len(dropped) == len(kept) - 1 == len(merged)
    assert all(m["role"] != "system" for m in dropped + merged)
    assert merged[0]["content"].startswith(kept[0]["content"]) and merged[0]["content"].endswith(kept[1]["content"])


def test_sharegpt_turns_alternate_human_then_gpt_as_llama_factory_requires(two_datasets):
    for d in two_datasets:
        for r in _lines(d / "train.jsonl"):
            row = sharegpt_row(r)
            speakers = [c["from"] for c in row["conversations"]]
            assert speakers[0] == "human" and speakers[-1] == "gpt"
            assert all(a != b for a, b in zip(speakers, speakers[1:]))


def test_one_turn_row_per_assistant_message_with_the_dialogue_so_far_as_prompt(two_datasets):
    for r in _lines(two_datasets[0] / "train.jsonl"):
        rows = list(turn_rows(r))
        assert len(rows) == sum(m["role"] == "assistant" for m in r["messages"])
        assert sum(row["is_disposition"] for row in rows) == 1
        for row in rows:
            assert row["prompt"] == r["messages"][:row["turn"]] and row["prompt"][-1]["role"] == "user"
            assert row["completion"] == [r["messages"][row["turn"]]]
            assert row["disposition"] in (None, r["gold"]["disposition"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_writes_both_splits_and_a_card_naming_them(two_datasets, tmp_path, fmt, bundled_kb):
    counts = export_dataset(two_datasets[0], fmt, tmp_path / fmt, kb=bundled_kb)
    out = tmp_path / fmt
    card = (out / "README.md").read_text()
    meta = yaml.safe_load(card.split("---\n")[1])
    files = {f["split"]: f["path"] for f in meta["configs"][0]["data_files"]}
    assert set(files) == {"train", "test"} and all((out / p).is_file() for p in files.values())
    assert set(counts) == set(files.values()) and meta["license"] and meta["size_categories"] == ["n<1K"]
    assert "Not medical advice" in card and "not yet been reviewed by a human clinician" in card
    declared = meta["dataset_info"]["features"]
    first_row = _lines(out / files["train"])[0] if fmt != "parquet" else pq.read_table(out / files["train"]).slice(0, 1).to_pylist()[0]
    assert [f["name"] for f in declared] == list(first_row)  # every column declared, in the file's order
    crois = json.loads((out / "croissant.json").read_text())
    assert crois["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    for obj in crois["distribution"]:
        assert hashlib.sha256((out / obj["contentUrl"]).read_bytes()).hexdigest() == obj["sha256"]
    assert {rs["name"] for rs in crois["recordSet"]} == {"train", "test"} and all(rs["field"] for rs in crois["recordSet"])
    if fmt == "parquet":
        table = pq.read_table(out / "train.parquet")
        manifest = json.loads((two_datasets[0] / "manifest.json").read_text())
        assert table.schema.equals(arrow_schema()) and table.num_rows == manifest["records"]["train"]
    if fmt == "sharegpt":
        info = json.loads((out / "dataset_info.json").read_text())
        assert {v["file_name"] for v in info.values()} == set(files.values())


def test_sharegpt_dataset_info_describes_its_rows_as_llama_factory_reads_them(two_datasets, tmp_path):
    """What LLaMA-Factory 0.9.5 needs of dataset_info.json (its loader and ShareGPT converter, run by hand in
    examples/llamafactory_axolotl_smoke.md): a file whose last extension is one it reads, the named columns in
    every row, turns keyed by role_tag and content_tag, user_tag first and then assistant_tag in turn (it drops a
    row otherwise, with only a warning). A compressed file (train.jsonl.gz) it refuses, so sharegpt has none."""
    for d in two_datasets:
        out = tmp_path / d.name
        export_dataset(d, "sharegpt", out)
        info = json.loads((out / "dataset_info.json").read_text())
        assert set(info) == {"scenegen_train", "scenegen_test"}
        for entry in info.values():
            assert entry["formatting"] == "sharegpt" and "system_tag" not in entry["tags"]
            assert entry["file_name"].rsplit(".", 1)[-1] in ("json", "jsonl")
            cols, tags = entry["columns"], entry["tags"]
            rows = _lines(out / entry["file_name"])
            assert rows
            for row in rows:
                assert set(cols.values()) <= set(row) and isinstance(row[cols["system"]], str)
                turns = row[cols["messages"]]
                assert all(set(t) == {tags["role_tag"], tags["content_tag"]} for t in turns)
                roles = [t[tags["role_tag"]] for t in turns]
                assert len(roles) % 2 == 0 and roles[::2] == [tags["user_tag"]] * (len(roles) // 2)
                assert roles[1::2] == [tags["assistant_tag"]] * (len(roles) // 2)
    for compress in ("gz", "zst"):
        with pytest.raises(UsageError, match="LLaMA-Factory"):
            export_dataset(two_datasets[0], "sharegpt", tmp_path / compress, compress=compress)
        assert not (tmp_path / compress).exists()


def test_the_same_export_twice_gives_the_same_bytes_and_gz_holds_the_same_rows(two_datasets, tmp_path):
    for name in ("one", "two"):
        export_dataset(two_datasets[1], "turns", tmp_path / name, compress="gz")
    assert (tmp_path / "one" / "train.jsonl.gz").read_bytes() == (tmp_path / "two" / "train.jsonl.gz").read_bytes()
    export_dataset(two_datasets[1], "turns", tmp_path / "plain")
    assert _lines(tmp_path / "one" / "train.jsonl.gz") == _lines(tmp_path / "plain" / "train.jsonl")
    export_dataset(two_datasets[1], "turns", tmp_path / "zst", compress="zst")
    stream = pa.input_stream(str(tmp_path / "zst" / "train.jsonl.zst"), compression="zstd")
    assert [orjson.loads(x) for x in stream.read().splitlines()] == _lines(tmp_path / "plain" / "train.jsonl")


def test_a_bad_record_names_its_file_and_line_and_nothing_is_written(two_datasets, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("manifest.json", "test.jsonl"):
        (src / name).write_bytes((two_datasets[0] / name).read_bytes())
    lines = (two_datasets[0] / "train.jsonl").read_bytes().splitlines(keepends=True)
    broken = orjson.loads(lines[2])
    broken["turns"][1]["answer"] = True  # schema 1.0's boolean answer
    (src / "train.jsonl").write_bytes(b"".join(lines[:2]) + orjson.dumps(broken) + b"\n" + b"".join(lines[3:]))
    with pytest.raises(UsageError, match=r"train\.jsonl:3: turns\.1\.answer"):
        export_dataset(src, "messages", tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_generate_format_writes_each_export_beside_the_records(tmp_path):
    from click.testing import CliRunner

    from scenegen.cli import cli

    out = tmp_path / "data"
    result = CliRunner().invoke(cli, ["generate", "--n", "12", "--seed", "5", "--out", str(out), "--quiet",
                                      "--format", "messages", "--format", "parquet"])
    assert result.exit_code == 0, result.output
    assert (out / "train.jsonl").is_file() and (out / "messages" / "README.md").is_file()
    rows = _lines(out / "messages" / "train.jsonl")
    assert rows and all(set(r) == {"messages"} for r in rows)
    assert pq.read_table(out / "parquet" / "test.parquet").num_rows == len(_lines(out / "test.jsonl"))


def test_validate_reads_the_parquet_export_and_gzipped_records(two_datasets, tmp_path):
    from click.testing import CliRunner

    from scenegen.cli import cli

    export_dataset(two_datasets[0], "parquet", tmp_path / "pq")
    gz = tmp_path / "train.jsonl.gz"
    gz.write_bytes(gzip.compress((two_datasets[0] / "train.jsonl").read_bytes(), mtime=0))
    zst = tmp_path / "train.jsonl.zst"
    with pa.CompressedOutputStream(str(zst), "zstd") as fh:
        fh.write((two_datasets[0] / "train.jsonl").read_bytes())
    for files in ([tmp_path / "pq" / "train.parquet", tmp_path / "pq" / "test.parquet"], [gz], [zst]):
        result = CliRunner().invoke(cli, ["validate", *map(str, files)])
        assert result.exit_code == 0 and "no violations" in result.output, result.output
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "bad.parquet")])
    assert result.exit_code == 1 and "not a Parquet file" in result.output


#: a chat template with Gemma's two constraints (no system role; user and assistant strictly alternate, user
#: first), written for this test; rendering raises where such a template would
_NO_SYSTEM_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
    "{% if (m['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('roles must alternate') }}{% endif %}"
    "<turn>{{ m['role'] }}\n{{ m['content'] }}</turn>\n"
    "{% endfor %}"
)


def _render(messages):
    import jinja2

    def raise_exception(message):
        raise jinja2.TemplateError(message)

    env = jinja2.Environment()
    return env.from_string(_NO_SYSTEM_TEMPLATE).render(messages=messages, raise_exception=raise_exception)


def test_merged_or_dropped_system_messages_render_in_a_template_without_a_system_role(two_datasets, tmp_path):
    import jinja2

    r = _lines(two_datasets[0] / "train.jsonl")[0]
    with pytest.raises(jinja2.TemplateError, match="System role"):
        _render(chat_messages(r, "keep"))
    for mode in ("merge", "drop"):
        export_dataset(two_datasets[0], "messages", tmp_path / mode, system=mode)
        for row in _lines(tmp_path / mode / "train.jsonl"):
            assert _render(row["messages"]).count("<turn>") == len(row["messages"])


def test_generate_writes_a_card_declaring_every_record_column_with_one_type(two_datasets):
    meta = yaml.safe_load((two_datasets[0] / "README.md").read_text().split("---\n")[1])
    declared = {f["name"]: f for f in meta["dataset_info"]["features"]}
    assert list(declared) == list(_lines(two_datasets[0] / "train.jsonl")[0])
    turns = {f["name"]: f for f in declared["turns"]["list"]}
    assert turns["answer"] == {"name": "answer", "dtype": "string"}
    assert turns["noise"] == {"name": "noise", "sequence": "string"}  # declared, though --noise off leaves it empty


def test_hugging_face_datasets_loads_each_folder_by_its_card_and_concatenates_datasets_made_apart(
        two_datasets, tmp_path, monkeypatch):
    """The card's declared features make `datasets` read every file alike: without them, a file made with
    --noise off infers its all-empty noise lists as lists of nulls, and concatenation fails."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import datasets

    a, b = (datasets.load_dataset(str(d)) for d in two_datasets)
    both = datasets.concatenate_datasets([a["train"], a["test"], b["train"], b["test"]])
    assert both.num_rows == 70
    for fmt in ("messages", "turns", "sharegpt"):
        export_dataset(two_datasets[1], fmt, tmp_path / fmt)
        loaded = datasets.load_dataset(str(tmp_path / fmt))
        assert set(loaded) == {"train", "test"} and loaded["train"].num_rows > 0


def test_export_command_writes_zstd_and_reports_a_bad_folder_without_a_traceback(two_datasets, tmp_path):
    from click.testing import CliRunner

    from scenegen.cli import cli

    ok = CliRunner().invoke(cli, ["export", str(two_datasets[1]), "--format", "gold", "--out", str(tmp_path / "z"),
                                  "--compress", "zst"])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "z" / "train.jsonl.zst").is_file()
    (tmp_path / "empty").mkdir()
    bad = CliRunner().invoke(cli, ["export", str(tmp_path / "empty"), "--format", "gold", "--out", str(tmp_path / "o")])
    assert bad.exit_code != 0 and "no manifest.json" in bad.output and "Traceback" not in bad.output
