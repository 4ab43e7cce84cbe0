"""Load stage: read a library's content files, validate them whole, and build the knowledge base.

The cross-file checks live in ``scenegen.checks``, one module per area; this module reads the files, runs
the checks in a fixed order (the order problems are listed in) and builds the knowledge base.

Every problem in every file is collected before anything is returned, so one run of ``scenegen kb check``
shows the whole list. A library with any problem raises :class:`ContentError`; nothing downstream ever
sees a half-valid knowledge base.
"""

from __future__ import annotations

import hashlib
import math
import os
from importlib import resources
from pathlib import Path
from typing import Any, Optional

from pydantic import ValidationError

from .checks.complaints import check_complaint_advice, check_complaints
from .checks.conditions import check_conditions
from .checks.findings import check_finding_ages, check_findings
from .checks.implies import check_implies
from .checks.library import Library, collect
from .checks.modifiers import check_modifiers, check_screens
from .checks.problems import Problems
from .checks.safety_nets import check_safety_nets
from .checks.settings import check_settings
from .content import (
    Complaint, ComplaintAdvice, Condition, ContentFile, Finding, FindingType, Implication, Medicine, Modifier, ModelSettings,
    SafetyNet, Screen, ScreenWhen,
)
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
# Building the knowledge base


def _number(p: float | str, bands: dict[str, float]) -> float:
    return bands[p] if isinstance(p, str) else float(p)


def _derive(lib: Library, settings: ModelSettings) -> tuple[dict, dict, dict]:
    bands = settings.frequency_bands
    lo, hi = settings.leak, settings.max_likelihood
    likelihoods: dict[str, dict[str, Any]] = {}
    prior_weights: dict[str, dict[str, float]] = {}
    used_by: dict[str, list[str]] = {fid: [] for fid in lib.findings}
    for cid, c in lib.conditions.items():
        table: dict[str, Any] = {}
        for edge in c.findings:
            f = lib.findings[edge.id]
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
        _apply_implications(lib, settings, table)
        likelihoods[cid] = table
        for fid in table:  # the edges as written and those an implication added (a fit implies a blackout)
            used_by[fid].append(cid)
        weights = {}
        for band in c.ages:
            weights[band] = _number(c.prior_by_age.get(band, c.prior), settings.prior_bands)
        prior_weights[cid] = weights
    return likelihoods, prior_weights, {k: tuple(v) for k, v in used_by.items()}


def _background(lib: Library) -> dict[str, float]:
    """Each binary finding's rate in a condition with no edge to it: its own background, or the leak."""
    assert lib.settings is not None
    bands, lo, hi = lib.settings.frequency_bands, lib.settings.leak, lib.settings.max_likelihood
    return {fid: min(max(_number(f.background, bands), lo), hi)
            for fid, f in lib.findings.items() if f.background is not None}


def _p_holds(lib: Library, settings: ModelSettings, table: dict[str, Any], fid: str, wanted: Any) -> float:
    """P(a finding's answer meets ``wanted`` | its parent present), from one condition's table."""
    f = lib.findings[fid]
    if f.type is FindingType.binary:
        p = table.get(fid, settings.leak)
        return p if wanted is True else 1.0 - p
    dist = table.get(fid) or {v.id: 1.0 / len(f.values) for v in f.values}
    return math.fsum(dist[v] for v in wanted)


def _apply_implications(lib: Library, settings: ModelSettings, table: dict[str, Any]) -> None:
    """Make one condition's likelihoods agree with the implications the sampler enforces: if a fit implies a
    blackout, P(blackout | condition) is at least P(fit | condition), so that the inference does not rule out
    the condition whose case answers 'yes' to both. Only binary 'then' sides are adjusted (a categorical one
    is left to its authored distribution); the inference ceiling and the leak still bound the result.

    Repeated until nothing changes, as the sampler does: one rule can add the finding another starts from
    (sick since a head injury is being sick, which is feeling sick)."""
    for _ in range(len(lib.implies) + 1):
        before = dict(table)
        _apply_implications_once(lib, settings, table)
        if table == before:
            return


def _apply_implications_once(lib: Library, settings: ModelSettings, table: dict[str, Any]) -> None:
    lo, hi = settings.leak, settings.max_likelihood
    for imp in lib.implies.values():
        then = lib.findings[imp.then_finding]
        if then.type is not FindingType.binary:
            continue
        if any(a not in table for fid, _ in imp.if_items for a in lib.ancestors(fid)):
            continue  # an 'if' finding can never be asked of this condition's cases
        if any(lib.findings[fid].type is FindingType.binary and fid not in table and wanted is not False
               for fid, wanted in imp.if_items):
            continue  # absent in every case (a binary finding without an edge is drawn absent)
        shared = set(lib.ancestors(imp.then_finding))
        p = 1.0  # the 'if' findings taken as independent given the condition (the model's own assumption)
        for fid, wanted in imp.if_items:
            if then.parent == fid:
                continue  # the 'then' side is only ever asked with its parent present
            q = _p_holds(lib, settings, table, fid, wanted)
            # the 'if' finding's own ancestors below the 'then' finding's parent must be present too
            node = lib.findings[fid].parent
            while node is not None and node not in shared:
                q *= table.get(node, lo) if lib.findings[node].type is FindingType.binary else 1.0
                node = lib.findings[node].parent
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


def _screens(lib: Library) -> tuple[Screen, ...]:
    """The must-asks of screens files, then one per finding of each modifier marked ``screen``: asked once
    the person fits and every other finding the modifier names is present (or has one of its values), as a
    red flag would be; a finding it needs answered no is asked once all it needs present is."""
    out = list(lib.screens.values())
    for m in lib.modifiers.values():
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


def _indistinguishable(lib: Library, likelihoods: dict[str, dict[str, Any]]) -> list[Problem]:
    """Conditions whose answer probabilities are the same for every finding: no question can tell them apart.

    Catches more than identical finding sets: an edge at the leak rate is the same as no edge, and two
    edges with the same band are the same evidence.
    """
    assert lib.settings is not None
    leak = lib.settings.leak
    background = _background(lib)
    seen: dict[tuple, str] = {}
    problems = []
    for cid in sorted(likelihoods):
        table = likelihoods[cid]
        signature = []
        for fid, p in sorted(table.items()):
            if isinstance(p, dict):
                default = 1.0 / len(p) if lib.findings[fid].type is FindingType.categorical else leak
                if any(abs(v - default) > 1e-12 for v in p.values()):
                    signature.append((fid, tuple(sorted(p.items()))))
            elif abs(p - background.get(fid, leak)) > 1e-12:
                signature.append((fid, p))
        key = tuple(signature)
        if key in seen:
            file, line = lib.locations[("conditions", cid)]
            other = seen[key]
            problems.append(Problem(file, line, f"conditions[{cid}].findings",
                                    f"answers to every question are equally likely under '{other}' "
                                    f"({lib.where('conditions', other)}); no question can tell them apart: "
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
    lib = Library(invalid)
    out = Problems(lib)
    collect(lib, files, out, all_read=len(files) == len(_content_files(root / "conditions")))
    check_findings(lib, out)
    check_settings(lib, out)
    check_complaints(lib, out)
    check_complaint_advice(lib, out)
    check_modifiers(lib, out)
    check_screens(lib, out)
    check_implies(lib, out)
    if lib.settings is not None:
        check_conditions(lib, out, lib.settings)
        check_safety_nets(lib, out)
        check_finding_ages(lib, out, lib.settings)
    problems += out.items
    if problems:
        raise ContentError(problems)
    assert lib.settings is not None
    likelihoods, prior_weights, used_by = _derive(lib, lib.settings)
    twins = _indistinguishable(lib, likelihoods)
    if twins:
        raise ContentError(twins)
    return KnowledgeBase(
        settings=lib.settings, findings=lib.findings, conditions=lib.conditions, complaints=lib.complaints,
        modifiers=tuple(lib.modifiers.values()), screens=_screens(lib), implies=tuple(lib.implies.values()),
        safety_nets={cid: tuple(n.warnings) for cid, n in lib.safety_nets.items()},
        not_better={cid: n.not_better for cid, n in lib.safety_nets.items() if n.not_better},
        not_better_when={cid: (n.not_better_days, n.not_better_disposition)
                         for cid, n in lib.safety_nets.items() if n.not_better},
        medicines=lib.medicines, locations=lib.locations,
        complaint_advice={cid: tuple(ca.advice) for cid, ca in lib.complaint_advice.items()},
        content_hash=content_hash,
        likelihoods=likelihoods, prior_weights=prior_weights, used_by=used_by, background=_background(lib),
    )


__all__ = ["load_knowledge_base", "default_library", "bundled_library", "resolve_library"]
