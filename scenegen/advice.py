"""Advice that fits the person: which self-care items and first-aid steps someone may be given.

Every item of advice carries who it is for, from its source (scenegen.content.Advice): age bands, age limits
in months, pregnancy, whether it is said to the patient or to a parent or carer, and the medicines it
recommends (each sold or licensed from an age that differs by country). The planner gives only
the items that fit, and `scenegen validate` checks the first-aid steps of emergency records with the same
functions, so the two can never disagree. No clinical fact lives here: only the rule that applies the limits.
"""

from __future__ import annotations

from typing import Iterable

from .content import Advice, Pregnancy, Speaker
from .knowledge import Demographics, KnowledgeBase


def fits(kb: KnowledgeBase, item: Advice, who: Demographics, proxy: bool, locale: str | None = None) -> bool:
    """Whether ``item`` may be given about this person, spoken to them (``proxy`` False) or to a carer, where
    ``locale`` is spoken (None: anywhere, so the strictest medicine limits apply, and no item written for
    particular locales is given)."""
    if item.locales and locale not in item.locales:
        return False
    if item.ages and kb.age_band(who.age_months) not in item.ages:
        return False
    if not item.covers(who.age_months):
        return False
    if any(who.age_months < kb.medicines[m].youngest(locale) for m in item.medicines):
        return False
    if any(kb.medicines[m].max_age_months is not None and who.age_months > kb.medicines[m].max_age_months
           for m in item.medicines):
        return False
    if who.pregnant and any(kb.medicines[m].pregnancy is Pregnancy.excluded for m in item.medicines):
        return False
    if item.pregnancy is Pregnancy.excluded and who.pregnant:
        return False
    if item.pregnancy is Pregnancy.required and not who.pregnant:
        return False
    if item.speaker is Speaker.self and proxy or item.speaker is Speaker.proxy and not proxy:
        return False
    return True


def fits_time(item: Advice, span: tuple[float, float | None] | None) -> bool:
    """Whether an item that counts days from the start fits how long the problem has lasted (``span``: the
    days its time course allows, lowest and highest, None = no upper bound; None = not known). 'No improvement
    after 3 days' is said only when it cannot yet have lasted 3 days; its pair (``from_days``) when it may."""
    hi = None if span is None else span[1]
    if item.before_days is not None and span is not None and (hi is None or hi > item.before_days):
        return False
    if item.from_days is not None and (span is None or hi is not None and hi <= item.from_days):
        return False
    return True


def self_care_advice(kb: KnowledgeBase, condition: str, who: Demographics, proxy: bool,
                     locale: str | None = None, present: Iterable[str] | None = None,
                     span: tuple[float, float | None] | None = None) -> list[Advice]:
    """The condition's self-care items that fit this person, in the library's order. With ``present`` (the
    findings reported present) an item is left out when one it names in ``not_with`` is among them (no
    home treatment for a verruca with diabetes), or when it names ``only_with`` and none is ('check the
    faint' only after a faint was reported). ``span`` is how long the problem has lasted (:func:`fits_time`)."""
    return _fitting(kb, kb.conditions[condition].advice, who, proxy, locale, present, span)


def complaint_advice(kb: KnowledgeBase, complaint: str, who: Demographics, proxy: bool,
                     locale: str | None = None, present: Iterable[str] | None = None,
                     span: tuple[float, float | None] | None = None) -> list[Advice]:
    """The complaint's home-care items whatever the cause (conditions/complaint_advice.yaml) that fit this
    person, with the same limits as a condition's (:func:`self_care_advice`): what someone sent home hears
    when no condition leads clearly enough for its own advice."""
    return _fitting(kb, kb.complaint_advice.get(complaint, ()), who, proxy, locale, present, span)


def _fitting(kb: KnowledgeBase, advice: Iterable[Advice], who: Demographics, proxy: bool, locale: str | None,
             present: Iterable[str] | None, span: tuple[float, float | None] | None) -> list[Advice]:
    items = [a for a in advice if fits(kb, a, who, proxy, locale) and fits_time(a, span)]
    if present is None:
        return items
    said = set(present)
    return [a for a in items if not said & set(a.not_with) and (not a.only_with or said & set(a.only_with))]


def step_acts(kb: KnowledgeBase, text: str) -> frozenset[str]:
    """What a first-aid step tells someone to do, read from its words (``model.first_aid_acts``)."""
    def compute() -> frozenset[str]:
        low = text.lower().replace("\u2019", "'")
        return frozenset(a.id for a in kb.settings.first_aid_acts if any(w in low for w in a.words))
    return kb.cached("first_aid_acts", text, compute)


def contradicting(kb: KnowledgeBase, texts: Iterable[str]) -> list[tuple[str, str]]:
    """The pairs of steps among ``texts`` whose acts a ``model.first_aid_conflicts`` entry says are never given
    together (an aspirin to chew and 'not even tablets')."""
    texts = list(texts)
    out = []
    for c in kb.settings.first_aid_conflicts:
        a, b = c.acts
        out += [(x, y) for x in texts if a in step_acts(kb, x) for y in texts if b in step_acts(kb, y) and x != y]
    return out


def _own_steps(kb: KnowledgeBase, condition: str | None) -> set[str]:
    return {s.text for s in kb.conditions[condition].first_aid} if condition in kb.conditions else set()


def first_aid_steps(kb: KnowledgeBase, reasons: Iterable[tuple[str, str]], who: Demographics, proxy: bool,
                    present: Iterable[str], locale: str | None = None,
                    ambulance: bool = True, leading: str | None = None) -> list[Advice]:
    """The first-aid steps of the reasons for an emergency disposition that fit this person, in the order of
    the reasons, each text once. ``reasons`` are (kind, id) pairs: a red flag's finding, a condition or a
    modifier; ``present`` are the findings reported present. A step is left out when a finding
    or condition it names in ``not_with`` was reported present or is itself a reason, and when it names
    ``only_with`` and none of those was reported present or is a reason. A modifier that made it an
    emergency names its own steps. With ``ambulance`` False (sent to A&E) the steps that speak of the ambulance
    crew or the call handler are left out. A condition gives its steps only when every finding it cannot be
    without (its obligatory edges) was reported present. With an ambulance, the library's general steps for
    anyone waiting for one (``model.waiting_for_ambulance``) follow the emergency's own.

    ``leading`` is the likeliest condition. A less likely condition kept among the reasons does not cancel a
    step of the leading condition's own (a Boerhaave kept plausible at p=0.06 does not stop the aspirin for a
    suspected heart attack); a finding reported present always does. Two steps whose acts contradict
    (``model.first_aid_conflicts``: an aspirin to chew, 'not even tablets') are never both given: the leading
    condition's step is kept where the conflict lets it win, the conflict's preferred act otherwise."""
    reasons = list(reasons)
    said = set(present)
    ruled_out = said | {rid for _, rid in reasons}
    own = _own_steps(kb, leading)
    out: list[Advice] = []
    seen: set[str] = set()
    for kind, rid in reasons:
        if kind == "red_flag":
            flag = kb.findings[rid].red_flag
            steps = flag.first_aid if flag is not None else []
        elif kind in {"plausible_condition", "most_likely_condition"}:
            # a condition's steps only once what defines it was reported: no cooling for a heatstroke kept
            # plausible when nobody said anything about heat (a 94-year-old sent to 999 for sepsis signs)
            steps = kb.conditions[rid].first_aid if kb.obligatory(rid) <= ruled_out else []
        elif kind == "modifier":
            steps = next((m.first_aid for m in kb.modifiers if m.id == rid), [])
        else:
            steps = []
        for step in steps:
            # a step is never given when what it must not be given with is reported, is a reason, or is the
            # likeliest condition (no aspirin for a heart attack's warning sign when an asthma attack leads)
            blocked = (ruled_out | {leading}) & set(step.not_with)
            if step.text in own:  # the likeliest condition's step: only a report, or itself, cancels it
                blocked = said & set(step.not_with) | ({leading} & set(step.not_with))
            if step.text in seen or blocked or not fits(kb, step, who, proxy, locale) \
                    or step.with_ambulance and not ambulance:
                continue
            if step.only_with and not ruled_out & set(step.only_with):  # 'ruled_out' holds what is present
                continue
            seen.add(step.text)
            out.append(step)
    if ambulance:  # after the steps the emergency itself calls for: what anyone waiting for a crew does
        out += [step for step in kb.settings.waiting_for_ambulance
                if step.text not in seen and fits(kb, step, who, proxy, locale)]
    return _said_once(kb, _without_contradictions(kb, out, own))


def _said_once(kb: KnowledgeBase, steps: list[Advice]) -> list[Advice]:
    """The steps less any that repeats an act marked ``once`` an earlier step already gave: a thunderclap
    headache's red flag and a brain bleed each say 'recovery position' and 'note the time', in their own words,
    and a message said both (read 14 #10, #22)."""
    once = {a.id for a in kb.settings.first_aid_acts if a.once}
    given: set[str] = set()
    out = []
    for s in steps:
        acts = step_acts(kb, s.text) & once
        if acts and acts <= given:
            continue
        given |= acts
        out.append(s)
    return out


def _without_contradictions(kb: KnowledgeBase, steps: list[Advice], own: set[str]) -> list[Advice]:
    drop: set[str] = set()
    for c in kb.settings.first_aid_conflicts:
        sides = {act: [s.text for s in steps if act in step_acts(kb, s.text) and s.text not in drop] for act in c.acts}
        if not all(sides.values()):
            continue
        keep = c.prefer
        if c.leading_wins:
            led = [act for act in c.acts if any(t in own for t in sides[act])]
            if len(led) == 1:
                keep = led[0]
        for act in c.acts:
            if act != keep:
                drop |= {t for t in sides[act] if t not in sides[keep]}
    return [s for s in steps if s.text not in drop]


def first_aid_reasons(kb: KnowledgeBase, decisive: Iterable[tuple[str, str]],
                      differential: Iterable[str]) -> list[tuple[str, str]]:
    """Where an emergency's first-aid steps come from: the reasons that decided it, then the most likely
    condition when a red flag that decided it is one of that condition's own signs. A red flag says what to
    do about that sign ('too breathless to talk'); the likeliest cause says what to do about it (an asthma
    attack: the reliever inhaler), even when a red flag, not the cause's own level, made it an emergency. A
    likeliest condition unrelated to the decisive signs adds nothing: cooling for heatstroke does not belong
    in a call sent to 999 for fast breathing with a fever (sepsis). With no red flag among the reasons the
    likeliest condition is added as before."""
    out = list(decisive)
    top = next(iter(differential), None)
    if top is None or any(rid == top for _, rid in out):
        return out
    flags = [rid for kind, rid in out if kind == "red_flag"]
    own = kb.authored_edges(top)  # its edges as written, not those an implication derives
    if not flags or any(f in own for f in flags):
        out.append(("most_likely_condition", top))
    return out


__all__ = ["complaint_advice", "contradicting", "fits", "fits_time", "self_care_advice", "first_aid_reasons", "first_aid_steps", "step_acts"]
