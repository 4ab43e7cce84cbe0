"""Reviewed records for trainers who want human-verified labels only: each record whose disposition a reviewer
judged, with the reviewers' level beside the generator's."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from ..content import Disposition
from ..records import Gold, Record
from .dataset import Dataset
from .store import Review, latest


class ReviewedGold(Gold):
    reviewed_disposition: Disposition
    """the level clinical reviewers gave (the most given; a tie to the more urgent)"""
    reviewed_by: int
    """how many reviewers judged the disposition"""


class ReviewedRecord(Record):
    """A line of 'scenegen review export': a generated record whose gold also carries the reviewers' level."""

    gold: ReviewedGold


def reviewed_level(levels: list[Disposition]) -> Disposition:
    """The level most reviewers gave; a tie goes to the more urgent (safety first)."""
    counts = Counter(levels)
    return max(counts, key=lambda d: (counts[d], d.rank))


def reviewed_records(reviews: Iterable[Review], dataset: Dataset) -> list[dict]:
    """Records in dataset order, each with ``gold.reviewed_disposition`` and ``gold.reviewed_by`` (how many
    reviewers judged it); records nobody judged the disposition of are left out."""
    levels: dict[str, list[Disposition]] = defaultdict(list)
    for r in latest(list(reviews)).values():
        if r.judgement.disposition is not None:
            levels[r.record_id].append(r.level)
    out = []
    for rid in dataset.order:
        if rid in levels:
            record = dataset.record(rid)
            assert record is not None
            record["gold"]["reviewed_disposition"] = reviewed_level(levels[rid]).value
            record["gold"]["reviewed_by"] = len(levels[rid])
            ReviewedRecord.model_validate(record)  # the export keeps the record schema, plus these two fields
            out.append(record)
    return out
