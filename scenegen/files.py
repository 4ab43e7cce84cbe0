"""Files as every stage reads and writes them: the two splits' names, all-or-none moves into place, the
mode a new dataset file gets, and records read back from JSONL, compressed JSONL or Parquet. Below both the
writer (write.py) and the exports, which each build on it."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

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
        backup_dir.rmdir()  # reached only when every old file is back; otherwise the backups stay for a person
        raise
    shutil.rmtree(backup_dir, ignore_errors=True)


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
