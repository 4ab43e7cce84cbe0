"""A generated dataset as a reviewer reads it: records found by id without holding them all in memory, the
strata a sample is drawn over, and the library identity a review records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import orjson

from ..errors import ScenegenError
from ..files import SPLITS

#: what a sample can be stratified by: a record's value for each
STRATA = ("disposition", "complaint", "persona")


@dataclass(frozen=True)
class Entry:
    """Where a record is and what a sample needs of it."""

    file: str
    offset: int
    length: int
    disposition: str
    complaint: str
    persona: str


def strata_of(record: dict) -> tuple[str, str, str]:
    persona = record.get("persona") or {}
    return (str(record["gold"]["disposition"]), str(record["case"]["complaint"]),
            f"{persona.get('speaker', '?')}, {persona.get('age_group', '?')}")


class Dataset:
    """The records of DATA_DIR/train.jsonl and test.jsonl, indexed by id (an offset each, not the record)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        files = [self.folder / f"{s}.jsonl" for s in SPLITS if (self.folder / f"{s}.jsonl").is_file()]
        if not files:
            raise ScenegenError(f"{self.folder}: no train.jsonl or test.jsonl; give the folder 'scenegen generate' "
                                "wrote")
        self.entries: dict[str, Entry] = {}
        self.order: list[str] = []
        for path in files:
            offset = 0
            with open(path, "rb") as fh:
                for lineno, raw in enumerate(fh, 1):
                    try:
                        record = orjson.loads(raw)
                        rid = record["id"]
                        disposition, complaint, persona = strata_of(record)
                    except (orjson.JSONDecodeError, KeyError, TypeError):
                        raise ScenegenError(f"{path}:{lineno}: not a scenegen record (run 'scenegen validate' "
                                            "on it)") from None
                    if rid in self.entries:
                        raise ScenegenError(f"{path}:{lineno}: id {rid} appears twice in the dataset")
                    self.entries[rid] = Entry(path.name, offset, len(raw), disposition, complaint, persona)
                    self.order.append(rid)
                    offset += len(raw)
        self.position = {rid: i for i, rid in enumerate(self.order)}
        """each record's place in dataset order, from 0"""
        self.manifest = self._manifest()

    def _manifest(self) -> dict:
        path = self.folder / "manifest.json"
        try:
            return orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}

    def library_id(self) -> dict:
        """The library the records were made from, as the manifest names it (what a review records)."""
        lib = self.manifest.get("library") or {}
        return {k: lib[k] for k in ("content_sha256", "personas_sha256", "templates_sha256") if lib.get(k)}

    def record(self, rid: str) -> Optional[dict]:
        entry = self.entries.get(rid)
        if entry is None:
            return None
        with open(self.folder / entry.file, "rb") as fh:
            fh.seek(entry.offset)
            return orjson.loads(fh.read(entry.length))
