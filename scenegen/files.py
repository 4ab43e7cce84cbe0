"""Files as every stage reads and writes them: the two splits' names, all-or-none moves into place, the
mode a new dataset file gets, and records read back from JSONL, compressed JSONL or Parquet. Below both the
writer (write.py) and the exports, which each build on it."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Iterable, Iterator

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

import orjson

from .errors import UsageError

SPLITS = ("train", "test")


def commit_files(moves: list[tuple[Path, Path]], out_dir: Path) -> None:
    """Rename each (temporary file, target) into place, in order, all or none.

    One os.replace is atomic, but a failure between two of them would leave a new train.jsonl beside the
    old test.jsonl and manifest. So each existing target is first renamed into a private backup folder; if
    any step fails, the new files are removed and the old ones renamed back. The backups are deleted once
    every file is in place. (Renaming, unlike hard-linking, works on every filesystem; the price is that a
    reader looking during the commit may briefly find a name missing.)
    """
    backup_dir = Path(tempfile.mkdtemp(prefix=".backup.", dir=out_dir))
    placed: list[Path] = []
    try:
        # the journal a later run reads if this one is killed outright between two renames (recover_output)
        # each target's name and whether it existed before, so that a target found without a backup can be told
        # apart: an old file not reached yet (kept) from a new one where there was none (removed)
        (backup_dir / _JOURNAL).write_text("".join(f"{int(os.path.lexists(target))} {target.name}\n"
                                                   for _, target in moves), encoding="utf-8")
        for temp, target in moves:
            if os.path.lexists(target):
                os.replace(target, backup_dir / target.name)
            os.replace(temp, target)
            placed.append(target)
    except BaseException:
        for _, target in reversed(moves):
            backup = backup_dir / target.name
            if os.path.lexists(backup):
                os.replace(backup, target)
            elif target in placed:
                target.unlink()
        (backup_dir / _JOURNAL).unlink(missing_ok=True)
        backup_dir.rmdir()  # reached only when every old file is back; otherwise the backups stay for a person
        raise
    shutil.rmtree(backup_dir, ignore_errors=True)


_JOURNAL = "moves"
_held: set[str] = set()  # output folders this process holds (a resumable run claims its folder, then merges into it)


def recover_output(out_dir: Path) -> list[str]:
    """Undo what a run killed outright (kill -9, power loss) left in ``out_dir``: a commit stopped between two
    renames is rolled back from its backup folder and journal (old files renamed back, new ones its journal
    names but that had no old file removed), and temporary ``.*.part`` files are deleted. Call it only while
    holding the folder (`claim_output`). Returns what was done, for a message."""
    done: list[str] = []
    for backup_dir in sorted(out_dir.glob(".backup.*")):
        journal = backup_dir / _JOURNAL
        if not backup_dir.is_dir() or not journal.is_file():
            continue
        for entry in journal.read_text(encoding="utf-8").splitlines():
            existed, _, name = entry.partition(" ")
            if not name or "/" in name or name in {".", ".."}:
                continue
            target, backup = out_dir / name, backup_dir / name
            if os.path.lexists(backup):
                os.replace(backup, target)
            elif existed == "0" and os.path.lexists(target):
                target.unlink()  # placed by the killed run where no file was before
        shutil.rmtree(backup_dir, ignore_errors=True)
        done.append(f"rolled back an interrupted commit ({backup_dir.name})")
    for path in out_dir.glob(".*.part"):
        if path.is_file():
            path.unlink(missing_ok=True)
            done.append(f"removed {path.name}")
    return done


@contextmanager
def claim_output(out_dir: Path) -> Iterator[list[str]]:
    """Hold ``out_dir`` for one writer: a second scenegen writing into the same folder stops at once with a
    clear error instead of leaving one run's data under the other's manifest. The folder is created if needed
    and what a killed run left is recovered first (the list yielded says what). Re-entrant within a process;
    where the platform has no ``fcntl`` (Windows) the folder is not locked."""
    out_dir = Path(out_dir)
    key = str(out_dir.resolve())
    if key in _held:
        yield []
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir, os.O_RDONLY)  # the folder itself is locked, so no lock file is left in a dataset
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UsageError(f"{out_dir} is being written by another scenegen run; wait for it to end or "
                                 "choose another --out") from None
        _held.add(key)
        try:
            yield recover_output(out_dir)
        finally:
            _held.discard(key)
    finally:
        os.close(fd)  # closing releases the lock


def replace_whole(path: Path, data: bytes, *, mode: int | None = None, durable: bool = False) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, renamed into place. ``mode``: the new
    file's permissions (mkstemp's private 0600 otherwise); ``durable``: flushed to disk before the rename, for a
    file people edit and would miss (a cache that can be rebuilt need not pay for it)."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def read_records(path: Path) -> Iterable[tuple[int, dict | None, str | None]]:
    """(line number, parsed object or None, error or None) for each record of a file: JSONL, compressed JSONL
    (``.gz``, ``.zst``), or Parquet (``.parquet``, row numbers from 1; needs pyarrow), as generate and export write them."""
    path = Path(path)
    if path.suffix == ".parquet":
        yield from _parquet_records(path)
        return
    try:
        with _open_text_records(path) as fh:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    yield lineno, orjson.loads(raw), None
                except orjson.JSONDecodeError as exc:
                    yield lineno, None, f"not valid JSON: {exc}"
    except (OSError, EOFError) as exc:  # a truncated or non-gzip .gz file (pyarrow's errors are OSErrors too)
        if isinstance(exc, FileNotFoundError):
            raise
        yield 0, None, f"cannot read the file: {exc}"


def _open_text_records(path: Path):
    """A binary stream of a JSONL file, decompressed when it ends in .gz or .zst (zstd needs pyarrow)."""
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    if path.suffix == ".zst":
        try:
            import pyarrow
        except ImportError:
            raise UsageError(f"{path}: reading zstd needs pyarrow: pip install 'scenegen[parquet]'") from None
        return io.BufferedReader(pyarrow.input_stream(str(path), compression="zstd"))
    return open(path, "rb")


def _parquet_records(path: Path) -> Iterable[tuple[int, dict | None, str | None]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(f"{path}: reading Parquet needs pyarrow: pip install 'scenegen[parquet]'") from None
    try:
        reader = pq.ParquetFile(str(path))
    except Exception as exc:  # pyarrow raises its own ArrowInvalid for a file that is not Parquet
        yield 0, None, f"not a Parquet file: {exc}"
        return
    row = 0
    for batch in reader.iter_batches(batch_size=1024):  # memory bounded by the batch, not the file
        for obj in batch.to_pylist():
            row += 1
            yield row, obj, None


@contextmanager
def writing_into(out_dir: Path) -> Iterator[dict[str, Path]]:
    """Hold ``out_dir`` for one writer (`claim_output`) and yield the dict of temporary files the writer fills; on
    any failure those are deleted and the folders this call created removed, so the folder is as it was."""
    out_dir = Path(out_dir)
    created = [p for p in (out_dir, *out_dir.parents) if not p.exists()]  # leaf first
    temps: dict[str, Path] = {}
    try:
        with claim_output(out_dir):
            yield temps
    except BaseException:
        for path in temps.values():
            path.unlink(missing_ok=True)
        for folder in created:
            with suppress(OSError):
                folder.rmdir()
        raise
