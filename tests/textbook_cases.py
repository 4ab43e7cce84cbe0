"""The textbook triage check set (tests/cases/textbook_triage.yaml): its shape, and the engine measured on it.

Each case states what a named guideline says should happen for one presentation. This module loads and
validates the file (unknown keys are errors), checks every id against the library, runs each expressible case
through :func:`scenegen.triage.assess`, and summarises agreement, under- and over-triage. Used by
tests/test_textbook_cases.py and benchmarks/textbook_agreement.py.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scenegen import Demographics
from scenegen.content import Disposition, FindingType, Sex
from scenegen.knowledge import KnowledgeBase
from scenegen.triage import Assessment, assess, imply_parents

CASES_FILE = Path(__file__).parent / "cases" / "textbook_triage.yaml"
LEVELS = ["self_care", "routine", "urgent", "emergency_department", "emergency_ambulance"]  # least urgent first
_MONTHS = re.compile(r"^(\d{1,2})m$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Case(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    complaint: str | None = None
    age: int | str = Field(description="years as a number, or months as 'Nm'")
    sex: Sex
    pregnant: bool = False
    present: list[str] = []
    absent: list[str] = []
    expected: Disposition
    expected_condition: str | None = None
    source: str = Field(min_length=10)
    note: str | None = None
    expressible: bool = True
    missing: str | None = None

    @field_validator("age")
    @classmethod
    def _age(cls, v: int | str) -> int | str:
        if isinstance(v, int):
            if not 0 <= v <= 120:
                raise ValueError(f"age {v} years is outside 0-120")
        elif not _MONTHS.match(v):
            raise ValueError(f"age {v!r}: give years as a number or months as 'Nm' (e.g. '4m')")
        return v

    @field_validator("source")
    @classmethod
    def _source_names_a_guideline(cls, v: str) -> str:
        if "clinical.md" in v or "/work/" in v or "reference/" in v:
            raise ValueError("cite the guideline by name, not a file")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        if not self.expressible and not self.missing:
            raise ValueError(f"{self.id}: a case with expressible: false says what is missing (missing: ...)")
        if self.expressible and self.missing:
            raise ValueError(f"{self.id}: 'missing' is only for expressible: false; use 'note'")
        overlap = {p.split("=")[0] for p in self.present} & set(self.absent)
        if overlap:
            raise ValueError(f"{self.id}: reported both present and absent: {sorted(overlap)}")
        return self

    @property
    def age_months(self) -> int:
        if isinstance(self.age, int):
            return self.age * 12
        return int(_MONTHS.match(self.age).group(1))  # type: ignore[union-attr]

    @property
    def age_label(self) -> str:
        return f"{self.age}y" if isinstance(self.age, int) else self.age

    def who(self) -> Demographics:
        return Demographics(self.age_months, self.sex, pregnant=self.pregnant)


class KnownUnderTriage(_Strict):
    id: str
    reason: str = Field(min_length=10)


class CaseBook(_Strict):
    cases: list[Case]
    known_under_triage: list[KnownUnderTriage] = []

    @model_validator(mode="after")
    def _ids(self) -> CaseBook:
        ids = [c.id for c in self.cases]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate case ids: {dupes}")
        known = [k.id for k in self.known_under_triage]
        if len(set(known)) != len(known):
            raise ValueError("a case is listed twice in known_under_triage")
        by_id = {c.id: c for c in self.cases}
        for k in known:
            if k not in by_id:
                raise ValueError(f"known_under_triage names '{k}', which is not a case")
            if not by_id[k].expressible:
                raise ValueError(f"known_under_triage names '{k}', which is not expressible (never run)")
        return self

    @property
    def expressible(self) -> list[Case]:
        return [c for c in self.cases if c.expressible]

    @property
    def not_expressible(self) -> list[Case]:
        return [c for c in self.cases if not c.expressible]

    @property
    def known(self) -> dict[str, str]:
        return {k.id: k.reason for k in self.known_under_triage}


def load_cases(path: Path = CASES_FILE) -> CaseBook:
    return CaseBook.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def library_problems(kb: KnowledgeBase, book: CaseBook) -> list[str]:
    """Every id in an expressible case that the library does not have (a broken case, not a wrong triage)."""
    problems = []
    for c in book.cases:
        if c.complaint is not None and c.complaint not in kb.complaints:
            problems.append(f"{c.id}: unknown complaint '{c.complaint}'")
        if c.expected_condition is not None and c.expected_condition not in kb.conditions:
            problems.append(f"{c.id}: unknown expected_condition '{c.expected_condition}'")
        if not c.expressible:
            continue
        for item in c.present:
            fid, _, value = item.partition("=")
            f = kb.findings.get(fid)
            if f is None:
                problems.append(f"{c.id}: unknown finding '{fid}'")
            elif f.type is FindingType.binary and value:
                problems.append(f"{c.id}: '{fid}' is yes/no; write it without '='")
            elif f.type is not FindingType.binary and value not in {v.id for v in f.values}:
                problems.append(f"{c.id}: '{fid}' takes one of {[v.id for v in f.values]}, got '{value}'")
        for fid in c.absent:
            f = kb.findings.get(fid)
            if f is None:
                problems.append(f"{c.id}: unknown finding '{fid}' in absent")
            elif f.type is not FindingType.binary:
                problems.append(f"{c.id}: '{fid}' is {f.type.value}; give its value in present instead")
    return problems


def observations(kb: KnowledgeBase, case: Case) -> dict:
    obs: dict = {}
    for item in case.present:
        fid, _, value = item.partition("=")
        obs[fid] = value if kb.findings[fid].type is FindingType.categorical else True
    obs.update({fid: False for fid in case.absent})
    return imply_parents(kb, obs)


@dataclass(frozen=True)
class Outcome:
    case: Case
    assessment: Assessment

    @property
    def got(self) -> str:
        return self.assessment.decision.disposition.value

    @property
    def delta(self) -> int:
        """Levels above (+) or below (-) the guideline's."""
        return LEVELS.index(self.got) - LEVELS.index(self.case.expected.value)

    @property
    def condition_hit(self) -> bool | None:
        if self.case.expected_condition is None:
            return None
        return self.case.expected_condition in {c for c, _ in self.assessment.differential}

    def decisive(self) -> str:
        return "; ".join(f"{r.kind}:{r.id}" for r in self.assessment.decision.decisive)

    def top(self, n: int = 3) -> str:
        return ", ".join(f"{c} {p:.2f}" for c, p in self.assessment.differential[:n])


def run(kb: KnowledgeBase, book: CaseBook) -> list[Outcome]:
    return [Outcome(c, assess(kb, c.who(), observations(kb, c), n_questions=0)) for c in book.expressible]


@dataclass(frozen=True)
class Summary:
    outcomes: list[Outcome]

    @cached_property
    def n(self) -> int:
        return len(self.outcomes)

    @cached_property
    def exact(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.delta == 0]

    @cached_property
    def under(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.delta < 0]

    @cached_property
    def over(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.delta > 0]

    def rate(self, part: list) -> float:
        return len(part) / self.n if self.n else 0.0

    @cached_property
    def condition_hits(self) -> tuple[int, int]:
        judged = [o.condition_hit for o in self.outcomes if o.condition_hit is not None]
        return sum(judged), len(judged)

    def grouped(self, key) -> dict[str, list[Outcome]]:
        out: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            out[key(o)].append(o)
        return dict(out)


def _row(name: str, group: list[Outcome]) -> str:
    n = len(group)
    ex = sum(o.delta == 0 for o in group)
    un = sum(o.delta < 0 for o in group)
    ov = sum(o.delta > 0 for o in group)
    return f"| {name} | {n} | {ex} ({ex / n:.0%}) | {un} | {ov} |"


def report(book: CaseBook, outcomes: list[Outcome]) -> str:
    """The agreement tables, in Markdown, for the README."""
    s = Summary(outcomes)
    hits, judged = s.condition_hits
    lines = [
        f"Cases: {len(book.cases)} ({len(book.expressible)} run, {len(book.not_expressible)} not expressible "
        f"in the library)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| exact agreement with the guideline level | {len(s.exact)}/{s.n} ({s.rate(s.exact):.1%}) |",
        f"| under-triage (engine below the guideline) | {len(s.under)}/{s.n} ({s.rate(s.under):.1%}) |",
        f"| over-triage (engine above the guideline) | {len(s.over)}/{s.n} ({s.rate(s.over):.1%}) |",
        f"| within one level | {sum(abs(o.delta) <= 1 for o in outcomes)}/{s.n} |",
        f"| expected condition in the differential | {hits}/{judged} ({hits / judged if judged else 0:.1%}) |",
        "",
        "By the guideline's level:",
        "",
        "| expected | cases | exact | under | over |",
        "|---|---|---|---|---|",
    ]
    by_level = s.grouped(lambda o: o.case.expected.value)
    lines += [_row(lvl, by_level[lvl]) for lvl in reversed(LEVELS) if lvl in by_level]
    lines += ["", "Confusion (rows: guideline level; columns: engine level):", "",
              "| guideline \\ engine | " + " | ".join(reversed(LEVELS)) + " |",
              "|---|" + "---|" * len(LEVELS)]
    for lvl in reversed(LEVELS):
        group = by_level.get(lvl, [])
        lines.append(f"| {lvl} | " + " | ".join(str(sum(o.got == g for o in group)) for g in reversed(LEVELS)) + " |")
    lines += ["", "By presenting complaint:", "", "| complaint | cases | exact | under | over |", "|---|---|---|---|---|"]
    by_complaint = s.grouped(lambda o: o.case.complaint or "(none)")
    lines += [_row(k, by_complaint[k]) for k in sorted(by_complaint)]
    lines += ["", "Under-triaged cases:", ""]
    known = book.known
    for o in sorted(s.under, key=lambda o: (o.delta, o.case.id)):
        why = known.get(o.case.id, "NOT IN known_under_triage")
        lines.append(f"- `{o.case.id}` ({o.case.age_label} {o.case.sex.value}): guideline {o.case.expected.value}, "
                     f"engine {o.got} (top: {o.top()}). {why}")
    lines += ["", "Over-triaged cases:", ""]
    for o in sorted(s.over, key=lambda o: (-o.delta, o.case.id)):
        lines.append(f"- `{o.case.id}`: guideline {o.case.expected.value}, engine {o.got} (by {o.decisive()})")
    lines += ["", "Not expressible in the library (counted, not run):", ""]
    lines += [f"- `{c.id}`: {c.missing}" for c in book.not_expressible]
    return "\n".join(lines)
