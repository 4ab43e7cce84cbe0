"""Generation on a Dask cluster (the optional extra: ``pip install 'scenegen[dask]'``).

A run is cut into parts by index, as ``generate --resume`` cuts it; each missing part is made by a task on a
worker and sent back as bytes with its part manifest; the client stores it under ``OUT/.parts/`` and, when
every part is there, joins them with the code ``merge`` uses. So a Dask run writes the bytes a local run
writes, survives a lost client the way ``--resume`` does (complete parts are kept), and needs no filesystem
shared with the workers.

Why the result is exact: record *i* depends only on the seed and *i*; each part carries the run's header
(scenegen and package versions, library content hash, configuration) and the sha256 of its files, and the
join refuses a part whose header differs from the client's or whose bytes changed in transit, so a worker
with another library or version cannot slip records in.

``record_bag`` is the other way in, for people who build their own Dask pipeline (to Parquet, say): a
``dask.bag`` of record dicts in index order, one partition per part.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Callable, Optional

from .errors import UsageError
from .files import SPLITS, writing_into
from .generate import GenerateConfig, Generator, Library
from .shards import DEFAULT_PART_SIZE, commit_part, shard_range, write_part, write_resumable
from .write import _records, write_temp

#: parts in flight per worker thread: enough to keep every worker busy, few enough that the client holds
#: little (a part of 1,000 records is about 20 MB of JSONL)
PARTS_IN_FLIGHT = 2


def require_dask() -> None:
    """A clear error, not an ImportError, when the extra is not installed."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError("running on Dask needs the optional extra: pip install 'scenegen[dask]'") from None


def connect(address: str, workers: int):
    """A ``distributed.Client``: to the scheduler at ``address``, or with ``address == "local"`` to a new
    LocalCluster of ``workers`` single-threaded processes on this machine."""
    require_dask()
    from distributed import Client, LocalCluster

    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
        client._scenegen_cluster = cluster  # closed with the client by close()
        return client
    try:
        return Client(address, timeout="30s")
    except OSError as exc:
        raise UsageError(f"--scheduler {address}: cannot reach a Dask scheduler there ({exc})") from None


def close(client) -> None:
    cluster = getattr(client, "_scenegen_cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


@functools.lru_cache(maxsize=4)
def _worker_generator(library: Optional[str], config: GenerateConfig) -> Generator:
    """One loaded library per worker process and run, reused by every part the worker makes."""
    return Generator(Library.load(library), config)


def make_part(library: Optional[str], config: GenerateConfig, n: int, index: int, of: int) -> dict:
    """On a worker: part ``index`` of ``of`` of an n-record run, as its part manifest and its files' bytes."""
    generator = _worker_generator(library, config)
    with tempfile.TemporaryDirectory(prefix="scenegen-part-") as tmp:
        part = write_part(generator, n, index, of, Path(tmp))
        return {"part": part, "files": {s: (Path(tmp) / f"{s}.jsonl").read_bytes() for s in SPLITS}}


def store_part(made: dict, part_dir: Path) -> None:
    """On the client: a part made elsewhere into ``part_dir``, all or none (its manifest moved in last)."""
    part_dir = Path(part_dir)
    with writing_into(part_dir) as temps:
        for s in SPLITS:
            write_temp(part_dir, f".{s}.", ".jsonl.part", made["files"][s], temps, s)
        commit_part(made["part"], part_dir, temps)


def _parts_on(client, library: Optional[str]):
    """The ``make_parts`` step of a resumable run, done by the client's workers."""
    from distributed import as_completed

    def make_parts(generator: Generator, n: int, of: int, todo: list[int], dirs: list[Path],
                   progress: Optional[Callable[[int], None]]) -> None:
        threads = max(1, sum(client.nthreads().values()))
        pending = iter(todo)

        def submit(index: int):
            return client.submit(make_part, library, generator.config, n, index, of, pure=False,
                                 key=f"scenegen-part-{generator.config.seed}-{n}-{index}-of-{of}")

        running = as_completed([submit(i) for _, i in zip(range(threads * PARTS_IN_FLIGHT), pending)])
        for future in running:
            made = future.result()
            index = made["part"]["part"]["index"]
            store_part(made, dirs[index])
            future.release()
            if progress is not None:
                start, stop = shard_range(n, index, of)
                progress(stop - start)
            following = next(pending, None)
            if following is not None:
                running.add(submit(following))

    return make_parts


def write_on_dask(generator: Generator, n: int, out_dir: Path, client, *, library: str | Path | None = None,
                  part_size: int = DEFAULT_PART_SIZE,
                  progress: Optional[Callable[[int], None]] = None) -> tuple[dict, int]:
    """The whole run into ``out_dir``, its parts made on the workers of ``client``; return (the manifest, how
    many complete parts of an earlier attempt were kept). ``library`` must name the same library on the
    workers as here (None: the bundled one); a part made from another is refused at the join."""
    require_dask()
    lib = None if library is None else str(library)
    return write_resumable(generator, n, out_dir, part_size=part_size, progress=progress,
                           make_parts=_parts_on(client, lib))


def _part_records(library: Optional[str], config: GenerateConfig, start: int, stop: int) -> list[dict]:
    generator = _worker_generator(library, config)
    return [r for i in range(start, stop) for r in _records(generator, i)]


def record_bag(n: int, config: GenerateConfig, *, library: str | Path | None = None,
               part_size: int = DEFAULT_PART_SIZE):
    """A ``dask.bag.Bag`` of the run's records (dicts, in index order: the records of train.jsonl and
    test.jsonl interleaved as made; each carries its ``split``), one partition per ``part_size`` indices."""
    require_dask()
    import dask.bag as db
    from dask import delayed

    if part_size < 1:
        raise UsageError("part size must be at least 1")
    lib = None if library is None else str(library)
    of = max(1, -(-n // part_size))
    return db.from_delayed([delayed(_part_records, pure=True)(lib, config, *shard_range(n, i, of))
                            for i in range(of)])
