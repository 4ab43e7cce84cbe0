"""Write stage: JSONL train and test files, a dataset card and a manifest, each written whole or not at all.

Records stream to temporary files in the output folder; only when every record has been made and the
manifest written are the four files moved into place, manifest last (`commit_files`). A run that fails with an
exception at any step leaves the folder as it was before the run: same names, same bytes, no temporary
files, and no folder that the run created.

Not covered: a process killed outright (SIGKILL, power loss) while the files are being moved into place.
That can leave new files beside old ones, and old ones in a hidden `.backup.*` folder. A run that must
survive being killed while it makes records is written in parts by `scenegen.shards` (`generate --resume`).
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing as mp
import os
import sys
import tempfile
from collections import Counter
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

import orjson

from .exports.card import dataset_card
from .files import SPLITS, commit_files, default_file_mode, read_records, writing_into
from .generate import GenerateConfig, Generator, generator_version
from .records import SCHEMA_VERSION



#: the labels the manifest counts, in the order :func:`_summary` gives them
_LABELS = ("disposition", "level4", "level3", "condition", "complaint", "crisis_resource", "age_group", "sex",
           "speaker", "literacy", "style", "locale", "ambiguity_plausible_initial", "questions_asked")


def _summary(r: dict) -> tuple:
    """What the manifest counts of one record: (split, condition, disposition, the values of ``_LABELS``). Taken
    where the record is made, so the writer does not parse each line back (a worker sends it with the line)."""
    g, p, case = r["gold"], r["persona"], r["case"]
    labels = (g["disposition"], g["level4"], g["level3"], case["condition"], case["complaint"], g["crisis_resource"],
              p["age_group"], p["sex"], p["speaker"], p["literacy"], p["style"], p["locale"],
              str(r["ambiguity"]["plausible_initial"]), str(len(g["questions"])))
    return r["split"], case["condition"], g["disposition"], labels


class _Stats:
    """Label and persona distributions, counted as records stream past (memory independent of n)."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {s: Counter() for s in SPLITS}
        self.by: dict[str, Counter] = {k: Counter() for k in _LABELS}
        self.by_split_disposition: dict[str, Counter] = {s: Counter() for s in SPLITS}
        self.conditions_by_split: dict[str, set[str]] = {s: set() for s in SPLITS}

    def add(self, summary: tuple) -> None:
        """Count one record from its :func:`_summary`."""
        split, condition, disposition, labels = summary
        self.counts[split]["records"] += 1
        for key, value in zip(_LABELS, labels):
            self.by[key][value] += 1
        self.by_split_disposition[split][disposition] += 1
        self.conditions_by_split[split].add(condition)

    def as_dict(self) -> dict:
        return {
            "records": {s: self.counts[s]["records"] for s in SPLITS},
            "distributions": {k: dict(sorted(v.items())) for k, v in self.by.items()},
            "disposition_by_split": {s: dict(sorted(v.items())) for s, v in self.by_split_disposition.items()},
            "conditions_by_split": {s: len(v) for s, v in self.conditions_by_split.items()},
        }

    def state(self) -> dict:
        """Everything counted, as JSON a part manifest keeps, so parts' counts add up to a whole run's."""
        return {"counts": {s: dict(c) for s, c in self.counts.items()},
                "by": {k: dict(sorted(v.items())) for k, v in self.by.items()},
                "by_split_disposition": {s: dict(sorted(v.items())) for s, v in self.by_split_disposition.items()},
                "conditions_by_split": {s: sorted(v) for s, v in self.conditions_by_split.items()}}

    def add_state(self, state: dict) -> None:
        """Add a part's :meth:`state`: counts add, condition sets join."""
        for s in SPLITS:
            self.counts[s].update(state["counts"][s])
            self.by_split_disposition[s].update(state["by_split_disposition"][s])
            self.conditions_by_split[s].update(state["conditions_by_split"][s])
        for k in _LABELS:
            self.by[k].update(state["by"][k])


#: records handed to a worker at a time: large enough that passing them costs little, small enough to stream
_CHUNK = 32
_WORKER: Optional[Generator] = None  # the generator a forked worker inherited


def _line(index: int) -> list[tuple[bytes, tuple]]:
    assert _WORKER is not None
    return [_encoded(r) for r in _records(_WORKER, index)]


def _records(generator: Generator, index: int) -> list[dict]:
    """Record ``index``, or with ``--twins`` the record and its counterfactual twins."""
    if generator.config.twins:
        from .twins import record_group

        return list(record_group(generator, index, generator.config.twins))
    return [generator.record_data(index)]


def _encoded(record: dict) -> tuple[bytes, tuple]:
    """A record's JSONL line and its :func:`_summary`."""
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE), _summary(record)


def _lines(generator: Generator, start: int, stop: int, workers: int, pool=None) -> Iterator[tuple[bytes, tuple]]:
    """Each record of indices start..stop-1 as its JSONL line with its :func:`_summary`, in index order. With
    several workers the records are made in forked processes that inherit the loaded library; record i depends
    only on the seed and i, so the bytes are the same as with one, and the same in a part as in a whole run.
    ``pool`` is one from :func:`record_pool` kept across calls (its workers' caches stay warm)."""
    if pool is not None:
        for group in pool.imap(_line, range(start, stop), chunksize=_CHUNK):
            yield from group
        return
    if workers <= 1 or stop - start < 2 * _CHUNK:
        for i in range(start, stop):
            for r in _records(generator, i):
                yield _encoded(r)
        return
    with record_pool(generator, workers) as pool:
        if pool is None:  # the platform cannot fork
            yield from _lines(generator, start, stop, 1)
        else:
            yield from _lines(generator, start, stop, workers, pool)


@contextmanager
def record_pool(generator: Generator, workers: int):
    """Forked processes making the generator's records, or None with one worker or where the platform cannot
    fork. The workers inherit the loaded library (and the compiled noise rules)."""
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        yield None
        return
    global _WORKER
    _WORKER = generator
    if generator.config.noise == "on":
        generator.noiser  # compiled once here, inherited by every worker
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            yield pool
    finally:
        _WORKER = None


def write_splits(generator: Generator, start: int, stop: int, out_dir: Path, temps: dict[str, Path], *,
                 progress: Optional[Callable[[int], None]] = None, workers: int = 1,
                 pool=None) -> tuple["_Stats", dict]:
    """Stream records start..stop-1 into a temporary file per split in out_dir (named in ``temps`` as soon as it
    exists, so the caller can remove it on failure); return the counts and the sha256 of each split."""
    stats = _Stats()
    digests = {s: hashlib.sha256() for s in SPLITS}
    with ExitStack() as stack:
        handles = {}
        for split in SPLITS:
            fd, name = tempfile.mkstemp(prefix=f".{split}.", suffix=".jsonl.part", dir=out_dir)
            temps[split] = Path(name)
            handles[split] = stack.enter_context(os.fdopen(fd, "wb"))
        stack.enter_context(_bulk_collection())
        for line, summary in _lines(generator, start, stop, workers, pool):
            split = summary[0]
            handles[split].write(line)
            digests[split].update(line)
            stats.add(summary)
            if progress is not None:
                progress(1)
    return stats, digests


def write_temp(out_dir: Path, prefix: str, suffix: str, data: bytes, temps: dict[str, Path], key: str) -> None:
    """``data`` in a new temporary file of out_dir, recorded in ``temps`` under ``key``."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=out_dir)
    temps[key] = Path(name)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def manifest_bytes(manifest: dict) -> bytes:
    return orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def commit_dataset(manifest: dict, kb, out_dir: Path, temps: dict[str, Path]) -> None:
    """Write the manifest and the dataset card beside the split temporaries in ``temps`` and move all four
    into place, manifest last."""
    write_temp(out_dir, ".manifest.", ".json.part", manifest_bytes(manifest), temps, "manifest")
    card = dataset_card(manifest, {s: f"{s}.jsonl" for s in SPLITS}, "records", kb)
    write_temp(out_dir, ".README.", ".md.part", card.encode("utf-8"), temps, "card")
    mode = default_file_mode()
    for path in temps.values():  # mkstemp makes files private (0600); a dataset gets the usual umask-based mode
        os.chmod(path, mode)
    commit_files([(temps[s], out_dir / f"{s}.jsonl") for s in SPLITS] + [(temps["card"], out_dir / "README.md"),
                 (temps["manifest"], out_dir / "manifest.json")], out_dir)


def write_dataset(generator: Generator, n: int, out_dir: Path, *,
                  progress: Optional[Callable[[int], None]] = None, workers: int = 1) -> dict:
    """Generate records 0..n-1 into out_dir/{train,test}.jsonl, out_dir/README.md (the dataset card) and
    out_dir/manifest.json; return the manifest.

    ``workers`` > 1 makes the records in that many processes (where the platform can fork), same bytes."""
    with writing_into(out_dir) as temps:
        stats, digests = write_splits(generator, 0, n, out_dir, temps, progress=progress, workers=workers)
        manifest = _manifest(generator, n, stats, digests)
        commit_dataset(manifest, generator.lib.kb, out_dir, temps)
    return manifest


@contextmanager
def _bulk_collection(threshold: int = 50_000):
    """Fewer garbage-collector passes while records stream: each record makes thousands of short-lived,
    acyclic containers, and the default pass every 700 allocations spends its time walking the library and
    the reasoner's caches, which live for the whole run. Objects alive now are frozen out of the passes;
    the collector's settings are restored afterwards."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def manifest_header(generator: Generator, n: int) -> dict:
    """The part of the manifest that says how the run was made (versions, configuration, library), the same
    for every part of a run; parts whose headers differ cannot be joined."""
    from importlib import metadata

    from .codes import code_set_release

    versions = {}
    for pkg in ("pydantic", "jinja2", "faker", "networkx", "numpy", "orjson", "PyYAML", "simple-icd-10-cm"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    cfg = generator.config
    lib = generator.lib
    return {
        "schema_version": SCHEMA_VERSION,
        "generator_version": generator_version(),
        "python": sys.version.split()[0],
        "versions": versions,
        "icd10cm": code_set_release(),
        "config": {
            "n": n, "seed": cfg.seed, "test_fraction": cfg.test_fraction, "holdout_by": cfg.holdout_by,
            "conditions": list(cfg.conditions), "complaints": list(cfg.complaints), "balance": cfg.balance,
            "ambiguity": cfg.ambiguity, "max_questions": cfg.max_questions, "min_gain": cfg.min_gain,
            "system_prompt": cfg.system_prompt, "name_conditions": cfg.name_conditions, "noise": cfg.noise,
            "twins": list(cfg.twins),
        },
        "library": {"content_sha256": lib.kb.content_hash,
                    "personas_sha256": lib.wording_sha256["personas"], "templates_sha256": lib.wording_sha256["templates"],
                    "conditions": len(lib.kb.conditions), "findings": len(lib.kb.findings)},
    }


def _manifest(generator: Generator, n: int, stats: _Stats, digests: dict) -> dict:
    """Everything needed to reproduce and audit the run; deterministic, so reruns match byte for byte."""
    return manifest_from(manifest_header(generator, n), generator, stats,
                         {s: digests[s].hexdigest() for s in SPLITS})


def manifest_from(header: dict, generator: Generator, stats: _Stats, sha256: dict[str, str]) -> dict:
    """A whole run's manifest from its header, its counts and each split's sha256: one function for a run
    written at once and for one joined from parts, so the two are the same bytes."""
    return {
        **header,
        "files": {f"{s}.jsonl": {"records": stats.counts[s]["records"], "sha256": sha256[s]} for s in SPLITS},
        **stats.as_dict(),
        **({"balance": _balance_report(stats, generator)} if generator.config.balance == "disposition" else {}),
    }


#: how far from equal shares a balanced split's gold dispositions may be
BALANCE_TOLERANCE_PP = 5.0


def _balance_report(stats: _Stats, generator: Generator) -> dict:
    """Per split: each gold disposition's share, the largest distance from equal shares in percentage points,
    and whether that is within the tolerance (a small or held-out split may not be able to reach it)."""
    levels = sorted(d.value for d in generator.dispositions_available)
    out = {}
    for split in SPLITS:
        counts = stats.by_split_disposition[split]
        total = sum(counts.values())
        if not total:
            continue
        shares = {d: round(100.0 * counts.get(d, 0) / total, 2) for d in levels}
        worst = max(abs(v - 100.0 / len(levels)) for v in shares.values())
        out[split] = {"shares_pct": shares, "max_deviation_pp": round(worst, 2),
                      "within_tolerance": worst <= BALANCE_TOLERANCE_PP, "tolerance_pp": BALANCE_TOLERANCE_PP}
    return out


__all__ = ["write_dataset", "read_records", "commit_files", "default_file_mode", "SPLITS", "GenerateConfig"]
