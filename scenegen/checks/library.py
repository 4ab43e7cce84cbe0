"""Every file's items gathered by kind and id, with where each was defined: what the checks read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..content import (
    Complaint, ComplaintAdvice, Condition, ContentFile, Finding, Implication, Medicine, Modifier, ModelSettings,
    SafetyNet, Screen,
)
from ..errors import Problem
from .problems import Problems


@dataclass
class Library:
    """The parsed library, one item per id; ``invalid`` holds the ids whose item failed validation, so that a
    reference to one is not reported a second time as unknown. Read-only once ``collect`` has filled it."""

    invalid: dict[str, set[str]]
    findings: dict[str, Finding] = field(default_factory=dict)
    conditions: dict[str, Condition] = field(default_factory=dict)
    complaints: dict[str, Complaint] = field(default_factory=dict)
    modifiers: dict[str, Modifier] = field(default_factory=dict)
    screens: dict[str, Screen] = field(default_factory=dict)
    safety_nets: dict[str, SafetyNet] = field(default_factory=dict)
    implies: dict[str, Implication] = field(default_factory=dict)
    medicines: dict[str, Medicine] = field(default_factory=dict)
    complaint_advice: dict[str, ComplaintAdvice] = field(default_factory=dict)
    settings: ModelSettings | None = None
    locations: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    raw: dict[tuple[str, str], Any] = field(default_factory=dict)

    def where(self, kind: str, item_id: str) -> str:
        """'file:line' of an item, for a message that points at a second one."""
        file, line = self.locations.get((kind, item_id), ("?", 0))
        return f"{file}:{line}"

    def ancestors(self, fid: str) -> list[str]:
        """A finding's parents, nearest first: it is asked only when all of them are present."""
        out: list[str] = []
        node = self.findings[fid].parent if fid in self.findings else None
        while node is not None and node in self.findings and node not in out:
            out.append(node)
            node = self.findings[node].parent
        return out


def collect(lib: Library, files: list[tuple[str, ContentFile, Any]], out: Problems, all_read: bool = True) -> None:
    """Fill ``lib`` from the files in order; a second item with an id is reported and dropped. ``all_read``
    is false when some file could not be read: then an empty kind may only be unread, so it is not reported."""
    settings_at: list[str] = []
    for label, cf, data in files:
        if cf.model is not None:
            settings_at.append(label)
            lib.settings = cf.model
        for kind, items, target in (("findings", cf.findings, lib.findings),
                                    ("conditions", cf.conditions, lib.conditions),
                                    ("complaints", cf.complaints, lib.complaints),
                                    ("modifiers", cf.modifiers, lib.modifiers),
                                    ("screens", cf.screens, lib.screens),
                                    ("safety_nets", cf.safety_nets, lib.safety_nets),
                                    ("implies", cf.implies, lib.implies),
                                    ("medicines", cf.medicines, lib.medicines),
                                    ("complaint_advice", cf.complaint_advice, lib.complaint_advice)):
            raw_by_id: dict[Any, list[Any]] = {}
            listed = data.get(kind)
            for r in listed if isinstance(listed, list) else ():  # not a list: reported by load._validate_file
                if isinstance(r, dict) and isinstance(r.get("id"), str):
                    raw_by_id.setdefault(r["id"], []).append(r)
            for item in items:
                raw = raw_by_id[item.id].pop(0) if raw_by_id.get(item.id) else None
                line = getattr(raw, "line", 0)
                if item.id in target:
                    first_file, first_line = lib.locations[(kind, item.id)]
                    out.append(Problem(label, line, f"{kind}[{item.id}].id",
                                       f"duplicate id '{item.id}'; first defined at {first_file}:{first_line}"))
                    continue
                target[item.id] = item  # type: ignore[index]
                lib.locations[(kind, item.id)] = (label, line)
                lib.raw[(kind, item.id)] = raw
    for kind, items in (("conditions", lib.conditions), ("complaints", lib.complaints)):
        if not items and not lib.invalid[kind] and all_read:
            out.append(Problem("conditions", 0, kind, f"the library defines no {kind}; "
                                                      f"add a '{kind}:' list to a file under conditions/"))
    if not settings_at and all_read:
        out.append(Problem("conditions", 0, "model", "no model settings found; add conditions/_model.yaml "
                                                     "with a 'model:' mapping (bands, leak, thresholds, age bands)"))
    elif len(settings_at) > 1:
        out.append(Problem(settings_at[1], 1, "model", f"model settings defined twice (also in {settings_at[0]})"))
