"""Runs in parts: `generate --shard I/K` writes records [floor(n*I/K), floor(n*(I+1)/K)) as a part (its own
train/test JSONL and a part.json with the run's header, the index range, each file's sha256 and the counts);
`merge` joins the K parts of a run into the dataset a whole run writes, byte for byte; `generate --resume`
writes a whole run as parts under OUT/.parts/ so that a run killed outright (kill -9, power loss) restarts
from the first part not yet complete.

Why this is exact: record i depends only on the seed and i, so a part's lines are the same bytes as those
lines of a whole run; the manifest of a joined run is made by the same function (`write.manifest_from`) from
the parts' counts added up, and the sha256 of each joined file is taken over the bytes as they are copied.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
from pathlib import Path
from typing import Callable, Optional

import orjson

from .errors import ScenegenError, UsageError
from .files import SPLITS, claim_output, commit_files, default_file_mode, writing_into
from .generate import GenerateConfig, Generator, Library
from .write import (_Stats, commit_dataset, manifest_bytes, manifest_from, manifest_header, record_pool, write_splits,
                    write_temp)

PART_MANIFEST = "part.json"
PARTS_DIR = ".parts"
RUN_FILE = "run.json"
#: records per part of a resumable run: a kill loses at most this much work
DEFAULT_PART_SIZE = 1000
_COPY_BLOCK = 1 << 20


class PartError(ScenegenError):
    """Parts that cannot be joined: missing, from different runs, overlapping or altered."""


def parse_shard(text: str) -> tuple[int, int]:
    """'I/K' as (I, K), with 0 <= I < K."""
    try:
        left, right = text.split("/")
        index, of = int(left), int(right)
    except ValueError:
        raise UsageError(f"--shard {text!r}: expected I/K, two whole numbers such as 0/4") from None
    if of < 1 or not 0 <= index < of:
        raise UsageError(f"--shard {text!r}: I must be 0..K-1 and K at least 1 (parts are numbered from 0)")
    return index, of


def shard_range(n: int, index: int, of: int) -> tuple[int, int]:
    """The record indices of part ``index`` of ``of``: [floor(n*I/K), floor(n*(I+1)/K))."""
    return n * index // of, n * (index + 1) // of


def _part_manifest(header: dict, index: int, of: int, start: int, stop: int, stats: _Stats, sha256: dict) -> dict:
    return {"part": {"index": index, "of": of, "start": start, "stop": stop}, "header": header,
            "files": {f"{s}.jsonl": {"records": stats.counts[s]["records"], "sha256": sha256[s]} for s in SPLITS},
            "stats": stats.state()}


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_COPY_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def read_part(part_dir: Path) -> dict:
    """A part's part.json, checked for shape; a clear error when it is missing or not a part manifest."""
    path = Path(part_dir) / PART_MANIFEST
    if not path.is_file():
        raise PartError(f"{part_dir}: no {PART_MANIFEST}: not a complete part written by 'generate --shard' "
                        "(a part stopped before its end has none; write it again)")
    try:
        part = orjson.loads(path.read_bytes())
        info = part["part"]
        int(info["index"]), int(info["of"]), int(info["start"]), int(info["stop"])
        part["header"]["config"]["n"], part["stats"]["counts"]
        for s in SPLITS:
            part["files"][f"{s}.jsonl"]["sha256"]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise PartError(f"{path}: not a part manifest ({type(exc).__name__}: {exc})") from None
    return part


def part_is_complete(part_dir: Path, header: dict, index: int, of: int) -> bool:
    """Whether part_dir holds part ``index`` of ``of`` of the run ``header`` describes, its files whole
    (their sha256 as recorded)."""
    try:
        part = read_part(part_dir)
    except PartError:
        return False
    if part["header"] != header or (part["part"]["index"], part["part"]["of"]) != (index, of):
        return False
    for s in SPLITS:
        path = Path(part_dir) / f"{s}.jsonl"
        if not path.is_file() or _file_sha256(path) != part["files"][f"{s}.jsonl"]["sha256"]:
            return False
    return True


def write_part(generator: Generator, n: int, index: int, of: int, out_dir: Path, *,
               progress: Optional[Callable[[int], None]] = None, workers: int = 1, pool=None) -> dict:
    """Write part ``index`` of ``of`` of an n-record run into out_dir (train.jsonl, test.jsonl, part.json, the
    last moved into place last, all or none); return its part manifest. ``pool``: a `write.record_pool` kept
    across parts."""
    out_dir = Path(out_dir)
    start, stop = shard_range(n, index, of)
    with writing_into(out_dir) as temps:
        stats, digests = write_splits(generator, start, stop, out_dir, temps, progress=progress,
                                       workers=workers, pool=pool)
        part = _part_manifest(manifest_header(generator, n), index, of, start, stop, stats,
                              {s: digests[s].hexdigest() for s in SPLITS})
        commit_part(part, out_dir, temps)
    return part


def commit_part(part: dict, out_dir: Path, temps: dict[str, Path]) -> None:
    """Write the part manifest beside the split temporaries in ``temps`` and move all three into place, the
    manifest last (a part without its manifest is not complete, so a resumed run makes it again)."""
    write_temp(out_dir, ".part.", ".json.part", manifest_bytes(part), temps, "part")
    mode = default_file_mode()
    for path in temps.values():
        path.chmod(mode)
    commit_files([(temps[s], out_dir / f"{s}.jsonl") for s in SPLITS]
                 + [(temps["part"], out_dir / PART_MANIFEST)], out_dir)


def config_of(header: dict) -> GenerateConfig:
    """The generator configuration a manifest header records."""
    c = header["config"]
    return GenerateConfig(seed=c["seed"], test_fraction=c["test_fraction"], holdout_by=c["holdout_by"],
                          conditions=tuple(c["conditions"]), complaints=tuple(c["complaints"]), balance=c["balance"],
                          ambiguity=c["ambiguity"], max_questions=c["max_questions"], min_gain=c["min_gain"],
                          system_prompt=c["system_prompt"], name_conditions=c["name_conditions"], noise=c["noise"],
                          twins=tuple(c["twins"]))


def _differences(a: dict, b: dict, prefix: str = "") -> list[str]:
    """The dotted keys whose values differ between two headers, with both values."""
    out = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if isinstance(x, dict) and isinstance(y, dict):
            out += _differences(x, y, f"{prefix}{key}.")
        elif x != y:
            out.append(f"{prefix}{key} {x!r} vs {y!r}")
    return out


def check_parts(parts: list[tuple[Path, dict]]) -> list[tuple[Path, dict]]:
    """The parts in index order, after checking they are one run's, cover it exactly once and are contiguous."""
    if not parts:
        raise PartError("no parts given")
    first_dir, first = parts[0]
    for d, p in parts[1:]:
        diff = _differences(first["header"], p["header"])
        if diff:
            raise PartError(f"{d} is not from the same run as {first_dir}: " + "; ".join(diff[:5]))
    of, n = first["part"]["of"], first["header"]["config"]["n"]
    seen: dict[int, Path] = {}
    for d, p in parts:
        info = p["part"]
        if info["of"] != of:
            raise PartError(f"{d} is part {info['index']}/{info['of']} but {first_dir} is one of {of} parts")
        if info["index"] in seen:
            raise PartError(f"{d} and {seen[info['index']]} are both part {info['index']}/{of}")
        if (info["start"], info["stop"]) != shard_range(n, info["index"], of):
            raise PartError(f"{d}: part {info['index']}/{of} holds records {info['start']}..{info['stop'] - 1}, "
                            f"not the range of that part of {n} records")
        seen[info["index"]] = d
    missing = [i for i in range(of) if i not in seen]
    if missing:
        raise PartError(f"missing part(s) {', '.join(f'{i}/{of}' for i in missing)} of a run of {n} records")
    return sorted(parts, key=lambda dp: dp[1]["part"]["index"])


def _copy_checked(part_dir: Path, name: str, expected: str, out, digest) -> None:
    """Append part_dir/name to ``out`` and ``digest``; a clear error when its bytes are not those recorded."""
    path = part_dir / name
    mine = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(_COPY_BLOCK):
                mine.update(block)
                digest.update(block)
                out.write(block)
    except FileNotFoundError:
        raise PartError(f"{path}: missing; the part is incomplete") from None
    if mine.hexdigest() != expected:
        raise PartError(f"{path}: its sha256 is not the one in {PART_MANIFEST}: the file was changed or cut short")


def merge_parts(part_dirs: list[Path], out_dir: Path, *, generator: Optional[Generator] = None,
                library: str | Path | None = None) -> dict:
    """Join the parts of one run into out_dir/{train,test}.jsonl, README.md and manifest.json, the same bytes as
    the whole run; return the manifest. ``generator`` is the run's (else one is made from the parts' header
    and ``library``, which must be the library the parts were made from)."""
    parts = check_parts([(Path(d), read_part(Path(d))) for d in part_dirs])
    header = parts[0][1]["header"]
    if generator is None:
        generator = Generator(Library.load(library), config_of(header))
    diff = _differences(header, manifest_header(generator, header["config"]["n"]))
    if diff:
        raise PartError("the parts were made with another library, version or configuration than this one: "
                        + "; ".join(diff[:5]))
    out_dir = Path(out_dir)
    stats = _Stats()
    sha256 = {}
    with writing_into(out_dir) as temps:
        for s in SPLITS:
            digest = hashlib.sha256()
            write_temp(out_dir, f".{s}.", ".jsonl.part", b"", temps, s)
            with open(temps[s], "ab") as out:
                for d, p in parts:
                    _copy_checked(d, f"{s}.jsonl", p["files"][f"{s}.jsonl"]["sha256"], out, digest)
            sha256[s] = digest.hexdigest()
        for _, p in parts:
            stats.add_state(p["stats"])
        manifest = manifest_from(header, generator, stats, sha256)
        commit_dataset(manifest, generator.lib.kb, out_dir, temps)
    return manifest


#: how the missing parts of a resumable run get made: (generator, n, of, indices to make, every part's folder,
#: progress) -> None, each part written whole into its folder (locally here; on Dask in scenegen.distributed)
MakeParts = Callable[[Generator, int, int, list, list, Optional[Callable[[int], None]]], None]


def write_resumable(generator: Generator, n: int, out_dir: Path, *, part_size: int = DEFAULT_PART_SIZE,
                    progress: Optional[Callable[[int], None]] = None, workers: int = 1,
                    make_parts: Optional[MakeParts] = None) -> tuple[dict, int]:
    """A whole run written part by part under out_dir/.parts/, the complete parts of an earlier attempt with the
    same header kept, then joined into out_dir; return (the manifest, how many parts were kept). The result is
    the bytes write_dataset writes. The folder is held for this run throughout (`claim_output`).
    ``make_parts``: who makes the missing parts (default: this process with ``workers`` forked workers)."""
    if part_size < 1:
        raise UsageError("part size must be at least 1")
    out_dir = Path(out_dir)
    with claim_output(out_dir):
        return _write_resumable(generator, n, out_dir, part_size, progress,
                                make_parts or functools.partial(_make_parts_here, workers=workers))


def _make_parts_here(generator: Generator, n: int, of: int, todo: list[int], dirs: list[Path],
                     progress: Optional[Callable[[int], None]], *, workers: int) -> None:
    with record_pool(generator, workers if todo else 1) as pool:  # one pool for every part: its caches stay warm
        for index in todo:
            write_part(generator, n, index, of, dirs[index], progress=progress, workers=workers, pool=pool)


def _write_resumable(generator: Generator, n: int, out_dir: Path, part_size: int,
                     progress: Optional[Callable[[int], None]], make_parts: MakeParts) -> tuple[dict, int]:
    parts_dir = out_dir / PARTS_DIR
    of = max(1, -(-n // part_size))
    header = manifest_header(generator, n)
    run = {"header": header, "of": of}
    run_file = parts_dir / RUN_FILE
    if run_file.is_file():
        try:
            before = orjson.loads(run_file.read_bytes())
        except orjson.JSONDecodeError:
            before = None
        if before is not None and before != run:
            diff = _differences(before.get("header", {}), header) or [f"parts {before.get('of')!r} vs {of!r}"]
            raise PartError(f"{parts_dir} holds parts of a different run ({'; '.join(diff[:5])}); rerun with the "
                            f"same options (and --part-size), or delete {parts_dir} to start again")
    parts_dir.mkdir(parents=True, exist_ok=True)  # out_dir's own leftovers went when claim_output took it
    if not run_file.is_file():
        temps: dict[str, Path] = {}
        write_temp(parts_dir, ".run.", ".json.part", manifest_bytes(run), temps, "run")
        commit_files([(temps["run"], run_file)], parts_dir)
    kept = 0
    dirs = [parts_dir / f"part-{index:05d}-of-{of:05d}" for index in range(of)]
    todo = []
    for index, part_dir in enumerate(dirs):
        if part_is_complete(part_dir, header, index, of):
            kept += 1
            if progress is not None:
                start, stop = shard_range(n, index, of)
                progress(stop - start)
        else:
            todo.append(index)
    make_parts(generator, n, of, todo, dirs, progress)
    manifest = merge_parts(dirs, out_dir, generator=generator)
    shutil.rmtree(parts_dir, ignore_errors=True)
    return manifest, kept
