"""Reviewers' flags fed back into a library: ``LIBRARY/review/quarantine.yaml`` lists the template variants
and the findings' lay phrasings reviewers flagged (never used again by ``generate`` with that library) and the conditions marked for clinical
re-review (reported by ``kb check``; still generated, since withholding a condition would skew the data
without fixing it). ``scenegen review apply`` writes it from the reviews; an author edits it by hand to
release an entry once fixed. The file is data, read within the library's limits and validated on load."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

from ..files import default_file_mode, replace_whole
from ..errors import ContentError, Problem
from ..yamlfile import read_yaml

OVERLAY = Path("review") / "quarantine.yaml"
_WORDING_FLAGS = ("unnatural_wording", "unsafe_or_diagnostic")


@dataclass(frozen=True)
class Overlay:
    templates: frozenset[str] = frozenset()
    conditions: tuple[str, ...] = ()
    phrasings: frozenset[tuple[str, str]] = frozenset()
    """(finding, lay phrase) pairs never used to say that finding"""
    notes: dict = field(default_factory=dict)


def read_overlay(root: Path) -> Overlay:
    """The library's quarantine, or an empty one; a ContentError naming the file and field when malformed."""
    path = Path(root) / OVERLAY
    if not path.is_file():
        return Overlay()
    label = OVERLAY.as_posix()
    problems: list[Problem] = []
    data = read_yaml(path, label, problems, root=Path(root))
    if problems:
        raise ContentError(problems)
    data = data or {}
    if not isinstance(data, dict) or set(data) - {"templates", "conditions", "phrasings"}:
        raise ContentError([Problem(label, 1, "", "a quarantine file is a mapping with templates: and conditions: "
                                                  "(lists of {id: ..., why: ...}) and phrasings: (a list of "
                                                  "{finding: ..., text: ...})")])
    ids: dict[str, list[str]] = {}
    for key in ("templates", "conditions"):
        items = data.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
            raise ContentError([Problem(label, 0, key, "a list of entries, each with an id: (e.g. answer_no/plain_3 "
                                                       "for a template, a condition id for a condition)")])
        ids[key] = [i["id"] for i in items]
    items = data.get("phrasings") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("finding"), str)
                                              and isinstance(i.get("text"), str) for i in items):
        raise ContentError([Problem(label, 0, "phrasings", "a list of entries, each with finding: (a finding id) "
                                                           "and text: (one of its lay phrases, exactly)")])
    return Overlay(frozenset(ids["templates"]), tuple(ids["conditions"]),
                   frozenset((i["finding"], i["text"]) for i in items))


def overlay_problems(overlay: Overlay, kb) -> list[Problem]:
    """Quarantine entries the knowledge base does not have, and findings left with no lay phrase."""
    label = OVERLAY.as_posix()
    out = []
    unknown = sorted(set(overlay.conditions) - set(kb.conditions))
    if unknown:
        out.append(Problem(label, 0, "conditions", f"unknown conditions {unknown}"))
    held: dict[str, set[str]] = defaultdict(set)
    for fid, text in sorted(overlay.phrasings):
        f = kb.findings.get(fid)
        if f is None or text not in f.lay:
            out.append(Problem(label, 0, "phrasings", f"'{text}' is not a lay phrase of finding '{fid}'"))
        else:
            held[fid].add(text)
    for fid, texts in sorted(held.items()):
        if not set(kb.findings[fid].lay) - texts:
            out.append(Problem(label, 0, "phrasings", f"every lay phrase of '{fid}' is held back: write another "
                                                      "or release one"))
    return out


def quarantine_from(reviews: Iterable, dataset, *, min_flags: int = 1, kb=None) -> dict:
    """What the reviews say to quarantine: every template variant flagged for its wording (unnatural, or
    unsafe/diagnostic) at least ``min_flags`` times, every lay phrase of the patient's flagged as unnatural as
    often (found in the message with the knowledge base ``kb``), and every condition whose case a reviewer flagged as
    clinically wrong or whose disposition a reviewer changed."""
    from .report import entries_behind
    from .store import latest
    templates: dict[str, Counter] = defaultdict(Counter)
    template_by: dict[str, set] = defaultdict(set)
    conditions: dict[str, Counter] = defaultdict(Counter)
    phrasings: dict[str, Counter] = defaultdict(Counter)
    for r in latest(list(reviews)).values():
        for kind, ident, flag in entries_behind(r, dataset.record(r.record_id), kb):
            if kind == "template" and flag in _WORDING_FLAGS:
                templates[ident][flag] += 1
                template_by[ident].add(r.reviewer)
            elif kind == "lay phrasing" and ": " in ident:
                phrasings[ident][flag] += 1
            elif kind == "condition":
                conditions[ident][flag] += 1

    def why(c: Counter) -> str:
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(c.items()))

    return {
        "templates": [{"id": t, "flags": sum(c.values()), "reviewers": len(template_by[t]), "why": why(c)}
                      for t, c in sorted(templates.items()) if sum(c.values()) >= min_flags],
        "conditions": [{"id": k, "flags": sum(c.values()), "why": why(c)} for k, c in sorted(conditions.items())],
        "phrasings": [{"finding": k.split(": ", 1)[0], "text": k.split(": ", 1)[1], "flags": sum(c.values()),
                       "why": why(c)} for k, c in sorted(phrasings.items()) if sum(c.values()) >= min_flags],
    }


def _key(kind: str, item: dict) -> str:
    return f"{item['finding']}: {item['text']}" if kind == "phrasings" else item["id"]


def write_overlay(root: Path, quarantine: dict) -> Path:
    """Merge ``quarantine`` into the library's quarantine file (entries already there are kept: an author
    releases one by deleting it) and write it whole."""
    path = Path(root) / OVERLAY
    read_overlay(root)  # a malformed file is refused, not overwritten
    kept: dict[str, dict] = {}
    if path.is_file():
        old = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        kept = {k: {_key(k, i): i for i in old.get(k) or []} for k in ("templates", "conditions", "phrasings")}
    merged = {}
    for key in ("templates", "conditions", "phrasings"):
        entries = dict(kept.get(key, {}))
        for item in quarantine.get(key, []):
            entries[_key(key, item)] = item
        merged[key] = [entries[i] for i in sorted(entries)]
    header = ("# Written by 'scenegen review apply' from clinicians' reviews. Template variants and lay phrasings listed\n"
              "# here are never used by 'generate' with this library; conditions listed here are marked for clinical\n"
              "# re-review ('kb check' reports them). Delete an entry to release it once it is fixed.\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_whole(path, (header + yaml.safe_dump(merged, sort_keys=False, allow_unicode=True)).encode("utf-8"),
                  mode=default_file_mode(), durable=True)
    return path
