"""Demographic modifiers and screens: the findings they wait for exist and are of a type they can wait for."""

from __future__ import annotations

import re

from ..content import FindingType
from .library import Library
from .problems import Problems, unknown
from .refs import check_advice, check_values


def check_modifiers(lib: Library, out: Problems) -> None:
    """A modifier's first aid, the findings it needs, the screen it scopes and the rule that says it."""
    band_ids = {b.id for b in lib.settings.age_bands} if lib.settings is not None else None
    for mid, m in lib.modifiers.items():
        if band_ids is not None:  # without model settings the library is already refused
            check_advice(lib, out, "modifiers", mid, ("first_aid",), m.first_aid, band_ids, None)
        for key, fids in (("present", m.when.present), ("absent", m.when.absent)):
            for i, fid in enumerate(fids):
                f = lib.findings.get(fid)
                if f is None and fid in lib.invalid["findings"]:
                    continue
                if f is None:
                    out.add("modifiers", mid, ("when", key, i), unknown("finding", fid, lib.findings))
                elif f.type is not FindingType.binary:
                    out.add("modifiers", mid, ("when", key, i), f"'{fid}' is {f.type.value}; only binary findings can be required {key}")
        check_values(lib, out, "modifiers", mid, ("when", "values"), m.when.values)
        if m.screen_with and not m.screen:
            out.add("modifiers", mid, ("screen_with",), "screen_with scopes a screen: give it with 'screen: true'")
        for i, fid in enumerate(m.screen_with):
            f = lib.findings.get(fid)
            if f is None and fid not in lib.invalid["findings"]:
                out.add("modifiers", mid, ("screen_with", i), unknown("finding", fid, lib.findings))
            elif f is not None and f.type is not FindingType.binary:
                out.add("modifiers", mid, ("screen_with", i), f"'{fid}' is {f.type.value}; only binary findings scope a screen")
        for i, cid in enumerate(m.not_named):
            if cid not in lib.conditions and cid not in lib.invalid["conditions"]:
                out.add("modifiers", mid, ("not_named", i), unknown("condition", cid, lib.conditions))
        named = _names_a_condition(lib, m.reason)
        if named is not None:
            out.add("modifiers", mid, ("reason",), f"the reason names the condition '{named[0]}' ('{named[1]}'); a rule's "
                    "reason is said even where no condition may be named (naming 'never'): say what makes it urgent")
        for i, other in enumerate(m.said_by):
            if other != mid and other in lib.modifiers and mid in lib.modifiers[other].said_by:
                out.add("modifiers", mid, ("said_by", i), f"'{other}' names this rule in its own said_by: "
                        "one of the two must be said")
            elif other == mid or other not in lib.modifiers:
                out.add("modifiers", mid, ("said_by", i), "said_by names another rule (modifier): "
                        + ("not itself" if other == mid else unknown("modifier", other, lib.modifiers)))


def _names_a_condition(lib: Library, text: str) -> tuple[str, str] | None:
    """The first condition (id, lay name) whose lay name ``text`` says as whole words, or None."""
    low = text.lower()
    for cid, c in sorted(lib.conditions.items()):
        name = c.lay_name.lower()
        if re.search(r"(?<![a-z0-9])" + re.escape(name) + r"(?![a-z0-9])", low):
            return cid, c.lay_name
    return None


def check_screens(lib: Library, out: Problems) -> None:
    """A screen asks a binary or categorical finding, and waits only for binary findings and real values."""
    for sid, sc in lib.screens.items():
        refs = [(("ask",), sc.ask)] + [(("when", "present", i), fid) for i, fid in enumerate(sc.when.present)]
        refs += [(("when", "any_present", i), fid) for i, fid in enumerate(sc.when.any_present)]
        refs += [(("when", "absent", i), fid) for i, fid in enumerate(sc.when.absent)]
        refs += [(("when", "none_present", i), fid) for i, fid in enumerate(sc.when.none_present)]
        for loc, fid in refs:
            f = lib.findings.get(fid)
            if f is None and fid in lib.invalid["findings"]:
                continue
            if f is None:
                out.add("screens", sid, loc, unknown("finding", fid, lib.findings))
            elif loc == ("ask",) and f.type is FindingType.categorical:
                continue  # a categorical must-ask is answered with one of its values ('when did it start?')
            elif f.type is not FindingType.binary:
                what = "a screen asks a binary or categorical finding" if loc == ("ask",) else \
                    "a screen's 'present' and 'any_present' name binary findings only"
                out.add("screens", sid, loc, f"'{fid}' is {f.type.value}; {what}")
        check_values(lib, out, "screens", sid, ("when", "values"), sc.when.values)
