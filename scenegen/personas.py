"""The persona library (`personas/`): who is talking and how. Validated on load like the conditions."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .content import Disposition, Sex
from .errors import ContentError, Problem
from .noise import NOISE_FILE, Noise, noise_id_problems
from .records import AssistantMust, PatientActKind, Raised
from .libfiles import Budget
from .yamlfile import read_yaml


#: 18 years: younger people speaking for themselves do not talk of jobs or partners
ADULT_MONTHS = 216


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgeGroup(_Strict):
    id: str
    name: str
    min_months: int = Field(ge=0)
    max_months: int = Field(ge=0)
    weight: float = Field(ge=0)
    speakers: list[str] = Field(min_length=1)


class Speaker(_Strict):
    id: str
    name: str
    relations: dict[Sex, str] = Field(default_factory=dict, description="what the speaker calls the patient")


class Literacy(_Strict):
    id: str
    name: str
    weight: float = Field(ge=0)
    wording: str = Field(description="template register: plain or standard")


class Style(_Strict):
    id: str
    name: str
    weight: float = Field(ge=0)
    unsure_rate: float = Field(ge=0, le=1)
    volunteer_rate: float = Field(ge=0, le=1)
    aside_rate: float = Field(0.0, ge=0, le=1, description="how often an answer adds an aside with no clinical "
                                                           "content ('Sorry, I know I go on a bit')")
    tone: str
    initiative_rate: float = Field(0.0, ge=0, le=1, description=(
        "share of dialogues in which this person does more than answer after the advice: asks a question, "
        "pushes back, or replies (personas/initiative.yaml says which kinds fit which disposition)"))
    initiative_weights: dict[PatientActKind, float] = Field(default_factory=dict, description=(
        "relative weight of each patient act for this style (an act left out weighs 1)"))
    raised_weights: dict[Raised, float] = Field(default_factory=dict, description=(
        "multiplies the library weight of a raised kind for this style (a minimising person says 'I don't want "
        "to waste their time' more often); a kind left out is multiplied by 1"))

    @model_validator(mode="after")
    def _weights(self) -> "Style":
        for name, weights in (("initiative_weights", self.initiative_weights), ("raised_weights", self.raised_weights)):
            bad = {k: w for k, w in weights.items() if w < 0}
            if bad:
                raise ValueError(f"style '{self.id}': {name} must not be negative: {bad}")
        return self


class InitiativeKind(_Strict):
    """One thing a patient may raise after the advice (personas/initiative.yaml)."""

    act: PatientActKind
    assistant_must: AssistantMust
    dispositions: list[Disposition] = Field(min_length=1, description=(
        "the dispositions after which a patient may raise it: nobody asks whether self-care can wait till morning"))
    weight: float = Field(gt=0)
    age_groups: list[str] = Field(default_factory=list, description=(
        "the persona age groups it is raised for (empty: all); nobody asks about a baby's usual tablets"))
    not_with_conditions: list[str] = Field(default_factory=list, description=(
        "never raised when one of these conditions is the hidden one or a reason for the disposition: in a call "
        "about low mood, 'can I take the paracetamol in the cupboard?' is a warning sign, not a stock question; "
        "checked against the condition library when the library loads"))


class Initiative(_Strict):
    """What patients do besides answering, after the advice; none of it changes a label."""

    kinds: dict[Raised, InitiativeKind] = Field(default_factory=dict)
    follow_up_rate: float = Field(0.0, ge=0, le=1, description=(
        "after a question or pushback has been answered, the chance that the patient replies once more"))
    follow_up: list[Raised] = Field(default_factory=list, description="the kinds that reply (a reply_after_advice)")
    skip_with_crisis_resource: bool = Field(True, description=(
        "no initiative in a dialogue that ends with a crisis line (suicidal thoughts, a poisoning, abuse)"))
    skip_conditions: list[str] = Field(default_factory=list, description=(
        "no initiative when one of these conditions is the hidden one or a reason for the disposition (a suspected "
        "non-accidental injury: that conversation is not a stock exchange about waiting); checked against the "
        "condition library when the library loads"))

    @model_validator(mode="after")
    def _follow_ups(self) -> "Initiative":
        for raised in self.follow_up:
            kind = self.kinds.get(raised)
            if kind is None or kind.act != "reply_after_advice":
                raise ValueError(f"follow_up '{raised}' must be a kind of act reply_after_advice")
        acts = {k.act for k in self.kinds.values()}
        for level in Disposition if self.kinds else ():
            missing = [a for a in acts if not any(k.act == a and level in k.dispositions for k in self.kinds.values())]
            if missing:
                raise ValueError(f"no kind of {sorted(missing)} fits disposition {level.value}: every act needs one "
                                 "per disposition, or a style's weight would have nothing to draw")
        return self

    def allowed(self, act: str, level: Disposition, age_group: str | None = None,
                conditions: frozenset[str] = frozenset()) -> list[str]:
        """The kinds of ``act`` a patient may raise after ``level`` (for someone of ``age_group``, in a dialogue
        about ``conditions``), in library order."""
        return [r for r, k in self.kinds.items() if k.act == act and level in k.dispositions
                and (age_group is None or not k.age_groups or age_group in k.age_groups)
                and not conditions & set(k.not_with_conditions)]


class Locale(_Strict):
    id: str
    name: str
    faker: str
    weight: float = Field(ge=0)
    vocab: dict[str, str]
    crisis: dict[str, str]
    sources: list[str] = Field(min_length=1)
    terms: dict[str, str] = Field(default_factory=dict, description=(
        "the library is written in British English: each whole word or phrase here is said this way in this "
        "locale (GP -> primary-care doctor, 999 -> 911)"))
    never_words: list[str] = Field(default_factory=list, description=(
        "words of another locale's English that nobody here says ('fortnight', 'defo', 'weeing' in en_US): no "
        "record of this locale contains one (a test generates records and checks); lower case, whole words"))

    @model_validator(mode="after")
    def _terms(self) -> "Locale":
        for src, dst in self.terms.items():
            if not src.strip() or not dst.strip():
                raise ValueError(f"locale '{self.id}': terms need a non-empty word and replacement (got {src!r}: {dst!r})")
            if "{" in src + dst:
                raise ValueError(f"locale '{self.id}': terms are plain words, not template syntax ({src!r}: {dst!r})")
        return self


REQUIRED_VOCAB = {"emergency_number", "ed", "ed_long", "primary_care", "urgent_care", "pharmacist", "mum", "vomit",
                  # what to do when a safety-net warning sign appears, by the level of care its red flag calls for
                  "act_emergency_ambulance", "act_emergency_department", "act_urgent", "act_routine", "act_self_care",
                  # what the patient and the assistant say after the advice: the doctor and the surgery as the patient
                  # calls them, the phone advice line, the emergency call handler, a painkiller for an adult and for
                  # a child by its common name, and where the dose for an age is written
                  "the_gp", "the_surgery", "gp_surgery", "advice_line", "call_handler", "painkiller", "child_painkiller",
                  "leaflet",
                  # when a same-day (urgent) disposition is to be seen, said one way in every message ('today'; a
                  # closing said 'within 24 hours' and 'the same day' for one disposition)
                  "urgent_when"}


_PLACEHOLDERS = {
    "age_newborn": {"subj"}, "age_one_month": {"subj"}, "age_months": {"subj", "months"},
    "age_years": {"subj", "years"}, "age_self_years": {"years"}, "no_option_applies": set(),
    "carer_yes_no_question": {"do", "ref", "ask"}, "carer_other_question": {"ref", "question"},
    "complaint_after_cause": {"complaint", "cause"}, "the_problem": set(),
}


class Phrases(_Strict):
    """Wordings the realiser fills in; each may use only its own placeholders."""

    age_newborn: str
    age_one_month: str
    age_months: str
    age_years: str
    # a teenager writing for themselves says how old they are: the reply's 'tell a parent or another adult you
    # trust' must rest on something said (a blind read, seed 31415 record 157)
    age_self_years: str = "I'm {years}."
    no_option_applies: str
    carer_yes_no_question: str
    carer_other_question: str
    complaint_after_cause: str = "{complaint} after {cause}"  # the opening names the injury that brought it on
    the_problem: str = "symptoms"  # a complaint whose every name lists alternatives, as a later question names it

    @model_validator(mode="after")
    def _placeholders(self) -> "Phrases":
        import string

        for name, allowed in _PLACEHOLDERS.items():
            used = {f for _, f, _, _ in string.Formatter().parse(getattr(self, name)) if f}
            if used - allowed:
                raise ValueError(f"phrase '{name}' uses {sorted(used - allowed)}; it may use only {sorted(allowed)}")
        return self


def _faker_locale_exists(name: str) -> bool:
    """Whether Faker has this locale (it raises only when a generator is first made, mid-run)."""
    from faker.config import AVAILABLE_LOCALES

    return name in AVAILABLE_LOCALES


class PersonaLibrary(_Strict):
    age_groups: list[AgeGroup] = Field(min_length=1)
    pregnancy_rate: float = Field(ge=0, le=1)
    pregnancy_ages_months: tuple[int, int]
    speakers: list[Speaker] = Field(min_length=1)
    literacy: list[Literacy] = Field(min_length=1)
    styles: list[Style] = Field(min_length=1)
    locales: list[Locale] = Field(min_length=1)
    irrelevant_details: list[str] = Field(default_factory=list)
    hedges: list[str] = Field(default_factory=list, description="softeners a patient says at most one of in a "
                              "message ('I think', 'if I'm honest'): a wording that stacks more is drawn again")
    adult_irrelevant_details: list[str] = Field(
        default_factory=list, description="details only an adult says (a job, a partner, children): never from a "
                                          "child or teenager speaking for themselves")
    working_age_details: list[str] = Field(
        default_factory=list, description="details of a working life (a job interview, a lunch break, the kids off "
                                          "school): an adult's, and never from someone speaking for themselves at "
                                          "working_age_below_months or over (a job interview at 94)")
    working_age_below_months: int = Field(792, gt=ADULT_MONTHS, description="the age from which a person speaking "
                                          "for themselves no longer says a working-age detail")
    irrelevant_detail_rate: float = Field(0.0, ge=0, le=1, description="share of openings that add an irrelevant detail")
    worried_tones: list[str] = Field(
        default_factory=list, description="tones that never play a problem down (no playing_down_details)")
    playing_down_details: list[str] = Field(
        default_factory=list, description="details (of the two lists above) that play the problem down ('I hate "
                                          "making a fuss'): never said in an opening that names a red flag")

    not_in_emergencies: list[str] = Field(
        default_factory=list, description="details (of the lists above) about plans, work or convenience that "
                                          "nobody mentions when the problem is an emergency (a lunch break with a "
                                          "plan to end one's life, a wedding with a swelling throat)")

    def details_for(self, persona_speaker: str, age_months: int, emergency: bool = False) -> list[str]:
        """The opening details this speaker may say: an adult's (a job, a partner) only from an adult, and
        none about plans or work when the problem is an emergency."""
        if persona_speaker == "self" and age_months < ADULT_MONTHS:
            out = self.irrelevant_details
        elif persona_speaker == "self" and age_months >= self.working_age_below_months:
            out = self.irrelevant_details + self.adult_irrelevant_details
        else:
            out = self.irrelevant_details + self.adult_irrelevant_details + self.working_age_details
        if emergency:
            calm = set(self.not_in_emergencies)
            out = [d for d in out if d not in calm]
        return out
    phrases: Phrases
    initiative: Initiative = Field(default_factory=Initiative, description="read from personas/initiative.yaml")
    noise: Noise = Field(default_factory=Noise, description="read from personas/noise.yaml (none without the file)")

    @model_validator(mode="after")
    def _consistent(self) -> "PersonaLibrary":
        for kind in ("age_groups", "speakers", "literacy", "styles", "locales"):
            items = getattr(self, kind)
            seen = [x.id for x in items]
            twice = sorted({i for i in seen if seen.count(i) > 1})
            if twice:
                raise ValueError(f"{kind}: id(s) {twice} appear more than once; each id names one entry")
            weights = [getattr(x, "weight", 1) for x in items]
            if not sum(weights) > 0:
                raise ValueError(f"{kind}: every weight is 0, so none can be drawn; give at least one a weight above 0")
        for loc in self.locales:
            if not _faker_locale_exists(loc.faker):
                raise ValueError(f"locale '{loc.id}': faker locale '{loc.faker}' does not exist; use one Faker knows, "
                                 "such as en_GB or en_US")
        speakers = {s.id for s in self.speakers}
        for g in self.age_groups:
            if g.min_months > g.max_months:
                raise ValueError(f"age group '{g.id}': min_months > max_months")
            missing = set(g.speakers) - speakers
            if missing:
                raise ValueError(f"age group '{g.id}' names unknown speakers {sorted(missing)}; valid: {sorted(speakers)}")
        for loc in self.locales:
            missing = REQUIRED_VOCAB - set(loc.vocab)
            if missing:
                raise ValueError(f"locale '{loc.id}' lacks vocab {sorted(missing)}")
        for d in self.irrelevant_details + self.adult_irrelevant_details + self.working_age_details:
            if "{" in d:
                raise ValueError(f"irrelevant detail may not hold template syntax: {d!r}")
        unknown = set(self.worried_tones) - {s.tone for s in self.styles}
        if unknown:
            raise ValueError(f"worried_tones names tones no style has: {sorted(unknown)}")
        stray = set(self.playing_down_details) - set(self.irrelevant_details + self.adult_irrelevant_details
                                                      + self.working_age_details)
        if stray:
            raise ValueError(f"playing_down_details must be irrelevant details, written as there: {sorted(stray)}")
        stray = set(self.not_in_emergencies) - set(self.irrelevant_details + self.adult_irrelevant_details
                                                   + self.working_age_details)
        if stray:
            raise ValueError(f"not_in_emergencies must be irrelevant details, written as there: {sorted(stray)}")
        groups = {g.id for g in self.age_groups}
        for raised, kind in self.initiative.kinds.items():
            if set(kind.age_groups) - groups:
                raise ValueError(f"initiative kind '{raised}' names unknown age groups "
                                 f"{sorted(set(kind.age_groups) - groups)}; valid: {sorted(groups)}")
        for s in self.styles:
            unknown = set(s.raised_weights) - set(self.initiative.kinds)
            if unknown:
                raise ValueError(f"style '{s.id}' weighs raised kinds {sorted(unknown)} that personas/initiative.yaml "
                                 f"does not define; defined: {sorted(self.initiative.kinds)}")
        return self

    def speaker(self, sid: str) -> Speaker:
        return next(s for s in self.speakers if s.id == sid)

    def locale(self, lid: str) -> Locale:
        return next(loc for loc in self.locales if loc.id == lid)

    def style(self, sid: str) -> Style:
        return next(s for s in self.styles if s.id == sid)


def load_personas(root: Path) -> PersonaLibrary:
    from .load import _pydantic_problems

    path = root / "personas" / "personas.yaml"
    label = "personas/personas.yaml"
    problems: list[Problem] = []
    if not (path.exists() or path.is_symlink()):
        raise ContentError([Problem(label, 0, "", "persona library not found; a library holds personas/personas.yaml")])
    budget = Budget()
    data = read_yaml(path, label, problems, root=root, budget=budget)
    extra = root / "personas" / "initiative.yaml"
    initiative = (read_yaml(extra, "personas/initiative.yaml", problems, root=root, budget=budget)
                  if extra.exists() or extra.is_symlink() else None)
    noise_path = root / NOISE_FILE
    noise_data = (read_yaml(noise_path, NOISE_FILE, problems, root=root, budget=budget)
                  if noise_path.exists() or noise_path.is_symlink() else None)
    if problems:
        raise ContentError(problems)
    noise = None
    if noise_data is not None:
        try:
            noise = Noise.model_validate(noise_data)
        except ValidationError as exc:
            raise ContentError(_pydantic_problems(NOISE_FILE, noise_data, exc)) from None
    if initiative is not None:
        try:
            Initiative.model_validate(initiative)
        except ValidationError as exc:
            raise ContentError(_pydantic_problems("personas/initiative.yaml", initiative, exc)) from None
        if isinstance(data, dict):
            data["initiative"] = initiative  # a fresh mapping read just now; its lines stay those of personas.yaml
            if hasattr(data, "lines"):
                data.lines["initiative"] = 0
    try:
        library = PersonaLibrary.model_validate(data)
    except ValidationError as exc:
        raise ContentError(_pydantic_problems(label, data, exc)) from None
    if noise is not None:  # checked against the literacy levels and styles just read, reported in its own file
        wrong = noise_id_problems(noise_data, noise, (x.id for x in library.literacy), (s.id for s in library.styles))
        if wrong:
            raise ContentError(wrong)
        library = library.model_copy(update={"noise": noise})
    return library


#: the raised kinds and assistant duties the record schema knows (personas/initiative.yaml uses these names)
RAISED_KINDS = get_args(Raised)
ASSISTANT_DUTIES = get_args(AssistantMust)
