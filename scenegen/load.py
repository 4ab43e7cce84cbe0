"""Load stage: read a library's content files, validate them whole, and build the knowledge base.

Every problem in every file is collected before anything is returned, so one run of ``scenegen kb check``
shows the whole list. A library with any problem raises :class:`ContentError`; nothing downstream ever
sees a half-valid knowledge base.
"""

from __future__ import annotations

import re

import hashlib
import math
import os
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Optional

from pydantic import ValidationError

from .content import (
    Advice, Complaint, ComplaintAdvice, Condition, ContentFile, Finding, FindingEdge, FindingType, Implication, Medicine, Modifier, ModelSettings,
    Pregnancy, SafetyNet, Screen, ScreenWhen, Sex,
)
from .checks.library import Library, collect
from .checks.problems import Problems, unknown
from .errors import ContentError, Problem, UsageError
from .knowledge import KnowledgeBase
from .libfiles import Budget, read_bytes
from .usercache import read_compiled, write_compiled
from .yamlfile import line_at, read_yaml

ENV_LIBRARY = "SCENEGEN_LIBRARY"


# ---------------------------------------------------------------------------------------------------------
# Where a library lives


def default_library() -> Path:
    """The library to use when none is named: $SCENEGEN_LIBRARY, else the one bundled with the package."""
    env = os.environ.get(ENV_LIBRARY)
    if env:
        return Path(env)
    return bundled_library()


def bundled_library() -> Path:
    """The content shipped in the wheel (scenegen/_library), or the source checkout's top-level folders."""
    packaged = Path(str(resources.files("scenegen"))) / "_library"
    if (packaged / "conditions").is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "conditions").is_dir():
        return checkout
    raise UsageError("no bundled library found; reinstall scenegen or pass --library DIR")


def resolve_library(path: str | Path | None) -> Path:
    root = Path(path) if path is not None else default_library()
    if not (root / "conditions").is_dir():
        raise UsageError(f"{root} is not a scenegen library: it has no conditions/ folder "
                         "(a library holds conditions/, personas/ and templates/)")
    return root


# ---------------------------------------------------------------------------------------------------------
# Reading and validating files


def _content_files(conditions_dir: Path) -> list[Path]:
    """Every *.yaml entry that is not a folder: a link or a FIFO is listed too, so that reading it reports why it
    cannot be used rather than leaving it out in silence."""
    return sorted(p for p in conditions_dir.rglob("*") if p.suffix in {".yaml", ".yml"} and not p.is_dir())


def _label(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _field_path(data: Any, loc: tuple[Any, ...]) -> str:
    """`conditions[acute_mi].findings[2].p` from a pydantic loc, naming list items by their id."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            item_id = node[part].get("id") if isinstance(node, list) and 0 <= part < len(node) and isinstance(node[part], dict) else None
            out += f"[{item_id}]" if isinstance(item_id, str) else f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return out


def _pydantic_problems(label: str, data: Any, exc: ValidationError, prefix: tuple[Any, ...] = ()) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-after")))
        # unions report one error per member; keep the location, drop pydantic's internal member names
        loc = tuple(p for p in loc if p not in {"float", "str", "dict[str,union[float,str]]"})
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = f"unknown key '{loc[-1]}'; check the spelling against docs/authoring.md"
        elif err["type"] == "missing":
            msg = f"required key '{loc[-1]}' is missing"
        elif "input" in err and err["type"] not in {"model_type", "dict_type", "list_type"}:
            shown = repr(err["input"])
            if len(shown) <= 80:
                msg = f"{msg} (found {shown})"
        problems.append(Problem(label, line_at(data, loc), _field_path(data, loc), msg))
    # a value that fails every member of a union is reported once per member: keep distinct messages
    return list(dict.fromkeys(problems))


_ITEM_MODELS = {"findings": Finding, "complaints": Complaint, "modifiers": Modifier, "screens": Screen,
                "safety_nets": SafetyNet, "conditions": Condition, "implies": Implication, "medicines": Medicine,
                "complaint_advice": ComplaintAdvice}


def _validate_file(label: str, data: Any) -> tuple[ContentFile, list[Problem], dict[str, set[str]]]:
    """Validate item by item, so one bad entry neither hides the rest of its file nor causes knock-on errors.

    Returns the valid part of the file, the problems, and the ids of items that failed (per kind), which
    the cross-file checks treat as known so that a typo is reported once, where it is.
    """
    problems: list[Problem] = []
    invalid: dict[str, set[str]] = {k: set() for k in _ITEM_MODELS}
    unknown = [k for k in data if k not in ContentFile.model_fields]
    for key in unknown:
        problems.append(Problem(label, line_at(data, (key,)), str(key),
                                f"unknown top-level key '{key}'; valid: {', '.join(ContentFile.model_fields)}"))
    parts: dict[str, Any] = {}
    if data.get("model") is not None:
        try:
            parts["model"] = ModelSettings.model_validate(data["model"])
        except ValidationError as exc:
            problems.extend(_pydantic_problems(label, data, exc, prefix=("model",)))
    for kind, model in _ITEM_MODELS.items():
        raw = data.get(kind)
        if raw is None:
            continue
        if not isinstance(raw, list):
            problems.append(Problem(label, line_at(data, (kind,)), kind, f"'{kind}' must be a list of entries"))
            continue
        good = []
        for i, item in enumerate(raw):
            try:
                good.append(model.model_validate(item))
            except ValidationError as exc:
                problems.extend(_pydantic_problems(label, data, exc, prefix=(kind, i)))
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    invalid[kind].add(item["id"])
        parts[kind] = good
    return ContentFile.model_construct(**{k: v for k, v in parts.items()}), problems, invalid


def _content_digest(root: Path, paths: list[Path]) -> Optional[str]:
    """The library's identity: every content file's name and bytes (the manifest's ``content_hash``); None when
    a file cannot be read within the limits of `libfiles` (loading it then says why)."""
    digest = hashlib.sha256()
    budget = Budget()
    for path in paths:
        label = _label(root, path)
        raw = read_bytes(path, label, [], root=root, budget=budget)
        if raw is None:
            return None
        digest.update(label.encode() + b"\0" + raw + b"\0")
    return digest.hexdigest()


def _read_files(root: Path) -> tuple[list[tuple[str, ContentFile, Any]], list[Problem], str, dict[str, set[str]]]:
    conditions_dir = root / "conditions"
    problems: list[Problem] = []
    files: list[tuple[str, ContentFile, Any]] = []
    invalid: dict[str, set[str]] = {k: set() for k in _ITEM_MODELS}
    paths = _content_files(conditions_dir)
    if not paths:
        problems.append(Problem(_label(root, conditions_dir), 0, "", "no .yaml content files found"))
    budget = Budget()
    for path in paths:
        label = _label(root, path)
        before = len(problems)
        data = read_yaml(path, label, problems, root=root, budget=budget)
        if data is None:
            if len(problems) == before:
                problems.append(Problem(label, 0, "", "file is empty"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(label, 1, "", "a content file must be a mapping with keys such as "
                                                  "findings:, conditions:, complaints:, modifiers:, model:"))
            continue
        content, found, bad = _validate_file(label, data)
        problems.extend(found)
        for kind, ids in bad.items():
            invalid[kind] |= ids
        files.append((label, content, data))
    return files, problems, _content_digest(root, paths), invalid


# ---------------------------------------------------------------------------------------------------------
# Cross-file checks


def _bands_overlapping(settings: ModelSettings, lo: int, hi: int) -> list:
    """Age bands with at least one month in [lo, hi]."""
    out, start = [], 0
    for band in settings.age_bands:
        end = band.below_months if band.below_months is not None else 10**9
        if start <= hi and end > lo:
            out.append(band)
        start = end
    return out


def _reproductive_bands(settings: ModelSettings) -> set[str]:
    """Age bands that overlap the ages at which pregnancy is plausible (scenegen.knowledge.PREGNANCY_MONTHS)."""
    from .knowledge import PREGNANCY_MONTHS

    lo, hi = PREGNANCY_MONTHS
    out, start = set(), 0
    for band in settings.age_bands:
        end = band.below_months if band.below_months is not None else 10**9
        if start < hi and end > lo:
            out.add(band.id)
        start = end
    return out


class _Checker:
    """Collects the library-wide problems; each method checks one rule. The items live in ``checks.library``
    and the problems in ``checks.problems``; this class is being taken apart into ``scenegen.checks``."""

    def __init__(self, files: list[tuple[str, ContentFile, Any]], invalid: dict[str, set[str]], all_read: bool = True):
        self.files = files
        self.all_read = all_read
        self.lib = Library(invalid)
        self.out = Problems(self.lib)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["lib"], name)

    @property
    def problems(self) -> list[Problem]:
        return self.out.items

    def add(self, kind: str, item_id: str, loc: tuple[Any, ...], message: str) -> None:
        self.out.add(kind, item_id, loc, message)

    def collect(self) -> None:
        collect(self.lib, self.files, self.out, self.all_read)

    def _check_time_clashes(self) -> None:
        """Two findings that tie the same categorical finding to values with none in common (a breathlessness that
        came on suddenly; one getting gradually worse over days) cannot both be present: the sampler could keep
        only one of them, so an implication must make one absent when the other is present."""
        ties: list[tuple[frozenset[str], str, frozenset[str], str]] = []  # (present findings, target, values, where)
        for fid, f in self.findings.items():
            for target, allowed in f.implies.items():
                ties.append((frozenset([fid]), target, frozenset(allowed), f"findings[{fid}]"))
        for iid, imp in self.implies.items():
            (target, allowed), = imp.then.items()
            if isinstance(allowed, list) and all(v is True for v in imp.if_.values()):
                ties.append((frozenset(imp.if_), target, frozenset(allowed), f"implies[{iid}]"))
        excludes = {(a, b) for imp in self.implies.values() for a, va in imp.if_.items() for b, vb in imp.then.items()
                    if va is True and vb is False}
        edges = {cid: {e.id for e in c.findings} for cid, c in self.conditions.items()}
        together = lambda s: [cid for cid, ids in edges.items() if s <= ids]  # noqa: E731 (conditions with all of them)
        for i, (s1, t1, a1, w1) in enumerate(ties):
            for s2, t2, a2, w2 in ties[i + 1:]:
                if t1 != t2 or a1 & a2 or s1 & s2 or not together(s1 | s2):
                    continue
                if any((x, y) in excludes or (y, x) in excludes for x in s1 for y in s2):
                    continue
                kind, item = w2.split("[", 1)
                self.add(kind, item.rstrip("]"), (),
                         f"it ties {t1} to {sorted(a2)} and {w1} to {sorted(a1)}: nothing fits both, so add an implication "
                         f"that makes one of {sorted(s1)} absent when one of {sorted(s2)} is present (consistency.yaml); "
                         f"both are in {together(s1 | s2)[0]}")

    def _check_time_words(self) -> None:
        """A finding whose question carries a time about the problem ('did it come on suddenly', 'for several
        months') is answered 'yes' only in a case whose onset and duration agree with it: its ``implies`` must
        allow only values the time-word table says fit the words (model.time_course in _model.yaml)."""
        table = self.settings.time_course if self.settings is not None else None
        if table is None:
            return
        entries = {w: e for e in table.words for w in e.words}
        pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(entries, key=lambda w: (-len(w), w))) + r")\b")
        for v in (table.onset, table.duration):
            if v not in self.findings:
                self.problems.append(Problem("conditions/_model.yaml", 0, "model.time_course", f"unknown finding {v!r}"))
                return
        onsets = {x.id for x in self.findings[table.onset].values}
        durations = {x.id for x in self.findings[table.duration].values}
        if set(table.duration_days) != durations:
            self.problems.append(Problem("conditions/_model.yaml", 0, "model.time_course.duration_days",
                                         f"must give a span for each duration value: {sorted(durations)}"))
        for e in table.words:
            if set(e.onsets) - onsets:
                self.problems.append(Problem("conditions/_model.yaml", 0, "model.time_course.words",
                                             f"{e.words}: unknown onsets {sorted(set(e.onsets) - onsets)}"))
        for fid, f in self.findings.items():
            if fid in (table.onset, table.duration) or not f.times_the_problem or f.type is not FindingType.binary:
                continue
            words = [m.group(1) for m in pattern.finditer(f.question.lower())]
            for w in words:
                e = entries[w]
                if e.onsets:
                    allowed = f.implies.get(table.onset)
                    if allowed is None or set(allowed) - set(e.onsets):
                        self.add("findings", fid, ("implies",),
                                 f"its question says {w!r}, so a 'yes' needs an onset of {e.onsets}: give "
                                 f"implies: {{{table.onset}: [...]}} within those, or time_words: own if the words are about "
                                 f"its own episode")
                if e.days is not None:
                    lo, hi = e.days
                    allowed = f.implies.get(table.duration)
                    bad = [d for d in (allowed or []) if d in table.duration_days and not (
                        (hi is None or table.duration_days[d][0] < hi)
                        and (table.duration_days[d][1] is None or lo < table.duration_days[d][1]))]
                    if allowed is None or bad:
                        self.add("findings", fid, ("implies",),
                                 f"its question says {w!r}, so a 'yes' needs a duration within {list(e.days)} days: give "
                                 f"implies: {{{table.duration}: [...]}} within those (not {bad}), or time_words: own")

    # --- findings -------------------------------------------------------------------------------------
    def check_findings(self) -> None:
        for fid, f in self.findings.items():
            self._check_values("findings", fid, ("implies",), f.implies)
            for i, v in enumerate(f.values):
                self._check_values("findings", fid, ("values", i, "implies"), v.implies)
                if fid in v.implies:
                    self.add("findings", fid, ("values", i, "implies", fid), "a value cannot constrain its own finding")
        self._check_time_words()
        self._check_time_clashes()
        for fid, f in self.findings.items():
            for i, c in enumerate(f.cause_of):
                if c not in self.complaints:
                    self.add("findings", fid, ("cause_of", i), self._unknown("complaint", c, self.complaints))
        # an implication the sampler could not keep together with a value's own; only findings that imply and values
        # that imply can clash, so each side is listed once (pairing every finding with every other took 27 s on a
        # library of 5,000 findings)
        implying_values = [(gid, u) for gid, g in self.findings.items() if g.type is FindingType.categorical
                           for u in g.values if u.implies]
        for fid, f in self.findings.items():
            if not f.implies:
                continue
            for gid, u in implying_values:
                if gid == fid or gid in f.implies:
                    continue
                clash = [t for t, allowed in u.implies.items() if t in f.implies and not set(allowed) & set(f.implies[t])]
                if clash:
                    self.add("findings", fid, ("implies",),
                             f"it allows {clash[0]} {f.implies[clash[0]]}, which {gid} {u.id!r} rules out "
                             f"(it needs {u.implies[clash[0]]}): say which values of {gid} it allows too")
        for fid, f in self.findings.items():
            for i, other in enumerate(f.presupposes):
                if other not in self.findings and other not in self.invalid["findings"]:
                    self.add("findings", fid, ("presupposes", i), self._unknown("finding", other, self.findings))
                elif other in self.findings and self.findings[other].type is not FindingType.binary:
                    self.add("findings", fid, ("presupposes", i), f"'{other}' is not binary: only a yes can be presupposed")
        for fid, f in self.findings.items():
            if f.parent is None:
                continue
            parent = self.findings.get(f.parent)
            if parent is None and f.parent in self.invalid["findings"]:
                continue
            if parent is None:
                self.add("findings", fid, ("parent",), self._unknown("finding", f.parent, self.findings))
            elif parent.type is not FindingType.binary:
                self.add("findings", fid, ("parent",), f"parent '{f.parent}' is {parent.type.value}; a parent must be binary")
        # parent cycles
        reported: set[str] = set()
        for fid in self.findings:
            seen: list[str] = []
            node: str | None = fid
            while node is not None and node in self.findings and node not in seen:
                seen.append(node)
                node = self.findings[node].parent
            if node is not None and node in seen:
                cycle = seen[seen.index(node):]
                key = min(cycle)
                if key not in reported:
                    reported.add(key)
                    self.add("findings", key, ("parent",), "parent cycle: " + " -> ".join(cycle + [node]))

    # --- complaints and modifiers ---------------------------------------------------------------------
    def check_finding_ages(self, settings: ModelSettings) -> None:
        bands = {b.id for b in settings.age_bands}
        for fid, f in self.findings.items():
            for i, band in enumerate(f.ages):
                if band not in bands:
                    self.add("findings", fid, ("ages", i), self._unknown("age band", band, bands))
            bg = f.background
            if isinstance(bg, str) and bg not in settings.frequency_bands:
                self.add("findings", fid, ("background",), self._unknown("frequency band", bg, settings.frequency_bands))
            elif isinstance(bg, (int, float)) and not 0 <= bg <= 1:
                self.add("findings", fid, ("background",), f"background {bg} is not a probability in [0, 1]")
            if f.red_flag is not None:
                self._check_advice("findings", fid, ("red_flag", "first_aid"), f.red_flag.first_aid, bands, None)
                for i, other in enumerate(f.red_flag.warning_moot_with):
                    if other not in self.findings or other == fid:
                        self.add("findings", fid, ("red_flag", "warning_moot_with", i),
                                 self._unknown("finding", other, set(self.findings) - {fid}))

    def _check_advice(self, kind: str, item_id: str, loc: tuple[Any, ...], items: list[Advice], bands: set[str],
                      ages: list[str] | None) -> None:
        """Advice items name real age bands (within the condition's own, for a condition) and real ids in not_with
        and medicines."""
        for i, item in enumerate(items):
            for j, band in enumerate(item.ages):
                if band not in bands:
                    self.add(kind, item_id, loc + (i, "ages", j), self._unknown("age band", band, bands))
                elif ages is not None and band not in ages:
                    self.add(kind, item_id, loc + (i, "ages", j),
                             f"age band '{band}' is not one of the condition's ages {ages}: nobody there can be given it")
            for j, mid in enumerate(item.medicines):
                if mid not in self.medicines:
                    self.add(kind, item_id, loc + (i, "medicines", j), self._unknown("medicine", mid, self.medicines))
            for field in ("not_with", "only_with"):
                for j, other in enumerate(getattr(item, field)):
                    if other not in self.findings and other not in self.conditions:
                        self.add(kind, item_id, loc + (i, field, j),
                                 self._unknown("finding or condition", other, list(self.findings) + list(self.conditions)))

    def check_settings(self) -> None:
        gid = self.settings.gestation_finding if self.settings is not None else None
        g = self.findings.get(gid) if gid is not None else None
        if gid is not None and g is None and gid not in self.invalid["findings"]:
            self.problems.append(Problem("conditions/_model.yaml", 0, "model.gestation_finding",
                                         self._unknown("finding", gid, self.findings)))
        elif g is not None:
            stray = sorted(set(self.settings.early_gestation_values) - {v.id for v in g.values})
            if g.type is not FindingType.categorical or stray:
                self.problems.append(Problem("conditions/_model.yaml", 0, "model.early_gestation_values",
                                             f"'{gid}' must be categorical with the values {stray}"))
        fid = self.settings.pregnancy_finding if self.settings is not None else None
        if fid is None:
            return
        f = self.findings.get(fid)
        if f is None and fid not in self.invalid["findings"]:
            self.problems.append(Problem("conditions/_model.yaml", 0, "model.pregnancy_finding",
                                         self._unknown("finding", fid, self.findings)))
        elif f is not None and f.type is not FindingType.binary:
            self.problems.append(Problem("conditions/_model.yaml", 0, "model.pregnancy_finding", f"'{fid}' must be binary"))

    def check_complaints(self) -> None:
        for cid, c in self.complaints.items():
            f = self.findings.get(c.finding)
            if f is None and c.finding in self.invalid["findings"]:
                continue
            if f is None:
                self.add("complaints", cid, ("finding",), self._unknown("finding", c.finding, self.findings))
            elif f.type is not FindingType.binary:
                self.add("complaints", cid, ("finding",), f"'{c.finding}' is {f.type.value}; a complaint's finding must be binary")
        band_ids = {b.id for b in self.settings.age_bands} if self.settings is not None else None
        for cid, ca in self.complaint_advice.items():
            if cid not in self.complaints and cid not in self.invalid["complaints"]:
                self.add("complaint_advice", cid, ("id",), self._unknown("complaint", cid, self.complaints))
            if band_ids is not None:
                self._check_advice("complaint_advice", cid, ("advice",), ca.advice, band_ids, None)
        for mid, m in self.modifiers.items():
            if band_ids is not None:  # without model settings the library is already refused
                self._check_advice("modifiers", mid, ("first_aid",), m.first_aid, band_ids, None)
            for key, fids in (("present", m.when.present), ("absent", m.when.absent)):
                for i, fid in enumerate(fids):
                    f = self.findings.get(fid)
                    if f is None and fid in self.invalid["findings"]:
                        continue
                    if f is None:
                        self.add("modifiers", mid, ("when", key, i), self._unknown("finding", fid, self.findings))
                    elif f.type is not FindingType.binary:
                        self.add("modifiers", mid, ("when", key, i), f"'{fid}' is {f.type.value}; only binary findings can be required {key}")
            self._check_values("modifiers", mid, ("when", "values"), m.when.values)
            if m.screen_with and not m.screen:
                self.add("modifiers", mid, ("screen_with",), "screen_with scopes a screen: give it with 'screen: true'")
            for i, fid in enumerate(m.screen_with):
                f = self.findings.get(fid)
                if f is None and fid not in self.invalid["findings"]:
                    self.add("modifiers", mid, ("screen_with", i), self._unknown("finding", fid, self.findings))
                elif f is not None and f.type is not FindingType.binary:
                    self.add("modifiers", mid, ("screen_with", i), f"'{fid}' is {f.type.value}; only binary findings scope a screen")
            for i, other in enumerate(m.said_by):
                if other != mid and other in self.modifiers and mid in self.modifiers[other].said_by:
                    self.add("modifiers", mid, ("said_by", i), f"'{other}' names this rule in its own said_by: "
                             "one of the two must be said")
                elif other == mid or other not in self.modifiers:
                    self.add("modifiers", mid, ("said_by", i), "said_by names another rule (modifier): "
                             + ("not itself" if other == mid else self._unknown("modifier", other, self.modifiers)))
        for sid, sc in self.screens.items():
            refs = [(("ask",), sc.ask)] + [(("when", "present", i), fid) for i, fid in enumerate(sc.when.present)]
            refs += [(("when", "any_present", i), fid) for i, fid in enumerate(sc.when.any_present)]
            refs += [(("when", "absent", i), fid) for i, fid in enumerate(sc.when.absent)]
            refs += [(("when", "none_present", i), fid) for i, fid in enumerate(sc.when.none_present)]
            for loc, fid in refs:
                f = self.findings.get(fid)
                if f is None and fid in self.invalid["findings"]:
                    continue
                if f is None:
                    self.add("screens", sid, loc, self._unknown("finding", fid, self.findings))
                elif loc == ("ask",) and f.type is FindingType.categorical:
                    continue  # a categorical must-ask is answered with one of its values ('when did it start?')
                elif f.type is not FindingType.binary:
                    what = "a screen asks a binary or categorical finding" if loc == ("ask",) else \
                        "a screen's 'present' and 'any_present' name binary findings only"
                    self.add("screens", sid, loc, f"'{fid}' is {f.type.value}; {what}")
            self._check_values("screens", sid, ("when", "values"), sc.when.values)

    def _check_values(self, kind: str, item_id: str, loc: tuple[Any, ...], values: dict[str, list[str]]) -> None:
        """A mapping of categorical finding -> some of its values (a 'when.values' or a finding's 'implies')."""
        for fid, allowed in values.items():
            f = self.findings.get(fid)
            if f is None and fid in self.invalid["findings"]:
                continue
            if f is None:
                self.add(kind, item_id, loc + (fid,), self._unknown("finding", fid, self.findings))
                continue
            if f.type is not FindingType.categorical:
                self.add(kind, item_id, loc + (fid,), f"'{fid}' is {f.type.value}; only a categorical finding's "
                                                      "values can be named here")
                continue
            if not allowed:
                self.add(kind, item_id, loc + (fid,), f"name at least one value of '{fid}'")
            valid = {v.id for v in f.values}
            for i, value in enumerate(allowed):
                if value not in valid:
                    self.add(kind, item_id, loc + (fid, i), self._unknown(f"value of '{fid}'", value, valid))

    # --- consistency constraints ----------------------------------------------------------------------
    def _ancestors(self, fid: str) -> list[str]:
        return self.lib.ancestors(fid)

    def check_implies(self) -> None:
        for iid, imp in self.implies.items():
            ok = True
            for i, comp in enumerate(imp.complaints):
                if comp not in self.complaints:
                    self.add("implies", iid, ("complaints", i), self._unknown("complaint", comp, self.complaints))
            sides = [("if", fid, wanted) for fid, wanted in imp.if_items] + [("then", imp.then_finding, imp.then_value)]
            for side, fid, wanted in sides:
                f = self.findings.get(fid)
                if f is None:
                    if fid not in self.invalid["findings"]:
                        self.add("implies", iid, (side, fid), self._unknown("finding", fid, self.findings))
                    ok = False
                elif f.type is FindingType.binary and not isinstance(wanted, bool):
                    self.add("implies", iid, (side, fid), f"'{fid}' is binary: give true or false")
                    ok = False
                elif f.type is FindingType.categorical and isinstance(wanted, bool):
                    self.add("implies", iid, (side, fid), f"'{fid}' is categorical: give a list of its values "
                                                          f"({', '.join(v.id for v in f.values)})")
                    ok = False
                elif f.type is FindingType.multi:
                    self.add("implies", iid, (side, fid), f"'{fid}' is multi; implications name binary or categorical findings")
                    ok = False
                elif isinstance(wanted, list):
                    values = {v.id for v in f.values}
                    for i, v in enumerate(wanted):
                        if v not in values:
                            self.add("implies", iid, (side, fid, i), self._unknown(f"value of '{fid}'", v, values))
                            ok = False
            if not ok:
                continue
            if imp.then_finding in imp.if_:
                self.add("implies", iid, ("then",), "a finding cannot imply itself")
                continue
            # whenever the 'if' holds, the 'then' finding must be askable: its ancestors are present
            context: set[str] = set()
            for fid, wanted in imp.if_items:
                context.update(self._ancestors(fid))
                if wanted is not False:
                    context.add(fid)
            missing = [a for a in self._ancestors(imp.then_finding) if a not in context]
            if missing:
                self.add("implies", iid, ("then",),
                         f"'{imp.then_finding}' is asked only when '{missing[0]}' is present, which the 'if' side does "
                         "not guarantee; an implication may only name a finding whose parents the 'if' side implies")

    # --- conditions -----------------------------------------------------------------------------------
    def _check_until_suspected(self, cid: str, c: Condition, edges: set[str]) -> None:
        """A lower level until suspected must be lower, and each sign that raises it must be asked before the
        condition decides alone: one of its rule-out questions or one of its red flags."""
        u = c.until_suspected
        assert u is not None
        if u.disposition.rank >= c.disposition.rank:
            self.add("conditions", cid, ("until_suspected", "disposition"),
                     f"'{u.disposition.value}' is not below the condition's own '{c.disposition.value}'")
        for i, fid in enumerate(u.suspected_by):
            f = self.findings.get(fid)
            if fid not in edges:
                self.add("conditions", cid, ("until_suspected", "suspected_by", i),
                         f"'{fid}' is not one of this condition's findings")
            elif fid not in c.rule_out and (f is None or f.red_flag is None):
                self.add("conditions", cid, ("until_suspected", "suspected_by", i),
                         f"'{fid}' is neither in rule_out nor a red flag, so nothing makes the assistant ask it "
                         "before this condition decides the level")

    def _check_lay_name_says(self, cid: str, c: Condition, edges: set[str]) -> None:
        """What a lay name states must be one of the condition's findings, said as an answer it can take: true for
        a binary finding, some of its values for a categorical one."""
        for fid, wanted in c.lay_name_says.items():
            f = self.findings.get(fid)
            if fid not in edges or f is None:
                self.add("conditions", cid, ("lay_name_says", fid), f"'{fid}' is not one of this condition's findings")
            elif f.type is FindingType.binary and wanted is not True:
                self.add("conditions", cid, ("lay_name_says", fid), f"'{fid}' is binary: the lay name can only say it "
                                                                    "is present (true)")
            elif f.type is not FindingType.binary:
                valid = {v.id for v in f.values}
                if not isinstance(wanted, list) or not set(wanted) <= valid:
                    self.add("conditions", cid, ("lay_name_says", fid),
                             f"'{fid}' is {f.type.value}: list some of its values {sorted(valid)}")

    def check_conditions(self, settings: ModelSettings) -> None:
        bands = settings.frequency_bands
        band_ids = {b.id for b in settings.age_bands}
        finding_sets: dict[frozenset[str], str] = {}
        from .codes import check_codes

        code_checks = check_codes(c.icd10 for c in self.conditions.values())
        for cid, c in self.conditions.items():
            if code_checks[c.icd10]:
                self.add("conditions", cid, ("icd10",), code_checks[c.icd10])
            edges = {e.id for e in c.findings}
            for i, fid in enumerate(c.rule_out):
                if fid not in edges:
                    self.add("conditions", cid, ("rule_out", i),
                             f"'{fid}' is not one of this condition's findings; a rule-out question must be an edge")
            if c.until_suspected is not None:
                self._check_until_suspected(cid, c, edges)
            self._check_lay_name_says(cid, c, edges)
            self._check_prior(cid, ("prior",), c.prior, settings)
            for band, p in c.prior_by_age.items():
                if band not in band_ids:
                    self.add("conditions", cid, ("prior_by_age", band), self._unknown("age band", band, band_ids))
                elif band not in c.ages:
                    self.add("conditions", cid, ("prior_by_age", band), f"age band '{band}' has a prior but is not in ages {c.ages}")
                else:
                    self._check_prior(cid, ("prior_by_age", band), p, settings)
            for sex, p in c.prior_by_sex.items():
                if sex not in c.sexes:
                    self.add("conditions", cid, ("prior_by_sex", sex.value), f"sex '{sex.value}' has a prior but is not in sexes")
                else:
                    self._check_prior(cid, ("prior_by_sex", sex.value), p, settings)
            for i, band in enumerate(c.ages):
                if band not in band_ids:
                    self.add("conditions", cid, ("ages", i), self._unknown("age band", band, band_ids))
            if c.min_age_months is not None or c.max_age_months is not None:
                inside = [b.id for b in _bands_overlapping(settings, c.min_age_months or 0,
                                                           c.max_age_months if c.max_age_months is not None else 10**9)]
                if not set(inside) & set(c.ages):
                    self.add("conditions", cid, ("min_age_months",),
                             f"the month limits {c.min_age_months}-{c.max_age_months} leave none of the age bands {c.ages}")
            self._check_advice("conditions", cid, ("advice",), c.advice, band_ids, c.ages)
            self._check_advice("conditions", cid, ("first_aid",), c.first_aid, band_ids, c.ages)
            if c.pregnancy is Pregnancy.required:
                if Sex.female not in c.sexes:
                    self.add("conditions", cid, ("pregnancy",), "pregnancy: required, but sexes does not include female")
                reproductive = _reproductive_bands(settings)
                if not reproductive & set(c.ages):
                    self.add("conditions", cid, ("pregnancy",), f"pregnancy: required, but ages has none of {sorted(reproductive)}")
            for i, comp in enumerate(c.complaints):
                complaint = self.complaints.get(comp)
                if complaint is None and comp in self.invalid["complaints"]:
                    continue
                if complaint is None:
                    self.add("conditions", cid, ("complaints", i), self._unknown("complaint", comp, self.complaints))
                elif complaint.finding not in {e.id for e in c.findings} and complaint.finding in self.findings:
                    self.add("conditions", cid, ("complaints", i),
                             f"complaint '{comp}' opens with finding '{complaint.finding}', which is not among this "
                             f"condition's findings; add an edge '{{id: {complaint.finding}, p: ...}}'")
            edge_ids = [e.id for e in c.findings]
            for i, edge in enumerate(c.findings):
                if edge_ids.index(edge.id) != i:
                    self.add("conditions", cid, ("findings", i, "id"), f"finding '{edge.id}' is listed twice")
                    continue
                self._check_edge(cid, i, edge, bands, set(edge_ids))
                self._check_edge_sexes(cid, i, c, edge.id)
            key = frozenset(edge_ids)
            if key in finding_sets:
                other = finding_sets[key]
                self.add("conditions", cid, ("findings",),
                         f"same set of findings as condition '{other}' ({self._where('conditions', other)}); no question "
                         "can tell them apart: add a finding that separates them")
            else:
                finding_sets[key] = cid
        self.check_safety_nets()

    def check_safety_nets(self) -> None:
        """Each listed warning is a red flag that calls for more urgent care than the condition's own level
        (a warning at the same level would not bring anyone back sooner)."""
        for cid, net in self.safety_nets.items():
            c = self.conditions.get(cid)
            if c is None:
                if cid not in self.invalid["conditions"]:
                    self.add("safety_nets", cid, ("id",), self._unknown("condition", cid, self.conditions))
                continue
            level = net.not_better_disposition
            if level is not None and level.rank < c.disposition.rank:
                self.add("safety_nets", cid, ("not_better_disposition",),
                         f"not_better_disposition {level.value} is below the condition's own {c.disposition.value}; "
                         "a line about coming back sends the person at least as far")
            for i, fid in enumerate(net.warnings):
                f = self.findings.get(fid)
                if f is None:
                    if fid not in self.invalid["findings"]:
                        self.add("safety_nets", cid, ("warnings", i), self._unknown("finding", fid, self.findings))
                elif f.red_flag is None:
                    self.add("safety_nets", cid, ("warnings", i), f"'{fid}' is not a red flag; a safety-net warning "
                                                                  "is a red-flag finding (it says where to go)")
                elif f.red_flag.net_disposition.rank <= c.disposition.rank:
                    self.add("safety_nets", cid, ("warnings", i),
                             f"red flag '{fid}' calls for {f.red_flag.net_disposition.value}, not more urgent care than "
                             f"the condition's own {c.disposition.value}; a safety net says when to come back sooner")
                elif f.ages and not set(f.ages) & set(c.ages):
                    self.add("safety_nets", cid, ("warnings", i),
                             f"'{fid}' can be reported only at ages {f.ages}, none of this condition's {c.ages}")

    def _check_prior(self, cid: str, loc: tuple[Any, ...], p: float | str, settings: ModelSettings) -> None:
        if isinstance(p, str):
            if p not in settings.prior_bands:
                self.add("conditions", cid, loc, f"unknown prior band '{p}'; valid: {', '.join(settings.prior_bands)} "
                                                 "(or a number from a cited source)")
        elif not 0 < p <= 1:
            self.add("conditions", cid, loc, f"prior {p} is not in (0, 1]")

    def _check_edge(self, cid: str, i: int, edge: FindingEdge, bands: dict[str, float], edge_ids: set[str]) -> None:
        f = self.findings.get(edge.id)
        if f is None and edge.id in self.invalid["findings"]:
            return
        if f is None:
            self.add("conditions", cid, ("findings", i, "id"), self._unknown("finding", edge.id, self.findings))
            return
        if f.parent is not None and f.parent not in edge_ids:
            self.add("conditions", cid, ("findings", i, "id"),
                     f"finding '{edge.id}' is asked only when '{f.parent}' is present, but this condition has no "
                     f"edge to '{f.parent}'; add one")
        if f.type is FindingType.binary:
            if isinstance(edge.p, dict):
                self.add("conditions", cid, ("findings", i, "p"),
                         f"'{edge.id}' is binary: give one band or number, not a mapping of values")
            else:
                self._check_probability(cid, ("findings", i, "p"), edge.p, bands)
            return
        if not isinstance(edge.p, dict):
            valid = ", ".join(v.id for v in f.values)
            self.add("conditions", cid, ("findings", i, "p"),
                     f"'{edge.id}' is {f.type.value}: give a mapping of value -> band, with values from: {valid}")
            return
        values = {v.id for v in f.values}
        for value, p in edge.p.items():
            if value not in values:
                self.add("conditions", cid, ("findings", i, "p", value), self._unknown(f"value of '{edge.id}'", value, values))
            else:
                self._check_probability(cid, ("findings", i, "p", value), p, bands)

    def _check_edge_sexes(self, cid: str, i: int, c: Condition, fid: str) -> None:
        """A finding held to some sexes (a vaginal discharge) is never an edge of a condition of none of them, and
        never obligatory for a condition of other sexes too: the condition could not present in them."""
        f = self.findings.get(fid)
        if f is None or not f.sexes:
            return
        held, of = {s.value for s in f.sexes}, {s.value for s in c.sexes}
        if not held & of:
            self.add("conditions", cid, ("findings", i, "id"),
                     f"'{fid}' is held to sexes {sorted(held)}, none of this condition's {sorted(of)}")
        elif of - held and self._obligate(c, fid):
            self.add("conditions", cid, ("findings", i, "id"),
                     f"'{fid}' is obligatory here but held to sexes {sorted(held)}: the condition could never "
                     f"present in {sorted(of - held)}; narrow its sexes or lower the edge")

    def _obligate(self, c: Condition, fid: str) -> bool:
        band = self.settings.obligatory_band if self.settings is not None else None
        return band is not None and any(e.id == fid and e.p == band for e in c.findings)

    def _check_probability(self, cid: str, loc: tuple[Any, ...], p: float | str, bands: dict[str, float]) -> None:
        if isinstance(p, str):
            if p not in bands:
                self.add("conditions", cid, loc, f"unknown frequency band '{p}'; valid: {', '.join(bands)}, or a number in [0, 1]")
        elif not 0 <= p <= 1:
            self.add("conditions", cid, loc, f"probability {p} is outside [0, 1]; use a number in [0, 1] or a band: {', '.join(bands)}")

    # --- helpers --------------------------------------------------------------------------------------
    def _where(self, kind: str, item_id: str) -> str:
        return self.out.where(kind, item_id)

    _unknown = staticmethod(unknown)


# ---------------------------------------------------------------------------------------------------------
# Building the knowledge base


def _number(p: float | str, bands: dict[str, float]) -> float:
    return bands[p] if isinstance(p, str) else float(p)


def _derive(ch: _Checker, settings: ModelSettings) -> tuple[dict, dict, dict]:
    bands = settings.frequency_bands
    lo, hi = settings.leak, settings.max_likelihood
    likelihoods: dict[str, dict[str, Any]] = {}
    prior_weights: dict[str, dict[str, float]] = {}
    used_by: dict[str, list[str]] = {fid: [] for fid in ch.findings}
    for cid, c in ch.conditions.items():
        table: dict[str, Any] = {}
        for edge in c.findings:
            f = ch.findings[edge.id]
            if f.type is FindingType.binary:
                if settings.obligatory_band is not None and edge.p == settings.obligatory_band:
                    table[edge.id] = 1.0  # definitional: denied, the condition is ruled out
                elif settings.excluding_band is not None and edge.p == settings.excluding_band:
                    table[edge.id] = 0.0  # definitional: reported, the condition is ruled out
                else:
                    table[edge.id] = min(max(_number(edge.p, bands), lo), hi)  # type: ignore[arg-type]
                continue
            given = {v: _number(p, bands) for v, p in edge.p.items()}  # type: ignore[union-attr]
            per_value = {v.id: min(max(given.get(v.id, lo), lo), hi) for v in f.values}
            if f.type is FindingType.categorical:
                total = math.fsum(per_value.values())  # correctly rounded: the same on every Python version
                per_value = {v: p / total for v, p in per_value.items()}
            table[edge.id] = per_value
        _apply_implications(ch, settings, table)
        likelihoods[cid] = table
        for fid in table:  # the edges as written and those an implication added (a fit implies a blackout)
            used_by[fid].append(cid)
        weights = {}
        for band in c.ages:
            weights[band] = _number(c.prior_by_age.get(band, c.prior), settings.prior_bands)
        prior_weights[cid] = weights
    return likelihoods, prior_weights, {k: tuple(v) for k, v in used_by.items()}


def _background(ch: _Checker) -> dict[str, float]:
    """Each binary finding's rate in a condition with no edge to it: its own background, or the leak."""
    assert ch.settings is not None
    bands, lo, hi = ch.settings.frequency_bands, ch.settings.leak, ch.settings.max_likelihood
    return {fid: min(max(_number(f.background, bands), lo), hi)
            for fid, f in ch.findings.items() if f.background is not None}


def _p_holds(ch: _Checker, settings: ModelSettings, table: dict[str, Any], fid: str, wanted: Any) -> float:
    """P(a finding's answer meets ``wanted`` | its parent present), from one condition's table."""
    f = ch.findings[fid]
    if f.type is FindingType.binary:
        p = table.get(fid, settings.leak)
        return p if wanted is True else 1.0 - p
    dist = table.get(fid) or {v.id: 1.0 / len(f.values) for v in f.values}
    return math.fsum(dist[v] for v in wanted)


def _apply_implications(ch: _Checker, settings: ModelSettings, table: dict[str, Any]) -> None:
    """Make one condition's likelihoods agree with the implications the sampler enforces: if a fit implies a
    blackout, P(blackout | condition) is at least P(fit | condition), so that the inference does not rule out
    the condition whose case answers 'yes' to both. Only binary 'then' sides are adjusted (a categorical one
    is left to its authored distribution); the inference ceiling and the leak still bound the result.

    Repeated until nothing changes, as the sampler does: one rule can add the finding another starts from
    (sick since a head injury is being sick, which is feeling sick)."""
    for _ in range(len(ch.implies) + 1):
        before = dict(table)
        _apply_implications_once(ch, settings, table)
        if table == before:
            return


def _apply_implications_once(ch: _Checker, settings: ModelSettings, table: dict[str, Any]) -> None:
    lo, hi = settings.leak, settings.max_likelihood
    for imp in ch.implies.values():
        then = ch.findings[imp.then_finding]
        if then.type is not FindingType.binary:
            continue
        if any(a not in table for fid, _ in imp.if_items for a in ch._ancestors(fid)):
            continue  # an 'if' finding can never be asked of this condition's cases
        if any(ch.findings[fid].type is FindingType.binary and fid not in table and wanted is not False
               for fid, wanted in imp.if_items):
            continue  # absent in every case (a binary finding without an edge is drawn absent)
        shared = set(ch._ancestors(imp.then_finding))
        p = 1.0  # the 'if' findings taken as independent given the condition (the model's own assumption)
        for fid, wanted in imp.if_items:
            if then.parent == fid:
                continue  # the 'then' side is only ever asked with its parent present
            q = _p_holds(ch, settings, table, fid, wanted)
            # the 'if' finding's own ancestors below the 'then' finding's parent must be present too
            node = ch.findings[fid].parent
            while node is not None and node not in shared:
                q *= table.get(node, lo) if ch.findings[node].type is FindingType.binary else 1.0
                node = ch.findings[node].parent
            p *= q
        current = table.get(imp.then_finding)
        if imp.then_value is True:
            base = lo if current is None else current
            if p > base + 1e-12:
                table[imp.then_finding] = min(max(p, lo), hi)
        else:
            if current is None:
                # no edge: the sampler draws the finding absent in every case, so 'then: false' already holds;
                # an upper bound must never raise it (taking the missing entry as the ceiling made a migraine
                # whose sight changed 'yes' to sight clouding over months at 0.975: read 13 #2)
                continue
            base = current
            if 1.0 - p < base - 1e-12:
                table[imp.then_finding] = min(max(1.0 - p, lo), hi)


def _screens(ch: _Checker) -> tuple[Screen, ...]:
    """The must-asks of screens files, then one per finding of each modifier marked ``screen``: asked once
    the person fits and every other finding the modifier names is present (or has one of its values), as a
    red flag would be; a finding it needs answered no is asked once all it needs present is."""
    out = list(ch.screens.values())
    for m in ch.modifiers.values():
        if not m.screen:
            continue
        for fid in m.when.present:
            others = [f for f in m.when.present if f != fid]
            when = ScreenWhen(**{**m.when.model_dump(exclude_unset=True), "present": others, "absent": [],
                                 "any_present": list(m.screen_with)})
            out.append(Screen(id=f"{m.id}__{fid}", ask=fid, when=when, why=m.reason, source=m.source))
        for fid in m.when.absent:  # a finding it needs answered no ("nobody else who ate the fish") once the rest hold
            others = [f for f in m.when.absent if f != fid]
            when = ScreenWhen(**{**m.when.model_dump(exclude_unset=True), "absent": others,
                                 "any_present": list(m.screen_with)})
            out.append(Screen(id=f"{m.id}__{fid}", ask=fid, when=when, why=m.reason, source=m.source))
        for fid in m.when.values:  # a categorical it needs ("a new kind of headache") is asked once the rest hold
            others = {f: v for f, v in m.when.values.items() if f != fid}
            when = ScreenWhen(**{**m.when.model_dump(exclude_unset=True), "values": others,
                                 "any_present": list(m.screen_with)})
            out.append(Screen(id=f"{m.id}__{fid}", ask=fid, when=when, why=m.reason, source=m.source))
    return tuple(out)


def _indistinguishable(ch: _Checker, likelihoods: dict[str, dict[str, Any]]) -> list[Problem]:
    """Conditions whose answer probabilities are the same for every finding: no question can tell them apart.

    Catches more than identical finding sets: an edge at the leak rate is the same as no edge, and two
    edges with the same band are the same evidence.
    """
    assert ch.settings is not None
    leak = ch.settings.leak
    background = _background(ch)
    seen: dict[tuple, str] = {}
    problems = []
    for cid in sorted(likelihoods):
        table = likelihoods[cid]
        signature = []
        for fid, p in sorted(table.items()):
            if isinstance(p, dict):
                default = 1.0 / len(p) if ch.findings[fid].type is FindingType.categorical else leak
                if any(abs(v - default) > 1e-12 for v in p.values()):
                    signature.append((fid, tuple(sorted(p.items()))))
            elif abs(p - background.get(fid, leak)) > 1e-12:
                signature.append((fid, p))
        key = tuple(signature)
        if key in seen:
            file, line = ch.locations[("conditions", cid)]
            other = seen[key]
            problems.append(Problem(file, line, f"conditions[{cid}].findings",
                                    f"answers to every question are equally likely under '{other}' "
                                    f"({ch._where('conditions', other)}); no question can tell them apart: "
                                    "change a frequency band or add a finding that separates them"))
        else:
            seen[key] = cid
    return problems


def load_knowledge_base(library: str | Path | None = None) -> KnowledgeBase:
    """Load and validate ``library/conditions``; raise :class:`ContentError` listing every problem.

    A library that loaded cleanly before, unchanged and with the same scenegen, comes from the user cache
    (``usercache``): validating it again would find the same nothing.
    """
    root = resolve_library(library)
    digest = _content_digest(root, _content_files(root / "conditions"))
    if digest is not None:
        kb = read_compiled("knowledge", digest)
        if isinstance(kb, KnowledgeBase) and kb.content_hash == digest:
            return kb
    kb = _build_knowledge_base(root)
    write_compiled("knowledge", kb.content_hash, kb)
    return kb


def _build_knowledge_base(root: Path) -> KnowledgeBase:
    files, problems, content_hash, invalid = _read_files(root)
    ch = _Checker(files, invalid, all_read=len(files) == len(_content_files(root / "conditions")))
    ch.collect()
    ch.check_findings()
    ch.check_settings()
    ch.check_complaints()
    ch.check_implies()
    if ch.settings is not None:
        ch.check_conditions(ch.settings)
        ch.check_finding_ages(ch.settings)
    problems += ch.problems
    if problems:
        raise ContentError(problems)
    assert ch.settings is not None
    likelihoods, prior_weights, used_by = _derive(ch, ch.settings)
    twins = _indistinguishable(ch, likelihoods)
    if twins:
        raise ContentError(twins)
    return KnowledgeBase(
        settings=ch.settings, findings=ch.findings, conditions=ch.conditions, complaints=ch.complaints,
        modifiers=tuple(ch.modifiers.values()), screens=_screens(ch), implies=tuple(ch.implies.values()),
        safety_nets={cid: tuple(n.warnings) for cid, n in ch.safety_nets.items()},
        not_better={cid: n.not_better for cid, n in ch.safety_nets.items() if n.not_better},
        not_better_when={cid: (n.not_better_days, n.not_better_disposition)
                         for cid, n in ch.safety_nets.items() if n.not_better},
        medicines=ch.medicines, locations=ch.locations,
        complaint_advice={cid: tuple(ca.advice) for cid, ca in ch.complaint_advice.items()},
        content_hash=content_hash,
        likelihoods=likelihoods, prior_weights=prior_weights, used_by=used_by, background=_background(ch),
    )


__all__ = ["load_knowledge_base", "default_library", "bundled_library", "resolve_library"]
