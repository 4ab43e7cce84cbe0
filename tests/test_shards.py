"""Runs in parts: a shard is the same records as those of a whole run, K shards merge to the whole run's bytes
(train, test, manifest, card), a run stopped midway (an exception, or kill -9 of a real process) resumes to the
same bytes, and parts that cannot be joined are refused with a clear message."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import scenegen
from scenegen.cli import cli
from scenegen.generate import GenerateConfig, Generator
from scenegen.load import ENV_LIBRARY
from scenegen.shards import PARTS_DIR, PartError, merge_parts, shard_range, write_part, write_resumable
from scenegen.write import write_dataset

FILES = ("train.jsonl", "test.jsonl", "manifest.json", "README.md")
N = 23


def _bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def _indices(path: Path) -> list[int]:
    return [orjson.loads(line)["index"] for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module", params=["plain", "balanced-twins"])
def run(request, library, tmp_path_factory):
    """(generator, folder of the whole run of N records)."""
    if request.param == "plain":
        config = GenerateConfig(seed=5, test_fraction=0.5)
    else:  # the balance report and the twins (several records per index) are the paths a merge could miss
        config = GenerateConfig(seed=11, test_fraction=0.3, balance="disposition", holdout_by="template",
                                twins=("sex",))
    generator = Generator(library, config)
    out = tmp_path_factory.mktemp(f"whole-{request.param}")
    write_dataset(generator, N, out)
    return generator, out


@given(n=st.integers(0, 10_000), of=st.integers(1, 300))
def test_shard_ranges_are_contiguous_cover_every_record_once_and_differ_in_size_by_at_most_one(n, of):
    ranges = [shard_range(n, i, of) for i in range(of)]
    assert ranges[0][0] == 0 and ranges[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    sizes = [stop - start for start, stop in ranges]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("index,of", [(0, 1), (0, 3), (2, 3), (4, 7), (22, 23), (30, 40)])
def test_a_shard_alone_is_the_same_records_as_a_whole_run(run, tmp_path, index, of):
    """Part I of K, written on its own, holds exactly the lines of the whole run whose index is in its range."""
    generator, whole = run
    write_part(generator, N, index, of, tmp_path / "part")
    start, stop = shard_range(N, index, of)
    for split in ("train", "test"):
        lines = (whole / f"{split}.jsonl").read_bytes().splitlines(keepends=True)
        mine = [line for line in lines if start <= orjson.loads(line)["index"] < stop]
        assert (tmp_path / "part" / f"{split}.jsonl").read_bytes() == b"".join(mine)


@pytest.mark.parametrize("of", [1, 3, 5])
def test_merging_k_shards_is_byte_identical_to_a_whole_run(run, tmp_path, of):
    """train, test, manifest and card; parts given in any order, with 2 workers for one of them."""
    generator, whole = run
    dirs = [tmp_path / f"p{i}" for i in range(of)]
    for i, d in enumerate(dirs):
        write_part(generator, N, i, of, d, workers=2 if i == 0 else 1)
    merge_parts(list(reversed(dirs)), tmp_path / "merged", generator=generator)
    assert _bytes(tmp_path / "merged") == _bytes(whole)


def test_merge_on_the_command_line_loads_the_library_and_matches_the_whole_run(run, tmp_path, monkeypatch):
    generator, whole = run
    monkeypatch.delenv(ENV_LIBRARY, raising=False)
    dirs = [tmp_path / f"p{i}" for i in range(2)]
    for i, d in enumerate(dirs):
        write_part(generator, N, i, 2, d)
    result = CliRunner().invoke(cli, ["merge", *map(str, dirs), "--out", str(tmp_path / "merged")])
    assert result.exit_code == 0, result.output
    assert _bytes(tmp_path / "merged") == _bytes(whole)


class Stop(Exception):
    pass


def test_a_run_stopped_by_an_exception_midway_resumes_byte_identical(run, tmp_path):
    """The first attempt raises after 11 records (parts of 3-4 indices; with twins, two records an index), one
    part or more complete and the next half written; the rerun keeps the complete parts and ends with the whole
    run's bytes, and no .parts folder."""
    generator, whole = run
    out = tmp_path / "out"
    made = []

    def stop_at_11(k):
        made.append(k)
        if len(made) == 11:
            raise Stop

    with pytest.raises(Stop):
        write_resumable(generator, N, out, part_size=4, progress=stop_at_11)
    assert not (out / "manifest.json").exists()
    complete = len(list((out / PARTS_DIR).glob("*/part.json")))
    assert complete >= 1
    _, kept = write_resumable(generator, N, out, part_size=4)
    assert kept == complete
    assert _bytes(out) == _bytes(whole)
    assert not (out / PARTS_DIR).exists()


def test_a_resumed_run_rewrites_a_part_whose_file_was_cut_short(run, tmp_path):
    generator, whole = run
    out = tmp_path / "out"
    with pytest.raises(Stop):
        write_resumable(generator, N, out, part_size=4, progress=_raise_after(17))
    complete = len(list((out / PARTS_DIR).glob("*/part.json")))
    assert complete >= 2
    damaged = out / PARTS_DIR / "part-00001-of-00006" / "train.jsonl"
    damaged.write_bytes(damaged.read_bytes()[:-10])
    _, kept = write_resumable(generator, N, out, part_size=4)
    assert kept == complete - 1  # part 1 was damaged and is written again
    assert _bytes(out) == _bytes(whole)


def _raise_after(n: int):
    seen = []

    def progress(k):
        seen.append(k)
        if len(seen) == n:
            raise Stop
    return progress


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != ENV_LIBRARY}
    package_root = str(Path(scenegen.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


def test_a_run_killed_with_sigkill_resumes_byte_identical(library, tmp_path):
    """A real `generate --resume` process is killed (SIGKILL) once two parts are complete; the same command
    again keeps them and writes the bytes of an uninterrupted run."""
    n, part_size, seed = 160, 16, 21
    args = [sys.executable, "-m", "scenegen", "generate", "--n", str(n), "--seed", str(seed), "--resume",
            "--part-size", str(part_size), "--workers", "1", "--quiet", "--out", str(tmp_path / "out")]
    proc = subprocess.Popen(args, env=_env(), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = tmp_path / "out" / PARTS_DIR / "part-00001-of-00010" / "part.json"
    deadline = time.monotonic() + 120
    while not second.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    if (tmp_path / "out" / "manifest.json").exists():
        pytest.skip("the run finished before it could be killed")
    assert second.exists(), "the run was killed before it completed two parts"
    done = subprocess.run(args, env=_env(), cwd=tmp_path, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    assert b"resumed: kept" in done.stderr
    write_dataset(Generator(library, GenerateConfig(seed=seed)), n, tmp_path / "whole")
    assert _bytes(tmp_path / "out") == _bytes(tmp_path / "whole")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES)


# ---------------------------------------------------------------------------------------------------------
# parts that cannot be joined


@pytest.fixture
def parts(run, tmp_path):
    """Three parts of the whole run, in order."""
    generator, _ = run
    dirs = [tmp_path / f"p{i}" for i in range(3)]
    for i, d in enumerate(dirs):
        write_part(generator, N, i, 3, d)
    return generator, dirs


def _refused(generator, dirs, tmp_path, *words):
    with pytest.raises(PartError) as info:
        merge_parts(dirs, tmp_path / "merged", generator=generator)
    for word in words:
        assert word in str(info.value), str(info.value)
    assert not (tmp_path / "merged").exists(), "a refused merge left an output folder"
    return str(info.value)


def test_a_missing_part_is_refused(parts, tmp_path):
    generator, dirs = parts
    _refused(generator, [dirs[0], dirs[2]], tmp_path, "missing part(s) 1/3")


def test_the_same_part_twice_is_refused(parts, tmp_path):
    generator, dirs = parts
    _refused(generator, [dirs[0], dirs[1], dirs[1], dirs[2]], tmp_path, "both part 1/3")


def test_a_part_of_another_run_is_refused(parts, library, tmp_path):
    generator, dirs = parts
    other = Generator(library, GenerateConfig(seed=generator.config.seed + 1, test_fraction=0.5))
    write_part(other, N, 1, 3, tmp_path / "other")
    _refused(generator, [dirs[0], tmp_path / "other", dirs[2]], tmp_path, "not from the same run", "config.seed")


def test_a_part_of_a_different_split_into_k_is_refused(parts, tmp_path):
    generator, dirs = parts
    write_part(generator, N, 1, 4, tmp_path / "quarter")
    _refused(generator, [dirs[0], tmp_path / "quarter", dirs[2]], tmp_path, "one of 3 parts")


def test_a_part_whose_file_was_changed_is_refused(parts, tmp_path):
    generator, dirs = parts
    with open(dirs[1] / "train.jsonl", "ab") as fh:
        fh.write(b"{}\n")
    _refused(generator, dirs, tmp_path, "train.jsonl", "sha256")


def test_a_folder_that_is_not_a_part_is_refused(parts, tmp_path):
    generator, dirs = parts
    (dirs[1] / "part.json").unlink()
    _refused(generator, dirs, tmp_path, "no part.json")
    (dirs[1] / "part.json").write_text("{not json")
    _refused(generator, dirs, tmp_path, "not a part manifest")


@pytest.mark.parametrize("part_of_library", ["content_sha256", "personas_sha256", "templates_sha256"])
def test_parts_of_another_library_are_refused(parts, tmp_path, part_of_library):
    """Another knowledge base, or the same one with other personas or templates (other wordings)."""
    generator, dirs = parts
    for d in dirs:
        part = orjson.loads((d / "part.json").read_bytes())
        part["header"]["library"][part_of_library] = "0" * 64
        (d / "part.json").write_bytes(orjson.dumps(part))
    _refused(generator, dirs, tmp_path, "another library", part_of_library)


def test_resuming_with_other_options_is_refused(run, library, tmp_path):
    generator, _ = run
    out = tmp_path / "out"
    with pytest.raises(Stop):
        write_resumable(generator, N, out, part_size=4, progress=_raise_after(9))
    other = Generator(library, GenerateConfig(seed=generator.config.seed + 1, test_fraction=0.5))
    with pytest.raises(PartError, match="different run.*config.seed"):
        write_resumable(other, N, out, part_size=4)
    with pytest.raises(PartError, match="different run"):
        write_resumable(generator, N, out, part_size=5)


def test_the_command_line_refuses_bad_parts_with_a_message_not_a_traceback(parts, tmp_path, monkeypatch):
    generator, dirs = parts
    monkeypatch.delenv(ENV_LIBRARY, raising=False)
    result = CliRunner().invoke(cli, ["merge", str(dirs[0]), str(dirs[2]), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "missing part(s) 1/3" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["generate", "--n", "5", "--shard", "2/2", "--out", str(tmp_path / "s")])
    assert result.exit_code == 2 and "I must be 0..K-1" in result.output
    result = CliRunner().invoke(cli, ["generate", "--n", "5", "--shard", "x", "--out", str(tmp_path / "s")])
    assert result.exit_code == 2 and "expected I/K" in result.output
    shutil.rmtree(tmp_path / "s", ignore_errors=True)
