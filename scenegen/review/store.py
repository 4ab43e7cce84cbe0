"""Reviews as data: one JSON object per line of ``reviews.jsonl`` beside the dataset, validated by a schema like
the records, each appended whole and made durable before the writer is told it is saved.

Why a lock and fsync: two reviewers (two browser tabs, or two ``scenegen review`` processes on one dataset) may
save at the same moment; an exclusive ``flock`` on the file and one ``write`` of the whole line under
``O_APPEND`` keep lines whole and in one piece, and ``fsync`` before answering means a review acknowledged to
the page survives a crash or power loss."""

from __future__ import annotations

import fcntl
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Literal, Optional

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..content import Disposition
from ..errors import ScenegenError

REVIEWS_FILE = "reviews.jsonl"
SCHEMA = "scenegen.review/1"
MAX_LINE = 64 * 1024  # a review is a few hundred bytes; a line far past this is not one

TurnFlagKind = Literal["wrong_clinically", "contradicts_case", "unnatural_wording", "unsafe_or_diagnostic",
                       "missing_question"]
TURN_FLAGS: tuple[str, ...] = TurnFlagKind.__args__  # type: ignore[attr-defined]
Verdict = Literal["agree", "too_high", "too_low"]

_Text = Field(default="", max_length=4000)


class ReviewError(ScenegenError):
    """A reviews file or a review that is not valid, with the line and what would be valid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TurnFlag(_Strict):
    """What a reviewer found wrong with one message (``turn``: its index in the record's messages)."""

    turn: int = Field(ge=0, le=1000)
    flags: list[TurnFlagKind] = Field(default_factory=list, max_length=len(TURN_FLAGS))
    missing_question: str = Field(default="", max_length=500, description="with missing_question: which question")
    comment: str = _Text

    @model_validator(mode="after")
    def _says_something(self) -> "TurnFlag":
        if not self.flags and not self.comment.strip():
            raise ValueError("a turn flag needs at least one flag or a comment")
        if len(set(self.flags)) != len(self.flags):
            raise ValueError("a flag is given twice")
        if "missing_question" in self.flags and not self.missing_question.strip():
            raise ValueError("missing_question needs the question that should have been asked")
        return self


class Judgement(_Strict):
    """A clinician's reading of one dialogue."""

    disposition: Optional[Verdict] = Field(default=None, description="the gold disposition: agree, too high, too low")
    reviewer_disposition: Optional[Disposition] = Field(default=None, description="the level the reviewer would give")
    turns: list[TurnFlag] = Field(default_factory=list, max_length=200)
    comment: str = _Text
    no_issue: bool = Field(default=False, description="reviewed, nothing wrong")


class LibraryId(_Strict):
    content_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    personas_sha256: Optional[str] = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    templates_sha256: Optional[str] = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class Review(_Strict):
    schema_: Literal["scenegen.review/1"] = Field(default=SCHEMA, alias="schema")
    reviewer: str = Field(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]+$")
    time: str = Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", description="UTC, ISO 8601")
    record_id: str = Field(min_length=1, max_length=200)
    gold_disposition: Disposition
    library: LibraryId
    scenegen_version: str = Field(min_length=1, max_length=80)
    judgement: Judgement

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _consistent(self) -> "Review":
        j = self.judgement
        if j.no_issue and (j.turns or j.disposition not in (None, "agree")):
            raise ValueError("'no issue' cannot come with turn flags or a disagreement over the disposition")
        if j.disposition is None and not (j.turns or j.comment.strip() or j.no_issue):
            raise ValueError("a review must judge the disposition, flag a turn, comment, or say 'no issue'")
        if j.disposition in ("too_high", "too_low") and j.reviewer_disposition is None:
            raise ValueError(f"disposition {j.disposition!r} needs the level the reviewer would give")
        if j.reviewer_disposition is not None:
            gold, mine = self.gold_disposition.rank, j.reviewer_disposition.rank
            expected = "agree" if mine == gold else "too_high" if gold > mine else "too_low"
            if j.disposition != expected:
                raise ValueError(f"the reviewer's level {j.reviewer_disposition.value} against gold "
                                 f"{self.gold_disposition.value} is {expected!r}, not {j.disposition!r}")
        return self

    @property
    def level(self) -> Disposition:
        """The disposition this reviewer gives (the gold one where they agreed or did not judge it)."""
        return self.judgement.reviewer_disposition or self.gold_disposition

    def line(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json", by_alias=True, exclude_none=True)) + b"\n"


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "review"
    return f"{where}: {first['msg']}"


def parse_review(data: object) -> Review:
    """A review from decoded JSON, or a ReviewError saying which field is wrong and why."""
    try:
        return Review.model_validate(data)
    except ValidationError as exc:
        raise ReviewError(_problem(exc).replace("Value error, ", "")) from None


def append_review(path: Path, review: Review) -> None:
    """Append one review whole and durably (see the module docstring); safe with other writers at once."""
    path = Path(path)
    line = review.line()
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    if created:  # the new file's name must survive a crash too
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read_reviews(path: Path) -> Iterator[Review]:
    """Every review of a reviews file, in the order written; a clear error naming the line for one that is not
    valid. A missing file has none."""
    path = Path(path)
    if not path.exists():
        return
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if len(raw) > MAX_LINE:
                raise ReviewError(f"{path}:{lineno}: a line of {len(raw):,} bytes is not a review "
                                  f"(at most {MAX_LINE:,})")
            if not raw.strip():
                continue
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise ReviewError(f"{path}:{lineno}: not JSON ({exc}); each line must be one review object") from None
            try:
                yield parse_review(data)
            except ReviewError as exc:
                raise ReviewError(f"{path}:{lineno}: {exc}") from None


def latest(reviews: Iterator[Review] | list[Review]) -> dict[tuple[str, str], Review]:
    """Each reviewer's last word on each record: a later save of the same record replaces the earlier."""
    out: dict[tuple[str, str], Review] = {}
    for r in reviews:
        out[(r.reviewer, r.record_id)] = r
    return out
