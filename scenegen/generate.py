"""Generation: one record from (configuration, index), through sample -> plan -> realise.

Record *i* is made from random streams derived from the master seed and *i* alone, so any record can be
regenerated on its own, and a dataset's bytes do not depend on how many workers made it or in what order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Literal, Optional

from .content import TIME_COURSE, Disposition
from .errors import ContentError, Problem, UsageError
from .knowledge import KnowledgeBase
from .load import _content_digest, bundled_library, load_knowledge_base, resolve_library
from .noise import Noiser, marker_problems, read_lexicon, read_markers
from .personas import PersonaLibrary, load_personas
from .plan import Plan, PlanSettings, Reasoner, plan_dialogue
from .realise import Realiser
from .records import SCHEMA_VERSION, Record
from .rng import chance, derive_seed, pick, stream
from .sample import Filters, HiddenCase, PersonaDraw, check_filters, sample_case, sample_persona
from .splits import SplitPlan, initiative_template_gaps
from .review.overlay import OVERLAY, Overlay, overlay_problems, read_overlay
from .templates import TemplateLibrary, load_templates

HoldoutAxis = Literal["condition", "persona", "template"]
MAX_ATTEMPTS = 400


@lru_cache(maxsize=1)
def generator_version() -> str:
    try:
        return metadata.version("scenegen")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout without install
        from . import __version__

        return __version__


@dataclass(frozen=True)
class GenerateConfig:
    seed: int = 0
    test_fraction: float = 0.2
    holdout_by: HoldoutAxis = "condition"
    conditions: tuple[str, ...] = ()
    complaints: tuple[str, ...] = ()
    balance: Optional[Literal["disposition"]] = None
    ambiguity: Literal["low", "medium", "high"] = "high"
    max_questions: int = 8
    min_gain: float = 0.08
    system_prompt: bool = True
    name_conditions: Literal["never", "supported"] = "supported"
    noise: Literal["on", "off"] = "on"
    """typing slips in user messages (personas/noise.yaml), applied last from their own random stream: "off"
    makes the same dialogues without them"""
    twins: tuple[str, ...] = ()
    """counterfactual twins of every record on these axes (scenegen.twins.AXES), written after it in its split"""

    def __post_init__(self) -> None:
        if not 0.0 <= self.test_fraction < 1.0:
            raise UsageError(f"test fraction {self.test_fraction} must be in [0, 1)")
        if self.noise not in ("on", "off"):
            raise UsageError(f"noise must be 'on' or 'off', not {self.noise!r}")
        if self.max_questions < 1:
            raise UsageError("max_questions must be at least 1")

    @property
    def filters(self) -> Filters:
        return Filters(frozenset(self.conditions), frozenset(self.complaints))


@dataclass
class Library:
    """Everything loaded from one library folder, validated."""

    root: Path
    kb: KnowledgeBase
    personas: PersonaLibrary
    templates: TemplateLibrary
    overlay: Overlay = Overlay()
    """what clinicians' reviews hold back (review/quarantine.yaml): template variants, conditions to re-review"""

    @classmethod
    def load(cls, library: str | Path | None = None) -> "Library":
        root = resolve_library(library)
        user_supplied = root.resolve() != bundled_library().resolve()
        problems: list[Problem] = []  # every part is read, so one run lists the problems of all three
        kb = _collect(problems, lambda: load_knowledge_base(root))
        personas = _collect(problems, lambda: load_personas(root))
        overlay = _collect(problems, lambda: read_overlay(root)) or Overlay()
        templates = _collect(problems, lambda: load_templates(root, sandboxed=user_supplied,
                                                              quarantine=overlay.templates))
        _collect(problems, lambda: read_lexicon(root))
        if problems:
            raise ContentError(problems)
        if kb is not None:
            problems += overlay_problems(overlay, kb)
        if problems:
            raise ContentError(problems)
        lib = cls(root, kb, personas, templates, overlay)
        gaps = initiative_template_gaps(lib)
        if gaps:
            raise ContentError([Problem(f"templates/{act}", 0, "", f"no wording for {facts}") for act, facts in gaps[:20]])
        named = set(lib.personas.initiative.skip_conditions)
        named |= {c for k in lib.personas.initiative.kinds.values() for c in k.not_with_conditions}
        unknown = sorted(named - set(lib.kb.conditions))
        if unknown:
            raise ContentError([Problem("personas/initiative.yaml", 0, "skip_conditions / not_with_conditions",
                                        f"unknown conditions {unknown}")])
        slips = marker_problems(lib.personas.noise, read_markers(root))
        if slips:
            raise ContentError(slips)
        return lib

    @cached_property
    def wording_sha256(self) -> dict[str, Optional[str]]:
        """The identity of the personas and templates (every file's name and bytes), beside the knowledge base's
        ``content_hash`` (the templates' with the reviewers' quarantine): a dataset's manifest names all three, so parts made from another wording are refused
        at a join and a reader can tell which library wrote a record."""
        def files(part: str) -> list[Path]:
            found = sorted(p for p in (self.root / part).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if part == "templates" and (self.root / OVERLAY).is_file():  # what reviewers held back changes wordings
                found.append(self.root / OVERLAY)
            return found

        return {part: _content_digest(self.root, files(part)) for part in ("personas", "templates")}

    @cached_property
    def noiser(self) -> Noiser:
        """The typing noise of this library, compiled on first use (about half a second; never with noise off)
        and shared by every generator made from it."""
        return Noiser(self.kb, self.personas, read_markers(self.root))


def _collect(problems: list[Problem], load):
    """``load()``, or None with its problems added to ``problems``."""
    try:
        return load()
    except ContentError as exc:
        problems.extend(exc.problems)
        return None


class Generator:
    """Makes records for one configuration; cheap to call once built (one library load, shared caches)."""

    def __init__(self, library: Library, config: GenerateConfig):
        self.lib = library
        self.config = config
        check_filters(library.kb, config.filters)
        self.reasoner = Reasoner(library.kb)
        self.realiser = Realiser(library.kb, library.personas, library.templates, library.overlay.phrasings)
        self._fakers: dict[str, object] = {}
        self.splits = SplitPlan(library, config)

    # --- splits ---------------------------------------------------------------------------------------
    def split_of(self, index: int, persona: PersonaDraw, case: HiddenCase) -> Literal["train", "test"]:
        return self.splits.split_of(index, persona, case)

    @property
    def dispositions_available(self) -> list[Disposition]:
        return self.splits.dispositions_available

    @property
    def noiser(self) -> Noiser:
        return self.lib.noiser

    # --- one record -----------------------------------------------------------------------------------
    def record(self, index: int) -> Record:
        """Record ``index``, validated against the schema."""
        return Record.model_validate(self.record_data(index))

    def record_data(self, index: int) -> dict:
        """Record ``index`` as JSON-ready data (what the writer serialises)."""
        persona, case, plan, _ = self.draw(index)
        split = self.split_of(index, persona, case)
        return self._build(index, split, persona, case, plan)

    def settings(self) -> PlanSettings:
        c = self.config
        return PlanSettings(c.max_questions, c.min_gain, c.ambiguity, c.name_conditions)

    def draw(self, index: int) -> tuple[PersonaDraw, HiddenCase, Plan, tuple]:
        """The persona, hidden case and finished plan of record ``index``, and the state the plan's random stream
        had when that plan began (a twin is planned from the same state, so it differs only where its change does)."""
        c = self.config
        kb = self.lib.kb
        rng_case = stream(c.seed, index, "case")
        rng_plan = stream(c.seed, index, "plan")
        settings = self.settings()
        target = None
        want_split = None
        if c.balance == "disposition":
            target, want_split = self.splits.balance_slot(index)
        fallback = None
        for attempt in range(MAX_ATTEMPTS):
            persona = sample_persona(self.lib.personas, rng_case)
            # balancing the gold: draw conditions of the target level, and every other draw any condition, since
            # a gold level can come from a red flag or a look-alike as well as from the condition itself
            case = sample_case(kb, persona, rng_case, c.filters, target if attempt % 2 == 0 else None)
            if case is None or (want_split is not None and self.split_of(index, persona, case) != want_split):
                continue
            # unfinished: a plan of another level is discarded, and its questions' exact gains are not needed
            state = rng_plan.getstate()
            plan = plan_dialogue(kb, self.lib.personas, self.reasoner, persona, case, rng_plan, settings, finish=False)
            if plan is None:
                continue
            if target is None or plan.decision.disposition is target:
                break
            if fallback is None:
                fallback = (persona, case, plan, state)
        else:
            if fallback is None:
                raise UsageError(f"record {index}: no ambiguous, consistent dialogue found in {MAX_ATTEMPTS} draws "
                                 f"for conditions={list(c.conditions) or 'all'} complaints={list(c.complaints) or 'all'}; "
                                 "widen the selection")
            persona, case, plan, state = fallback  # the target level was not reached: the manifest reports the shares
        plan.finish(self.reasoner)
        return persona, case, plan, state

    def _name(self, persona: PersonaDraw, index: int) -> str:
        from faker import Faker

        locale = self.lib.personas.locale(persona.locale).faker
        fake = self._fakers.get(locale)
        if fake is None:
            fake = self._fakers[locale] = Faker(locale)
        fake.seed_instance(derive_seed(self.config.seed, index, "name"))  # type: ignore[attr-defined]
        return fake.first_name_female() if persona.sex.value == "female" else fake.first_name_male()  # type: ignore[attr-defined]

    def _noise(self, index: int, persona: PersonaDraw, name: str, messages: list[dict]) -> list[list[str]]:
        """Type the user messages as this person would (in place), the last step, from the record's own "noise"
        stream; the kinds applied to each message. Nothing else reads that stream, so with noise off every
        other byte is the same."""
        if self.config.noise == "off" or not self.lib.personas.noise.literacy:
            return [[] for _ in messages]
        noiser = self.noiser
        rng = stream(self.config.seed, index, "noise")
        typist = noiser.typist(persona.literacy, persona.style, rng, persona.locale)
        out = []
        for m in messages:
            slips: list[str] = []
            if m["role"] == "user":
                m["content"], slips = noiser.apply(m["content"], typist, rng, name)
            out.append(slips)
        return out

    def _build(self, index: int, split: str, persona: PersonaDraw, case: HiddenCase, plan: Plan,
               name: str | None = None, twin: dict | None = None) -> dict:
        """The record as plain JSON-ready data, keys in the schema's field order.

        Built as a dict because the writer serialises millions of these; ``record()`` validates the same dict
        into a :class:`Record`, and a test checks that both serialise to identical bytes.
        """
        c = self.config
        kb = self.lib.kb
        rng_words = stream(c.seed, index, "words")
        name = name or self._name(persona, index)
        details = self.lib.personas.details_for(persona.speaker, persona.age_months, kb.conditions[case.condition].emergency)
        rate = self.lib.personas.irrelevant_detail_rate
        detail = pick(rng_words, details) if details and chance(rng_words, rate) else ""
        keep = self.splits.keep(split)
        rendered = self.realiser.render(plan, persona, case, name, detail, rng_words, keep)
        messages = [{"role": r, "content": t} for r, t in rendered.messages]
        noise = self._noise(index, persona, name, messages)
        turns = [{"act": m.act, "finding": m.finding, **_answer_fields(m.answer if m.role == "user" and m.act in _ANSWERS else _NO_ANSWER),
                  "parts": list(m.parts), "templates": ids, "volunteered": list(m.volunteered),
                  "volunteered_values": _value_list(m.values), "noise": slips}
                 for m, ids, slips in zip(plan.messages, rendered.templates, noise)]
        offset = 0
        if c.system_prompt:
            text, template = self.realiser.system(persona, rng_words, keep)
            messages.insert(0, {"role": "system", "content": text})
            turns.insert(0, {"act": "system", "finding": None, "answer": None, "answer_values": [], "parts": ["system"],
                             "templates": [template], "volunteered": [], "volunteered_values": [], "noise": []})
            offset = 1
        local = self.realiser.localiser(persona.locale)  # the safety net as the dialogue words it
        gold = gold_labels(kb, persona, case, plan, offset, local)
        return {
            "schema_version": SCHEMA_VERSION, "id": f"scn-{c.seed}-{index:08d}", "split": split, "seed": c.seed,
            "index": index, "generator_version": generator_version(),
            "persona": {"name": name, "age_months": persona.age_months, "age_group": persona.age_group,
                        "sex": persona.sex.value, "pregnant": persona.pregnant, "speaker": persona.speaker,
                        "relation": persona.relation, "literacy": persona.literacy, "style": persona.style,
                        "locale": persona.locale},
            "case": case_block(kb, case),
            "messages": messages, "turns": turns, "gold": gold,
            "ambiguity": {"setting": c.ambiguity, "entropy_initial": round(plan.entropy_initial, 6),
                          "plausible_initial": len(plan.plausible_initial),
                          "dispositions_initial": sorted({kb.conditions[x].disposition.value for x in plan.plausible_initial}),
                          "volunteered_initial": list(plan.opening_volunteered)},
            "twin": twin,
        }


def gold_labels(kb: KnowledgeBase, persona: PersonaDraw, case: HiddenCase, plan: Plan, offset: int,
                local) -> dict:
    """The record's gold block, read off the finished plan; ``offset`` is 1 when a system message comes first and
    ``local`` words the safety net and first aid as the dialogue's locale does."""
    d = plan.decision
    return {
        "differential_initial": _diff(plan.differential_initial),
        "differential_final": _diff(plan.differential_final),
        "questions": [{
            "turn": q.message + offset, "finding": q.score.finding,
            "expected_gain": round(q.score.expected_gain, 6), "condition_gain": round(q.score.condition_gain, 6),
            "disposition_gain": round(q.score.disposition_gain, 6), "red_flag": q.score.red_flag is not None,
            "screens": q.score.screens, "must_ask": q.score.must_ask, "rules_out": q.score.rules_out,
            "separates": q.separates, **_answer_fields(q.answer),
            "why": q.why, "differential_after": _diff(q.differential_after)} for q in plan.questions],
        "reasoning": reasoning(kb, persona, case, plan),
        "disposition": d.disposition.value, "level4": d.disposition.level4, "level3": d.disposition.level3,
        "max_hours_to_care": d.disposition.max_hours_to_care, "disposition_turn": plan.disposition_message + offset,
        "reasons": [{"kind": r.kind, "id": r.id, "disposition": r.disposition.value, "detail": r.detail}
                    for r in d.decisive],
        "red_flags_present": list(d.red_flags_present), "red_flags_unasked": list(plan.red_flags_unasked),
        "safety_net": [local(t) for t in plan.safety_net], "named_conditions": list(plan.named),
        "first_aid": [local(t) for t in plan.first_aid],
        "crisis_resource": plan.crisis.value,
        "time_course": time_course(plan.observations),
        "patient_acts": [{"turn": asked + offset, "act": act.act, "raised": act.raised,
                          "assistant_must": act.assistant_must, "answer_turn": answered + offset}
                         for asked, answered, act in plan.patient_acts],
    }


def case_block(kb: KnowledgeBase, case: HiddenCase) -> dict:
    """The hidden case as the record states it: the condition's own findings and any an implication settled."""
    answer = case.answer  # the case's own findings, and any an implication settled
    binary, other = _own_findings(kb, case.condition)
    # a finding an implication set that is not one of the condition's edges (its 'if' named a known
    # pregnancy: a change in vision in pregnancy is the pre-eclampsia visual disturbance) is in the case too
    settled = sorted(f for f, a in case.truth.items() if a is True and f not in kb.likelihoods[case.condition]
                     and kb.findings[f].type.value == "binary")
    binary = binary + settled if settled else binary
    # and a categorical one an implication drew to test its 'if' (a headache's pattern, for 'a daily headache has
    # gone on for more than a week'): the realiser may say it, so the case states it (seed 5905 record 1266)
    drawn = sorted(f for f, a in case.truth.items() if f not in kb.likelihoods[case.condition]
                   and kb.findings[f].type.value != "binary" and a not in ("", frozenset()))
    other = other + drawn if drawn else other
    cond = kb.conditions[case.condition]
    return {"condition": case.condition, "condition_name": cond.name, "icd10": cond.icd10, "complaint": case.complaint,
            "present": [f for f in binary if answer(f) is True],
            "absent": [f for f in binary if answer(f) is False],
            "values": _value_list({f: answer(f) for f in other if answer(f) not in ("", frozenset())})}


def _own_findings(kb: KnowledgeBase, condition: str) -> tuple[list[str], list[str]]:
    """A condition's own findings, sorted: (yes/no ones, the others)."""
    def compute() -> tuple[list[str], list[str]]:
        edges = sorted(kb.likelihoods[condition])
        return ([f for f in edges if kb.findings[f].type.value == "binary"],
                [f for f in edges if kb.findings[f].type.value != "binary"])

    return kb.cached("own_findings", condition, compute)


def time_course(observations) -> dict:
    """gold.time_course: the onset and duration known when the disposition was given (null if never learnt)."""
    return {fid: observations[fid] if isinstance(observations.get(fid), str) else None for fid in TIME_COURSE}


def _diff(entries) -> list[dict]:
    return [{"condition": c, "p": round(p, 6)} for c, p in entries]


def _values(answer) -> list[str]:
    return [answer] if isinstance(answer, str) else sorted(answer)


#: marks a message that answers nothing (None is an answer: 'not sure')
_NO_ANSWER = object()
_YES_NO = {True: "yes", False: "no", None: "unsure"}
_ANSWERS = frozenset({"answer_yes", "answer_no", "answer_unsure", "answer_value"})


def _answer_fields(answer) -> dict:
    """The answer in the record's fixed-type form: yes/no/unsure in ``answer``, any value(s) in ``answer_values``."""
    if answer is _NO_ANSWER:
        return {"answer": None, "answer_values": []}
    if answer is None or isinstance(answer, bool):
        return {"answer": _YES_NO[answer], "answer_values": []}
    return {"answer": None, "answer_values": _values(answer)}


def _value_list(values: dict) -> list[dict]:
    """A finding -> value(s) map as the record's list of {finding, values}, ordered by finding id."""
    return [{"finding": f, "values": _values(v)} for f, v in sorted(values.items())]


def reasoning(kb: KnowledgeBase, persona: PersonaDraw, case: HiddenCase, plan: Plan) -> list[dict]:
    """Problem representation, pertinent positives and negatives, red flags checked, why this disposition."""
    from .knowledge import format_age

    obs = plan.observations
    positives = sorted(f for f, a in obs.items() if a is True and kb.findings[f].type.value == "binary")
    # a pertinent negative is a 'no' the person gave; a 'no' a consistency rule settled from what they said
    # (the Ottawa ankle items when the knee hurts) was never asked and goes under not_applicable
    denied = {m.finding for m in plan.messages if m.act == "answer_no" and m.finding is not None}
    negatives = sorted(f for f, a in obs.items() if a is False and f in denied)
    settled = sorted(f for f, a in obs.items() if a is False and f not in denied)
    valued = sorted(f for f, a in obs.items() if not isinstance(a, bool))
    flags = sorted(f for f in obs if kb.findings[f].red_flag is not None and (obs[f] is True or f in denied))

    def names(ids):
        return ", ".join(kb.findings[f].name.lower() for f in ids) or "none"

    who = f"{format_age(persona.age_months)} {persona.sex.value}{' (pregnant)' if persona.pregnant else ''}"
    complaint = kb.complaints[case.complaint].name.lower()
    qualifiers = "; ".join(f"{kb.findings[f].name.lower()}: {', '.join(_values(obs[f]))}" for f in valued)
    rep = f"{who} presenting with {complaint}" + (f"; {qualifiers}" if qualifiers else "")
    d = plan.decision
    rationale = "; ".join(r.detail for r in d.decisive)
    return [
        {"step": "problem_representation", "text": rep, "findings": [kb.complaints[case.complaint].finding] + valued},
        {"step": "pertinent_positives", "text": names(positives), "findings": positives},
        {"step": "pertinent_negatives", "text": names(negatives), "findings": negatives},
        {"step": "red_flags_checked", "text": ", ".join(
            f"{kb.findings[f].name.lower()}: {'present' if obs[f] is True else 'absent'}" for f in flags) or "none asked",
         "findings": flags},
        {"step": "disposition_rationale", "text": f"{d.disposition.value}: {rationale}",
         "findings": [r.id for r in d.decisive if r.kind == "red_flag"]},
        {"step": "not_applicable", "text": names(settled), "findings": settled},
    ]
