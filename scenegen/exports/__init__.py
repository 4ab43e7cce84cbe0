"""Exports: a generated dataset rewritten in the layout each training or evaluation tool loads.

``export_dataset`` reads DIR/{train,test}.jsonl (checking every record against the schema), writes the chosen
format, a dataset card (README.md) and Croissant metadata (croissant.json) into OUT, all files or none (the same commit as ``generate``), and returns a summary.
The row shapes are pure functions in :mod:`.rows`; Parquet and the Arrow schema are in :mod:`.arrow`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Iterable, Iterator, Optional

import orjson
from pydantic import ValidationError

from ..errors import UsageError
from ..knowledge import KnowledgeBase
from ..records import SCHEMA_VERSION, Record
from ..files import SPLITS, commit_files, default_file_mode, read_records
from .card import DATA_LICENCE, dataset_card
from .croissant import croissant
from .rows import SYSTEM_MODES, gold_row, messages_row, sharegpt_row, turn_rows

FORMATS: tuple[str, ...] = ("messages", "sharegpt", "turns", "gold", "parquet")
COMPRESSIONS: tuple[str, ...] = ("none", "gz", "zst")


def _records(path: Path) -> Iterator[dict]:
    """Every record of one file, checked against the schema; a bad line stops the export with file:line."""
    for lineno, obj, error in read_records(path):
        if error is None:
            if not isinstance(obj, dict) or obj.get("schema_version") != SCHEMA_VERSION:
                found = obj.get("schema_version") if isinstance(obj, dict) else type(obj).__name__
                error = f"schema_version is {found!r}; this scenegen reads {SCHEMA_VERSION!r} (regenerate the data)"
            else:
                try:
                    Record.model_validate(obj)
                except ValidationError as exc:
                    first = exc.errors()[0]
                    where = ".".join(str(x) for x in first["loc"])
                    error = f"{where}: {first['msg']}"
        if error is not None:
            raise UsageError(f"{path}:{lineno}: {error}")
        yield obj


def _rows(fmt: str, records: Iterable[dict], system: str) -> Iterator[dict]:
    for r in records:
        if fmt == "messages":
            yield messages_row(r, system)  # type: ignore[arg-type]
        elif fmt == "sharegpt":
            yield sharegpt_row(r, system)  # type: ignore[arg-type]
        elif fmt == "turns":
            yield from turn_rows(r, system)  # type: ignore[arg-type]
        else:
            yield r if fmt == "parquet" else gold_row(r)


def _sharegpt_info(files: dict[str, str], name: str) -> dict:
    """LLaMA-Factory's dataset_info.json entries, one per split (``dataset: scenegen_train`` with ``dataset_dir``
    the export's folder; loaded and trained by LLaMA-Factory 0.9.5, examples/llamafactory_axolotl_smoke.md)."""
    return {f"{name}_{split}": {"file_name": path, "formatting": "sharegpt",
                                "columns": {"messages": "conversations", "system": "system"},
                                "tags": {"role_tag": "from", "content_tag": "value",
                                         "user_tag": "human", "assistant_tag": "gpt"}}
            for split, path in sorted(files.items())}


def export_dataset(src: Path, fmt: str, out: Path, *, system: str = "keep", compress: str = "none",
                   kb: Optional[KnowledgeBase] = None, name: str = "scenegen") -> dict:
    """Write src's dataset to out in format ``fmt``; return {file name: rows written}."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
    if system not in SYSTEM_MODES:
        raise UsageError(f"unknown --system {system!r}; valid: {', '.join(SYSTEM_MODES)}")
    if compress not in COMPRESSIONS or (compress != "none" and fmt == "parquet"):
        raise UsageError(f"--compress {compress!r} does not apply to {fmt}; valid: none (parquet is compressed "
                         "inside), or gz or zst for the JSONL formats")
    if compress != "none" and fmt == "sharegpt":
        # its dataset_info.json names the files for LLaMA-Factory, which picks a reader by the last extension
        # (json, jsonl, csv, parquet, arrow, txt) and refuses train.jsonl.gz ("Allowed file types", 0.9.5)
        raise UsageError(f"--compress {compress!r} does not apply to sharegpt: LLaMA-Factory, which its "
                         "dataset_info.json is for, reads only uncompressed .jsonl; valid: none")
    manifest_path = src / "manifest.json"
    if not manifest_path.is_file():
        raise UsageError(f"{src}: no manifest.json; export reads a folder written by 'scenegen generate'")
    try:
        manifest = orjson.loads(manifest_path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"{manifest_path}: not valid JSON: {exc}") from None
    for split in SPLITS:
        if not (src / f"{split}.jsonl").is_file():
            raise UsageError(f"{src}: no {split}.jsonl")
    suffix = ".parquet" if fmt == "parquet" else ".jsonl" + ("" if compress == "none" else f".{compress}")
    files = {split: f"{split}{suffix}" for split in SPLITS}
    counts: dict[str, int] = {}
    temps: dict[str, Path] = {}
    out.mkdir(parents=True, exist_ok=True)

    def temp(final: str) -> Path:
        fd, name_ = tempfile.mkstemp(prefix=f".{final}.", suffix=".part", dir=out)
        os.close(fd)
        temps[final] = Path(name_)
        return temps[final]

    described: dict[str, tuple[str, str, dict]] = {}
    try:
        for split in SPLITS:
            first: list[dict] = []
            rows = _keep_first(_rows(fmt, _records(src / f"{split}.jsonl"), system), first)
            path = temp(files[split])
            if fmt == "parquet":
                from .arrow import write_parquet
                counts[files[split]] = write_parquet(rows, path)
            else:
                counts[files[split]] = _write_jsonl(rows, path, compress)
            described[split] = (files[split], _sha256(path), first[0] if first else {})
        extras: dict[str, bytes] = {
            "README.md": dataset_card(manifest, files, fmt, kb).encode("utf-8"),
            "croissant.json": orjson.dumps(croissant(
                name=f"{name}-{fmt}", description=_DESCRIPTION, version=f"{manifest['generator_version']}",
                license_text=DATA_LICENCE, cite_as=f"scenegen {manifest['generator_version']}, seed "
                f"{manifest['config']['seed']}, library {manifest['library']['content_sha256'][:12]}",
                files=described), option=orjson.OPT_INDENT_2) + b"\n"}
        if fmt == "sharegpt":
            extras["dataset_info.json"] = orjson.dumps(_sharegpt_info(files, name), option=orjson.OPT_INDENT_2) + b"\n"
        for final, data in extras.items():
            temp(final).write_bytes(data)
        mode = default_file_mode()
        for path in temps.values():
            os.chmod(path, mode)
        commit_files([(temps[f], out / f) for f in temps], out)
    except BaseException:
        for path in temps.values():
            path.unlink(missing_ok=True)
        raise
    return counts


_DESCRIPTION = ("Synthetic patient-assistant telephone-triage dialogues with gold labels (disposition, clarifying "
                "questions, red flags, reasoning). Not medical advice; the clinical content is not yet reviewed by a "
                "human clinician. See README.md.")


def _keep_first(rows: Iterable[dict], first: list[dict]) -> Iterator[dict]:
    """Pass rows through, keeping the first (its columns describe the file in croissant.json)."""
    for row in rows:
        if not first:
            first.append(row)
        yield row


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_jsonl(rows: Iterable[dict], path: Path, compress: str) -> int:
    n = 0
    with ExitStack() as stack:
        if compress == "zst":  # zstd through pyarrow (the parquet extra), not one more dependency
            from .arrow import _pyarrow
            fh = stack.enter_context(_pyarrow().CompressedOutputStream(str(path), "zstd"))
        else:
            raw = stack.enter_context(open(path, "wb"))
            # mtime=0 and no file name in the header, so the same rows give the same bytes
            fh = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="")) if compress == "gz" else raw
        for row in rows:
            fh.write(orjson.dumps(row) + b"\n")
            n += 1
    return n


__all__ = ["FORMATS", "COMPRESSIONS", "export_dataset"]
