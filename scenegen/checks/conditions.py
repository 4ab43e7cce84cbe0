"""Conditions: codes, rule-outs, until_suspected, lay names, priors, ages, advice, pregnancy, complaints, edges,
and no two with the same findings."""

from __future__ import annotations

from typing import Any

from ..codes import check_codes
from ..content import Condition, FindingType, ModelSettings, Pregnancy, Sex
from ..knowledge import PREGNANCY_MONTHS
from .edges import check_edges
from .library import Library
from .problems import Problems, unknown
from .refs import check_advice


def _bands_overlapping(settings: ModelSettings, lo: int, hi: int) -> list:
    """Age bands with at least one month in [lo, hi]."""
    found, start = [], 0
    for band in settings.age_bands:
        end = band.below_months if band.below_months is not None else 10**9
        if start <= hi and end > lo:
            found.append(band)
        start = end
    return found


def _reproductive_bands(settings: ModelSettings) -> set[str]:
    """Age bands that overlap the ages at which pregnancy is plausible (scenegen.knowledge.PREGNANCY_MONTHS)."""
    lo, hi = PREGNANCY_MONTHS
    found, start = set(), 0
    for band in settings.age_bands:
        end = band.below_months if band.below_months is not None else 10**9
        if start < hi and end > lo:
            found.add(band.id)
        start = end
    return found


def check_conditions(lib: Library, out: Problems, settings: ModelSettings) -> None:
    """Every check of each condition in turn, so that one condition's problems are listed together."""
    band_ids = {b.id for b in settings.age_bands}
    finding_sets: dict[frozenset[str], str] = {}
    code_checks = check_codes(c.icd10 for c in lib.conditions.values())
    for cid, c in lib.conditions.items():
        if code_checks[c.icd10]:
            out.add("conditions", cid, ("icd10",), code_checks[c.icd10])
        edges = {e.id for e in c.findings}
        check_rule_out(out, cid, c, edges)
        if c.until_suspected is not None:
            check_until_suspected(lib, out, cid, c, edges)
        check_lay_name_says(lib, out, cid, c, edges)
        check_priors(lib, out, cid, c, settings, band_ids)
        check_ages(out, cid, c, settings, band_ids)
        check_advice(lib, out, "conditions", cid, ("advice",), c.advice, band_ids, c.ages)
        check_advice(lib, out, "conditions", cid, ("first_aid",), c.first_aid, band_ids, c.ages)
        if c.pregnancy is Pregnancy.required:
            check_pregnancy(out, cid, c, settings)
        check_complaints_open(lib, out, cid, c)
        check_edges(lib, out, cid, c, settings.frequency_bands)
        key = frozenset(e.id for e in c.findings)
        if key in finding_sets:
            other = finding_sets[key]
            out.add("conditions", cid, ("findings",),
                    f"same set of findings as condition '{other}' ({out.where('conditions', other)}); no question "
                    "can tell them apart: add a finding that separates them")
        else:
            finding_sets[key] = cid


def check_rule_out(out: Problems, cid: str, c: Condition, edges: set[str]) -> None:
    """A rule-out question is asked of this condition's own findings only."""
    for i, fid in enumerate(c.rule_out):
        if fid not in edges:
            out.add("conditions", cid, ("rule_out", i),
                    f"'{fid}' is not one of this condition's findings; a rule-out question must be an edge")


def check_priors(lib: Library, out: Problems, cid: str, c: Condition, settings: ModelSettings,
                 band_ids: set[str]) -> None:
    """The prior, and each by age band or sex, is a band or probability, for an age or sex the condition has."""
    check_prior(lib, out, cid, ("prior",), c.prior, settings)
    for band, p in c.prior_by_age.items():
        if band not in band_ids:
            out.add("conditions", cid, ("prior_by_age", band), unknown("age band", band, band_ids))
        elif band not in c.ages:
            out.add("conditions", cid, ("prior_by_age", band), f"age band '{band}' has a prior but is not in ages {c.ages}")
        else:
            check_prior(lib, out, cid, ("prior_by_age", band), p, settings)
    for sex, p in c.prior_by_sex.items():
        if sex not in c.sexes:
            out.add("conditions", cid, ("prior_by_sex", sex.value), f"sex '{sex.value}' has a prior but is not in sexes")
        else:
            check_prior(lib, out, cid, ("prior_by_sex", sex.value), p, settings)


def check_ages(out: Problems, cid: str, c: Condition, settings: ModelSettings, band_ids: set[str]) -> None:
    """Age bands are the model's, and month limits leave at least one of them: else nobody could have it."""
    for i, band in enumerate(c.ages):
        if band not in band_ids:
            out.add("conditions", cid, ("ages", i), unknown("age band", band, band_ids))
    if c.min_age_months is not None or c.max_age_months is not None:
        inside = [b.id for b in _bands_overlapping(settings, c.min_age_months or 0,
                                                   c.max_age_months if c.max_age_months is not None else 10**9)]
        if not set(inside) & set(c.ages):
            out.add("conditions", cid, ("min_age_months",),
                    f"the month limits {c.min_age_months}-{c.max_age_months} leave none of the age bands {c.ages}")


def check_pregnancy(out: Problems, cid: str, c: Condition, settings: ModelSettings) -> None:
    """A condition that needs pregnancy has women of an age at which it is plausible."""
    if Sex.female not in c.sexes:
        out.add("conditions", cid, ("pregnancy",), "pregnancy: required, but sexes does not include female")
    reproductive = _reproductive_bands(settings)
    if not reproductive & set(c.ages):
        out.add("conditions", cid, ("pregnancy",), f"pregnancy: required, but ages has none of {sorted(reproductive)}")


def check_complaints_open(lib: Library, out: Problems, cid: str, c: Condition) -> None:
    """Each complaint is real, and its opening finding is an edge: the call opens by saying it is present."""
    for i, comp in enumerate(c.complaints):
        complaint = lib.complaints.get(comp)
        if complaint is None and comp in lib.invalid["complaints"]:
            continue
        if complaint is None:
            out.add("conditions", cid, ("complaints", i), unknown("complaint", comp, lib.complaints))
        elif complaint.finding not in {e.id for e in c.findings} and complaint.finding in lib.findings:
            out.add("conditions", cid, ("complaints", i),
                    f"complaint '{comp}' opens with finding '{complaint.finding}', which is not among this "
                    f"condition's findings; add an edge '{{id: {complaint.finding}, p: ...}}'")


def check_until_suspected(lib: Library, out: Problems, cid: str, c: Condition, edges: set[str]) -> None:
    """A lower level until suspected must be lower, and each sign that raises it must be asked before the
    condition decides alone: one of its rule-out questions or one of its red flags."""
    u = c.until_suspected
    assert u is not None
    if u.disposition.rank >= c.disposition.rank:
        out.add("conditions", cid, ("until_suspected", "disposition"),
                f"'{u.disposition.value}' is not below the condition's own '{c.disposition.value}'")
    for i, fid in enumerate(u.suspected_by):
        f = lib.findings.get(fid)
        if fid not in edges:
            out.add("conditions", cid, ("until_suspected", "suspected_by", i),
                    f"'{fid}' is not one of this condition's findings")
        elif fid not in c.rule_out and (f is None or f.red_flag is None):
            out.add("conditions", cid, ("until_suspected", "suspected_by", i),
                    f"'{fid}' is neither in rule_out nor a red flag, so nothing makes the assistant ask it "
                    "before this condition decides the level")


def check_lay_name_says(lib: Library, out: Problems, cid: str, c: Condition, edges: set[str]) -> None:
    """What a lay name states must be one of the condition's findings, said as an answer it can take: true for
    a binary finding, some of its values for a categorical one."""
    for fid, wanted in c.lay_name_says.items():
        f = lib.findings.get(fid)
        if fid not in edges or f is None:
            out.add("conditions", cid, ("lay_name_says", fid), f"'{fid}' is not one of this condition's findings")
        elif f.type is FindingType.binary and wanted is not True:
            out.add("conditions", cid, ("lay_name_says", fid), f"'{fid}' is binary: the lay name can only say it "
                                                               "is present (true)")
        elif f.type is not FindingType.binary:
            valid = {v.id for v in f.values}
            if not isinstance(wanted, list) or not set(wanted) <= valid:
                out.add("conditions", cid, ("lay_name_says", fid),
                        f"'{fid}' is {f.type.value}: list some of its values {sorted(valid)}")


def check_prior(lib: Library, out: Problems, cid: str, loc: tuple[Any, ...], p: float | str,
                settings: ModelSettings) -> None:
    """A prior is a named prior band or a probability above 0 (a condition nobody has is not a condition)."""
    if isinstance(p, str):
        if p not in settings.prior_bands:
            out.add("conditions", cid, loc, f"unknown prior band '{p}'; valid: {', '.join(settings.prior_bands)} "
                                            "(or a number from a cited source)")
    elif not 0 < p <= 1:
        out.add("conditions", cid, loc, f"prior {p} is not in (0, 1]")
