"""The library's age bands as month ranges (shared by the tests that walk every band)."""

from __future__ import annotations


def band_ranges(kb) -> list[tuple[str, int, int]]:
    """(band id, youngest month, oldest month) of each age band; the last band ends at 100 years."""
    out, low = [], 0
    for band in kb.settings.age_bands:
        high = (band.below_months - 1) if band.below_months is not None else 1200
        out.append((band.id, low, high))
        low = high + 1
    return out
