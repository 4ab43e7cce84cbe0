"""Generation on Dask (scenegen[dask]): on a LocalCluster of real worker processes, a run writes the bytes a local
run writes, keeps the complete parts of a stopped attempt, refuses parts made from another library, and the
record bag holds exactly the run's records. Skipped, saying why, where the extra is not installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from scenegen.cli import cli
from scenegen.errors import UsageError
from scenegen.generate import GenerateConfig, Generator
from scenegen.load import bundled_library
from scenegen.shards import PARTS_DIR, PartError, write_resumable
from scenegen.write import write_dataset

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed: pip install 'scenegen[dask]'")
from scenegen.distributed import record_bag, write_on_dask  # noqa: E402

FILES = ("train.jsonl", "test.jsonl", "manifest.json", "README.md")
N = 30
PART = 7  # five parts, the last one shorter: more parts than the cluster has in flight at first


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def local(library, tmp_path_factory):
    """(generator, folder of the same run written locally in one go)."""
    generator = Generator(library, GenerateConfig(seed=17, test_fraction=0.3, balance="disposition"))
    out = tmp_path_factory.mktemp("local")
    write_dataset(generator, N, out)
    return generator, out


def _bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def test_a_run_on_a_local_cluster_writes_the_bytes_of_a_local_run(client, local, tmp_path):
    generator, whole = local
    seen = []
    manifest, kept = write_on_dask(generator, N, tmp_path, client, part_size=PART, progress=seen.append)
    assert kept == 0
    assert _bytes(tmp_path) == _bytes(whole)
    assert sum(seen) == N
    assert not (tmp_path / PARTS_DIR).exists()
    assert manifest == orjson.loads((whole / "manifest.json").read_bytes())


def test_a_stopped_run_resumed_on_dask_keeps_its_complete_parts_and_ends_with_the_same_bytes(client, local, tmp_path):
    generator, whole = local

    def two_then_stop(gen, n, of, todo, dirs, progress):
        from scenegen.shards import write_part

        for index in todo[:2]:
            write_part(gen, n, index, of, dirs[index])
        raise KeyboardInterrupt  # the client stopped after two parts

    with pytest.raises(KeyboardInterrupt):
        write_resumable(generator, N, tmp_path, part_size=PART, make_parts=two_then_stop)
    _, kept = write_on_dask(generator, N, tmp_path, client, part_size=PART)
    assert kept == 2
    assert _bytes(tmp_path) == _bytes(whole)


def test_parts_made_by_workers_from_another_library_are_refused_at_the_join(client, local, tmp_path):
    generator, _ = local
    other = tmp_path / "other-library"
    shutil.copytree(bundled_library(), other, ignore=shutil.ignore_patterns("__pycache__"))
    personas = other / "personas" / "personas.yaml"
    personas.write_text(personas.read_text(encoding="utf-8") + "\n# a reviewer's note\n", encoding="utf-8")
    with pytest.raises(PartError, match="another library"):
        write_on_dask(generator, N, tmp_path / "out", client, part_size=PART, library=other)
    assert not (tmp_path / "out" / "train.jsonl").exists()


def test_the_record_bag_holds_the_run_s_records_in_index_order(client, local):
    generator, whole = local
    records = record_bag(N, generator.config, part_size=PART).compute(scheduler=client.get)
    written = [orjson.loads(line) for s in ("train", "test") for line in (whole / f"{s}.jsonl").read_bytes().splitlines()]
    assert [r["index"] for r in records] == list(range(N))
    assert sorted(records, key=lambda r: r["id"]) == sorted(written, key=lambda r: r["id"])


def test_the_cli_runs_on_a_local_cluster_and_refuses_a_shard_with_a_scheduler(local, tmp_path):
    _, whole = local
    out = tmp_path / "cli"
    r = CliRunner().invoke(cli, ["generate", "--n", str(N), "--seed", "17", "--test-fraction", "0.3",
                                 "--balance", "disposition", "--out", str(out), "--scheduler", "local",
                                 "--workers", "1", "--part-size", str(PART), "--quiet"])
    assert r.exit_code == 0, r.output
    assert _bytes(out) == _bytes(whole)
    r = CliRunner().invoke(cli, ["generate", "--n", "5", "--out", str(tmp_path / "x"), "--scheduler", "local",
                                 "--shard", "0/2"])
    assert r.exit_code != 0 and "cannot be given with --shard" in r.output
    assert "Traceback" not in r.output


def test_without_the_extra_running_on_dask_is_a_clear_error(monkeypatch):
    import sys

    from scenegen.distributed import require_dask

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(UsageError, match=r"pip install 'scenegen\[dask\]'"):
        require_dask()
