"""Complaints and their advice: a complaint opens with a real binary finding; its advice names real ids."""

from __future__ import annotations

from .library import Library
from .problems import Problems, unknown
from .refs import check_advice, check_binary_ref


def check_complaints(lib: Library, out: Problems) -> None:
    """A complaint opens with its finding: a real one, and binary, as the opening says it is present."""
    for cid, c in lib.complaints.items():
        check_binary_ref(lib, out, "complaints", cid, "finding", c.finding,
                         lambda kind, fid=c.finding: f"'{fid}' is {kind}; a complaint's finding must be binary")


def check_complaint_advice(lib: Library, out: Problems) -> None:
    """Advice for a complaint belongs to a real complaint and names the model's age bands."""
    band_ids = {b.id for b in lib.settings.age_bands} if lib.settings is not None else None
    for cid, ca in lib.complaint_advice.items():
        if cid not in lib.complaints and cid not in lib.invalid["complaints"]:
            out.add("complaint_advice", cid, ("id",), unknown("complaint", cid, lib.complaints))
        if band_ids is not None:
            check_advice(lib, out, "complaint_advice", cid, ("advice",), ca.advice, band_ids, None)
