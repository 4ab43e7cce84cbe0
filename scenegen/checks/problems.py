"""The one list every cross-file check reports into, with the file and line of the item at fault."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Iterable

from ..errors import Problem
from ..yamlfile import line_at

if TYPE_CHECKING:
    from .library import Library


class Problems:
    """Problems in the order found; ``add`` locates one from the item's kind, id and field path."""

    def __init__(self, lib: "Library"):
        self.lib = lib
        self.items: list[Problem] = []

    def append(self, problem: Problem) -> None:
        self.items.append(problem)

    def add(self, kind: str, item_id: str, loc: tuple[Any, ...], message: str) -> None:
        """The item's own line, or the line of the field at fault when the raw YAML still knows it."""
        file, line = self.lib.locations.get((kind, item_id), ("?", 0))
        raw = self.lib.raw.get((kind, item_id))
        if raw is not None and loc:
            line = line_at(raw, loc) or line
        field = f"{kind}[{item_id}]" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
        self.items.append(Problem(file, line, field, message))

    def where(self, kind: str, item_id: str) -> str:
        return self.lib.where(kind, item_id)


def unknown(kind: str, given: str, valid: Iterable[str]) -> str:
    """An unknown id, with the close ones: most unknown ids are typos."""
    valid = list(valid)
    close = difflib.get_close_matches(given, valid, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown {kind} '{given}'{hint}"
