"""Pydantic models for the content files of a library (`conditions/`).

The models describe one YAML file each; cross-file rules (ids that must exist, parent cycles, ICD-10-CM
codes, duplicate finding sets) are checked by :mod:`scenegen.load`, which sees the whole library.
Every model forbids unknown keys so that a typo in a content file is an error, not a silent default.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any, Literal, Mapping, Sequence, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, description="lower_snake_case identifier")]


def _no_gloss(text: str) -> str:
    """A patient's words carry no bracketed gloss: 'sickness (vomiting)' is the library explaining itself, and
    a blind read found it in patients' first messages; the assistant's questions may gloss, a patient does not."""
    if "(" in text or ")" in text:
        raise ValueError(f"'{text}': a patient's words hold no brackets; write it as they would say it "
                         f"(the gloss belongs in the question)")
    return text


#: a phrase a patient says (lay phrasings, denials, a complaint's opening words)
PatientPhrase = Annotated[str, AfterValidator(_no_gloss)]


class Disposition(str, Enum):
    """How urgently care is needed, most urgent first (DESIGN.md, 'Escalation labels')."""

    emergency_ambulance = "emergency_ambulance"
    emergency_department = "emergency_department"
    urgent = "urgent"
    routine = "routine"
    self_care = "self_care"

    @property
    def rank(self) -> int:
        """Higher is more urgent, so ``max`` over ranks is the safety-first choice."""
        return _RANK[self]

    @property
    def level4(self) -> str:
        """Hill et al. 2020 four-level form."""
        return _LEVEL4[self]

    @property
    def level3(self) -> str:
        """Semigran et al. 2015 three-level form."""
        return _LEVEL3[self]

    @property
    def max_hours_to_care(self) -> int | None:
        return _HOURS[self]


_RANK = {
    Disposition.self_care: 0,
    Disposition.routine: 1,
    Disposition.urgent: 2,
    Disposition.emergency_department: 3,
    Disposition.emergency_ambulance: 4,
}
_LEVEL4 = {
    Disposition.emergency_ambulance: "emergency",
    Disposition.emergency_department: "emergency",
    Disposition.urgent: "urgent",
    Disposition.routine: "non_urgent",
    Disposition.self_care: "self_care",
}
_LEVEL3 = {
    Disposition.emergency_ambulance: "emergent",
    Disposition.emergency_department: "emergent",
    Disposition.urgent: "non_emergent",
    Disposition.routine: "non_emergent",
    Disposition.self_care: "self_care",
}
_HOURS = {
    Disposition.emergency_ambulance: 0,
    Disposition.emergency_department: 1,
    Disposition.urgent: 24,
    Disposition.routine: 336,
    Disposition.self_care: None,
}


def most_urgent(dispositions: list[Disposition]) -> Disposition:
    return max(dispositions, key=lambda d: d.rank)


class CrisisResource(str, Enum):
    none = "none"
    suicide_crisis_line = "suicide_crisis_line"
    poison_centre = "poison_centre"
    domestic_violence = "domestic_violence"
    sexual_assault = "sexual_assault"


class Sex(str, Enum):
    female = "female"
    male = "male"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------------------------------------
# Model settings (conditions/_model.yaml): the numbers behind the words, kept in one place.


class AgeBand(Strict):
    """An age band; the first band whose upper bound the age is below is the one that applies."""

    id: Id
    name: str
    below_months: int | None = Field(None, description="exclusive upper bound in months; null = no bound")


class TimeWords(Strict):
    """Words that carry a time about the problem the call is about: the span since it started that they can
    mean, in days (high None = no bound), and the onsets they fit."""

    words: list[str] = Field(min_length=1, description="whole words, lower case")
    days: tuple[float, float | None] | None = Field(None, description="[low, high] days since it started")
    onsets: list[Id] = Field(default_factory=list, description="onset values the words fit; empty = any")

    @model_validator(mode="after")
    def _says_something(self) -> "TimeWords":
        if self.days is None and not self.onsets:
            raise ValueError(f"time words {self.words} give neither days nor onsets")
        if self.days is not None and self.days[1] is not None and self.days[1] <= self.days[0]:
            raise ValueError(f"time words {self.words}: days {list(self.days)} is empty")
        if any(w != w.lower().strip() for w in self.words):
            raise ValueError(f"time words {self.words} must be lower case without outer spaces")
        return self


class TimeCourseWords(Strict):
    """The time-course findings, the span of each duration band in days, and the table of time words."""

    onset: Id
    duration: Id
    duration_days: dict[Id, tuple[float, float | None]]
    newborn_days: float = Field(gt=0, description="longest span a baby under a month can have had a problem")
    value_days: dict[Id, dict[Id, tuple[float, float | None]]] = Field(
        default_factory=dict,
        description="categorical findings whose value says when the problem began (how long ago something was "
                    "swallowed), each value's span in days: in a call about the finding's parent, the case's value "
                    "bounds the time course, so the opening's 'about an hour ago' and the answer to 'how long ago "
                    "was it taken?' both come from it")
    words: list[TimeWords]


class FirstAidAct(Strict):
    """What a first-aid step tells someone to do, read from its words: 'nothing to eat or drink' is
    nothing_by_mouth, 'chew one 300 mg aspirin tablet' by_mouth. Words are matched in lower case."""

    id: Id
    words: list[str] = Field(min_length=1, description="phrases, lower case, any one of which marks the act")
    once: bool = Field(False, description="said once per message: a second step of this act from another source "
                                          "(the red flag's and the condition's own 'recovery position') is left out")


class FirstAidConflict(Strict):
    """Two acts no person can be told to do together ('chew an aspirin' and 'not even tablets'). When both
    would be given, the step of the likeliest condition wins; otherwise ``prefer`` does."""

    acts: tuple[Id, Id]
    prefer: Id = Field(description="the act kept when neither step is the likeliest condition's own")
    leading_wins: bool = Field(True, description="whether the likeliest condition's own step is kept over "
                                                 "'prefer' (false: 'prefer' always, as breathing comes first)")
    why: str = Field(min_length=3)
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _prefers_one_of_its_acts(self) -> "FirstAidConflict":
        if self.prefer not in self.acts:
            raise ValueError(f"prefer {self.prefer!r} is not one of {list(self.acts)}")
        return self


class AgeWords(Strict):
    """Words that take for granted something a person can do only from some age (stand up and walk about,
    swallow a tablet, say how something feels): nothing said with them is given or asked about anyone
    younger."""

    words: list[str] = Field(min_length=1, description="phrases, lower case, matched as whole words")
    min_age_months: int = Field(0, ge=0)
    max_age_months: int | None = Field(None, ge=0, description="oldest age the words fit (breast or bottle feeds: "
                                                                "a baby's), inclusive")
    why: str = Field(min_length=3)
    source: str = Field(min_length=3)


class ModelSettings(Strict):
    frequency_bands: dict[str, float] = Field(
        description="P(finding | condition) for each frequency band name (HPO bands)")
    prior_bands: dict[str, float] = Field(
        description="relative prior weight of a condition among contacts, for each prior band name")
    leak: float = Field(gt=0, lt=0.5, description="P(finding | condition) when the condition has no edge to it")
    max_likelihood: float = Field(gt=0.5, le=1, description="ceiling on any P(finding | condition) in inference")
    obligatory_band: str | None = Field(
        None, description="frequency band that marks a finding the condition cannot exist without (pregnancy for "
                          "an ectopic pregnancy): exempt from the ceiling, so that its denial rules the condition out")
    excluding_band: str | None = Field(
        None, description="frequency band (0) that marks a finding the condition is defined without (chest pain for "
                          "'a raised blood-pressure reading without symptoms'): exempt from the leak, so the finding is "
                          "never drawn for it and its report rules the condition out")
    plausible_threshold: float = Field(gt=0, lt=1, description="posterior at which a condition counts as plausible")
    naming_floor: float = Field(0.0, ge=0, lt=1, description="posterior below which a condition other than the "
                                "likeliest is not named to the person, however its findings fit")
    differential_threshold: float = Field(gt=0, lt=1, description="posterior at which a condition is listed")
    self_care_floor: float = Field(
        0.5, gt=0, le=1, description="posterior a condition needs for its own self-care advice to be given: the "
                                     "clear leader, not one cause among several (scenegen.plan.advice_supported)")
    defining_bands: list[str] = Field(
        default_factory=list, description="frequency bands whose findings define a condition for its advice: "
                                          "its own self-care is not given when one was denied or answered unsure")
    disposition_gain_weight: float = Field(ge=0, description="weight of disposition gain against condition gain")
    pregnancy_finding: Id | None = Field(
        None, description="binary finding that a known pregnancy makes present (implied, never asked, when pregnant)")
    gestation_finding: Id | None = Field(
        None, description="categorical finding that says how far along a pregnancy is")
    early_gestation_values: list[Id] = Field(
        default_factory=list, description="its values for which the pregnancy service to name is the early "
                                          "pregnancy one, not the maternity unit (a test only just positive; 8 weeks)")
    age_bands: list[AgeBand]
    time_course: TimeCourseWords | None = Field(
        None, description="time words and the spans they mean, so that a dialogue's time phrases agree")
    first_aid_acts: list[FirstAidAct] = Field(
        default_factory=list, description="what first-aid steps tell someone to do, read from their words")
    first_aid_conflicts: list[FirstAidConflict] = Field(
        default_factory=list, description="pairs of acts never given together, and which is kept")
    no_driving_after: list[Id] = Field(
        default_factory=list, description="findings after which a person sent to A&E is told not to drive "
                                          "themselves there (a fit, a blackout)")
    no_driving_source: str | None = Field(None, description="where no_driving_after comes from, by name")
    waiting_for_ambulance: list["Advice"] = Field(
        default_factory=list, description="steps said after the condition's own first aid whenever an ambulance "
                                          "is called (unlock the door, someone to stay), each for whom it fits")
    advice_age_words: list[AgeWords] = Field(
        default_factory=list, description="words of advice and first aid that presume an age (standing, walking)")
    felt_words: list[AgeWords] = Field(
        default_factory=list, description="words of questions and phrases that only someone who can say how "
                                          "something feels can answer (blurred sight, dizziness, tingling)")
    sources: list[str] = Field(min_length=1)

    @field_validator("frequency_bands", "prior_bands")
    @classmethod
    def _bands_are_probabilities(cls, v: dict[str, float]) -> dict[str, float]:
        for name, p in v.items():
            if not re.match(ID_PATTERN, name):
                raise ValueError(f"band name {name!r} must be lower_snake_case")
            if not 0 <= p <= 1:
                raise ValueError(f"band {name!r} = {p} is not in [0, 1]")
        return v

    @model_validator(mode="after")
    def _age_bands_ordered(self) -> "ModelSettings":
        if self.obligatory_band is not None and self.obligatory_band not in self.frequency_bands:
            raise ValueError(f"obligatory_band {self.obligatory_band!r} is not one of the frequency bands: "
                             f"{', '.join(sorted(self.frequency_bands))}")
        if self.excluding_band is not None and self.frequency_bands.get(self.excluding_band) != 0:
            raise ValueError(f"excluding_band {self.excluding_band!r} must be a frequency band of 0")
        stray = [b for b in self.defining_bands if b not in self.frequency_bands]
        if stray:
            raise ValueError(f"defining_bands {', '.join(stray)} are not frequency bands: "
                             f"{', '.join(sorted(self.frequency_bands))}")
        bounds = [b.below_months for b in self.age_bands]
        if not bounds or bounds[-1] is not None:
            raise ValueError("the last age band must have below_months: null (no upper bound)")
        finite = [b for b in bounds[:-1]]
        if any(b is None for b in finite) or finite != sorted(finite):
            raise ValueError("age bands must be in increasing order of below_months")
        acts = {a.id for a in self.first_aid_acts}
        for c in self.first_aid_conflicts:
            if not set(c.acts) <= acts:
                raise ValueError(f"first_aid_conflicts names acts {sorted(set(c.acts) - acts)} not in first_aid_acts")
        return self


# ---------------------------------------------------------------------------------------------------------
# Findings


Probability = Union[float, str]


class FindingType(str, Enum):
    binary = "binary"
    categorical = "categorical"
    multi = "multi"


class FindingKind(str, Enum):
    symptom = "symptom"
    sign = "sign"  # something a patient or carer can see or measure at home
    risk_factor = "risk_factor"
    history = "history"


class AgeLimits(Strict):
    """Age limits in months, inclusive, for what applies to some ages only (a guideline, a medicine's licence)."""

    min_age_months: int | None = Field(None, ge=0, description="youngest age it applies to, in months (inclusive)")
    max_age_months: int | None = Field(None, ge=0, description="oldest age it applies to, in months (inclusive; 59 = under 5)")

    def covers(self, age_months: int) -> bool:
        return (self.min_age_months is None or age_months >= self.min_age_months) and \
            (self.max_age_months is None or age_months <= self.max_age_months)

    @model_validator(mode="after")
    def _limits_ordered(self) -> "AgeLimits":
        if None not in (self.min_age_months, self.max_age_months) and self.min_age_months > self.max_age_months:
            raise ValueError(f"min_age_months {self.min_age_months} is above max_age_months {self.max_age_months}")
        return self


class AgeScopedSource(AgeLimits):
    """A guideline that covers only some ages (NICE NG143 is for children under 5): cited only for them."""

    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _bounded(self) -> "AgeScopedSource":
        if self.min_age_months is None and self.max_age_months is None:
            raise ValueError("an age-scoped source names min_age_months or max_age_months (or both)")
        return self


class PhraseAges(AgeLimits):
    """Phrases of one finding or complaint that only fit some ages: 'nothing on the paper' needs a child who
    uses the toilet, 'over the bladder' one who can say where it hurts, 'several pints most nights' an adult.
    Each phrase stays in its list (lay, a value's lay, deny); here it is only held to these ages, and the
    realiser never says it, nor `scenegen validate` accepts it, outside them."""

    phrases: list[str] = Field(min_length=1, description="phrases of the finding's (or complaint's) own lists")
    source: str = Field(min_length=3, description="why these ages: a guideline, or 'the phrases' own wording'")

    @model_validator(mode="after")
    def _bounded(self) -> "PhraseAges":
        if self.min_age_months is None and self.max_age_months is None:
            raise ValueError("phrase_ages names min_age_months or max_age_months (or both)")
        return self


def phrases_fit(phrases: Sequence[str], limits: Sequence[PhraseAges], age_months: int | None) -> list[str]:
    """The phrases that may be said of someone of this age (every one when the age is unknown)."""
    if not limits or age_months is None:
        return list(phrases)
    out = set()
    for lim in limits:
        if not lim.covers(age_months):
            out.update(lim.phrases)
    return [p for p in phrases if p not in out]


class Pregnancy(str, Enum):
    any = "any"
    required = "required"
    excluded = "excluded"


class Speaker(str, Enum):
    any = "any"
    self = "self"
    proxy = "proxy"


class Advice(AgeLimits):
    """A piece of advice (self-care, or a first-aid step while help is on the way) with the people it is for,
    as its source says: the age bands, age limits in months (a medicine's licence: 'not under 2 months'),
    pregnancy, and who is being spoken to. Nobody is given advice outside these limits."""

    text: str = Field(min_length=3, description="the advice in plain words, one or two sentences")
    source: str = Field(min_length=3, description="where the advice and its limits come from, by name; "
                                                  "'(not checked)' where the source could not be checked")
    ages: list[Id] = Field(default_factory=list,
                           description="age band ids it applies to; empty = every age the item is otherwise open to")
    pregnancy: Pregnancy = Field(Pregnancy.any, description="any | excluded (not when pregnant) | required (only when pregnant)")
    speaker: Speaker = Field(Speaker.any, description="any | self (said to the patient) | proxy (said to a parent or carer)")
    medicines: list[Id] = Field(default_factory=list,
                                description="medicine ids (conditions/medicines.yaml) the item tells someone to take or "
                                            "give: it is not given below the youngest age the medicine is sold or "
                                            "licensed for where the person lives")
    not_with: list[Id] = Field(default_factory=list,
                               description="finding or condition ids that rule it out: not given when such a finding "
                                           "was reported present or such a condition is among the reasons for the "
                                           "disposition (no aspirin with a tearing pain that may be a dissection)")
    with_ambulance: bool = Field(False, description="a first-aid step given only when an ambulance is called: "
                                                    "its words speak of the crew, the call handler or waiting for "
                                                    "the ambulance, which a person told to go to A&E will not meet")
    only_with: list[Id] = Field(default_factory=list,
                                description="finding or condition ids one of which must hold for the item to fit: "
                                            "reported present or among the reasons (the rescue medicine 'as their "
                                            "care plan says' only with known epilepsy, never for a first fit)")
    same_day: bool = Field(False, description="also given with a same-day (urgent) disposition, for the wait to be "
                                              "seen, as its source says (a non-drowsy antihistamine for swelling of the "
                                              "lips or eyelids without breathing trouble); other self-care is given only "
                                              "with a self-care or routine one")
    before_days: float | None = Field(
        None, gt=0, description="the item counts days from the start ('no improvement after 3 days'): given only "
                                "when the case's time course says the problem has lasted less than this")
    from_days: float | None = Field(
        None, gt=0, description="the item is the one to say once the problem may have lasted this many days or "
                                "more (its time course reaches past them): the pair of a before_days item")
    locales: list[str] = Field(default_factory=list,
                               description="locale ids (personas/personas.yaml) the item is for; empty = every locale. "
                                           "For advice whose need differs by country, as its source says: storing a "
                                           "gun away from someone at risk of suicide, where guns at home are common")



class WarningBeyond(Strict):
    """A safety-net warning that names a time since the problem started ('chest pain that lasts more than 15
    minutes'), in the words said instead to someone whose problem has already lasted longer: a net told a
    person with chest pain for days to call 999 if it lasted more than 15 minutes (read: blind clinical read)."""

    days: float = Field(gt=0, description="the time since the problem started, in days, past which 'warning' is "
                                          "already met (15 minutes: 0.0104)")
    text: str = Field(min_length=3, description="the warning for someone whose problem has lasted at least that long")
    source: str = Field(min_length=3, description="the guideline whose words the later warning follows")


class RedFlag(Strict):
    """A finding that forces a disposition on its own, whatever the likeliest diagnosis."""

    disposition: Disposition
    source: str = Field(min_length=3, description="guideline the red flag comes from, for every age it is asked at")
    source_by_age: list[AgeScopedSource] = Field(
        default_factory=list,
        description="age-specific guidelines, cited (after 'source') only for the ages they cover")
    warning: str | None = Field(
        None, description="the warning sign in plain words, for safety-net advice ('chest pain lasting over 15 minutes')")
    warning_young: str | None = Field(
        None, description="the warning as it is said back to the carer of a child up to the finding's "
                          "young_max_age_months, when 'warning' names a feeling (model.felt_words): what can be seen")
    warning_beyond: WarningBeyond | None = Field(
        None, description="the warning for someone whose problem has already lasted past the time 'warning' names")
    warning_disposition: Disposition | None = Field(
        None, description="where a safety net sends this sign, when that is above 'disposition': a sign that starts "
                          "later at home, which the person cannot tell from an emergency look-alike (a new facial "
                          "droop from a stroke), while a triager who hears it reported now can ask what tells them apart")
    warning_source: str | None = Field(
        None, min_length=3, description="the guideline that sends the sign, seen at home, to 'warning_disposition'")
    warning_moot_with: list[str] = Field(
        default_factory=list, description="findings that, reported present, already are what this warning names "
                                          "('blisters' for a rash that comes up in clusters of sores or blisters): "
                                          "a safety net never warns someone of what they said they have")
    warn_also: list[str] = Field(
        default_factory=list, description="red flags above this one that a safety net names whenever this one is "
                                          "reported, whatever condition leads (new flashes of light: a curtain over "
                                          "the sight, the sign that a torn retina is coming away)")
    crisis_resource: CrisisResource = CrisisResource.none
    first_aid: list[Advice] = Field(
        default_factory=list, description="what to do while help is on the way, as the guideline names it "
                                          "(use a prescribed adrenaline auto-injector); given with an emergency disposition")

    @model_validator(mode="after")
    def _warning_level(self) -> "RedFlag":
        if self.warning_disposition is not None:
            if self.warning_disposition.rank <= self.disposition.rank:
                raise ValueError(f"warning_disposition {self.warning_disposition.value} must be above the red "
                                 f"flag's own {self.disposition.value}; leave it out to warn at the same level")
            if not self.warning_source:
                raise ValueError("warning_disposition needs a warning_source: the guideline that sends the sign there")
        elif self.warning_source is not None:
            raise ValueError("warning_source without a warning_disposition")
        return self

    @property
    def net_disposition(self) -> Disposition:
        """The level a safety net gives this sign: its warning level, or else its own."""
        return self.warning_disposition or self.disposition

    def cite(self, age_months: int) -> str:
        return cite(self.source, self.source_by_age, age_months)


def cite(source: str, by_age: list[AgeScopedSource], age_months: int) -> str:
    """The sources to name for a person of this age: the general one, then each age-specific one covering it."""
    return "; ".join([source] + [s.source for s in by_age if s.covers(age_months)])


class AnswerKind(str, Enum):
    """What kind of question a finding asks, so that the answer is worded to fit it: nobody answers 'could you
    be pregnant?' with 'A bit, I suppose', or a question about suicidal thoughts with 'I'd have noticed'."""

    general = "general"
    pregnancy = "pregnancy"
    mental_health = "mental_health"
    event = "event"  # something that happened or did not (a fit, a faint, a fall): no 'a bit', no 'sort of'
    #: whether something still works normally (a forehead that still wrinkles): 'yes' is the reassuring answer,
    #: so a stock 'No, nothing like that' would read as the opposite; a 'no' says it in the finding's own denials
    function = "function"


class FindingValue(Strict):
    id: Id
    name: str
    lay: list[PatientPhrase] = Field(min_length=1, description="how a patient says this answer")
    lay_event: list[PatientPhrase] = Field(
        default_factory=list,
        description="how it is said when the complaint happened at a moment (a fall, a fit, a swallowed "
                    "substance): 'it happened this morning', not 'it started this morning'; lay when empty")
    implies: dict[Id, list[Id]] = Field(
        default_factory=dict,
        description="categorical finding -> the values it can take alongside this one (an illness that came on "
                    "gradually over days has lasted at least a day); the sampler keeps every hidden case consistent")
    min_age_months: int | None = Field(
        None, ge=0, description="the youngest age (months) at which this answer can be true: a problem cannot "
                                "have lasted longer than the person has lived; the sampler never gives it younger")

    @property
    def wordings(self) -> tuple[str, ...]:
        """Every way a patient may say this answer: ``lay`` and ``lay_event``."""
        return (*self.lay, *self.lay_event)


#: the patient's pronouns in a ``deny`` wording, in the first person as the patient would say them, and how a
#: parent or carer says them of the patient ({subj} and {poss} are the patient's pronouns: he / his, she / her)
DENY_PLACEHOLDERS: dict[str, str] = {
    "my": "{poss}", "me": "{obj}", "myself": "{refl}", "I'm": "{subj}'s", "I've": "{subj}'s", "I'd": "{subj}'d",
    "I was": "{subj} was", "I haven't": "{subj} hasn't", "I don't": "{subj} doesn't", "I didn't": "{subj} didn't",
    "I can": "{subj} can", "I can't": "{subj} can't", "I'm not": "{subj}'s not", "I've not": "{subj}'s not",
    "I wasn't": "{subj} wasn't", "I feel": "{subj} feels", "I get": "{subj} gets",
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
#: a lay phrase that names the patient as somebody else ('an itchy bottom that keeps waking a child at night',
#: 'an itch that drives a person mad', 'a baby that can't be woken'): the patient cannot say it of themselves,
#: and a carer says it of their own child, not of 'a child'. A real other person ('a baby born two weeks ago',
#: 'sex with someone new', 'sunburns as a child') is not matched.
PATIENT_AS_THIRD_PERSON = re.compile(
    r"(?<!\bas )\b(?:a|the) (?:child|person|kid|toddler|patient)\b|\ba (?:baby|child|toddler) (?:that|who)\b", re.I)


class YoungFraming(Strict):
    """What is said to a young person answering for themselves before a personal question (sex, drugs): that
    everyone their age is asked it and that they need not answer, as the guidance on young people's
    confidentiality and sexual health asks; the question itself is unchanged."""

    text: str = Field(min_length=3, description="a whole sentence, said before the question")
    max_age_months: int = Field(gt=0, description="inclusive: the oldest age it is said to (215 = under 18)")
    source: str = Field(min_length=3)


class Finding(Strict):
    id: Id
    name: str = Field(description="clinical name")
    type: FindingType = FindingType.binary
    kind: FindingKind = FindingKind.symptom
    system: str = Field(pattern=ID_PATTERN, description="body system, lower_snake_case")
    parent: Id | None = Field(None, description="finding that must be present before this one can be asked")
    question: str = Field(description="what the assistant asks, to the patient (second person)")
    question_event: str | None = Field(
        None, description="the question when the complaint happened at a moment (a fall, a fit): 'When did it "
                          "happen?' rather than 'how long has it been going on?'")
    presupposes: list[Id] = Field(
        default_factory=list,
        description="findings the question's wording takes for granted beyond its parent ('Since the injury, ...' "
                    "takes a fall or a twist): 'question' is asked only once at least one of them has been said "
                    "present, else 'question_neutral'")
    presupposes_words: str | None = Field(
        None, min_length=3, description="the words of 'question' that take them for granted ('since the injury'); "
                                        "never in 'question_neutral' nor 'ask'; what `scenegen validate` looks for")
    question_neutral: str | None = Field(
        None, description="the question when nothing it presupposes has been said ('Does the arm, wrist, leg or "
                          "ankle look bent, misshapen or at an odd angle?')")
    ask: str | None = Field(
        None, description="noun phrase for framing the question ('any pain spreading to the arm'); binary only")
    question_young: str | None = Field(
        None, description="the question put to the carer of a child too young to say how something feels (up to "
                          "'young_max_age_months'): only what can be seen or heard ('have you stopped using an arm "
                          "or a leg normally?' rather than 'any numbness?'); see model.felt_words")
    young_max_age_months: int | None = Field(None, ge=0, description="oldest age, inclusive, 'question_young' is for")
    young_framing: YoungFraming | None = Field(
        None, description="said first when a young person answering for themselves is asked this personal question")
    lay: list[PatientPhrase] = Field(default_factory=list, description="how patients say it (noun phrases, no pronouns)")
    topic: str | None = Field(
        None, min_length=2, max_length=45,
        description="what the question is about, short enough to say back in an answer or an acknowledgement: a "
                    "noun phrase that reads after 'no' and 'any' ('no fast breathing', 'any blood in the poo'); "
                    "without it the topic is taken from 'ask' where that reads naturally")
    topics: list[Annotated[str, Field(min_length=2, max_length=45)]] = Field(
        default_factory=list,
        description="other ways to say the topic back ('a temperature', 'a fever'), so that the same denial is not "
                    "worded the same in every dialogue; one of topic and these is picked per answer")
    deny: list[Annotated[PatientPhrase, Field(min_length=2, max_length=80)]] = Field(
        default_factory=list,
        description="binary only: how a person naturally says it is not so, in lay words and without repeating the "
                    "question ('{I've} been weeing fine', 'temperature's been normal'): a clause said after 'No,', "
                    "about the patient, first person, no closing stop. It must deny this finding only, never "
                    "something else a case may hold. The patient's pronouns are written as placeholders "
                    "(DENY_PLACEHOLDERS: '{my}', '{I've}', ...) so that a parent's answer reads '{he}'s been "
                    "weeing fine'")
    values: list[FindingValue] = Field(default_factory=list)
    phrase_ages: list[PhraseAges] = Field(
        default_factory=list,
        description="phrases of lay, deny or a value's lay that fit some ages only ('nothing on the paper': a "
                    "child who uses the toilet); never said of anyone outside them")
    red_flag: RedFlag | None = None
    answer_kind: AnswerKind = Field(AnswerKind.general, description="which answer wordings fit the question")
    ages: list[Id] = Field(default_factory=list,
                           description="age bands in which a patient or carer can report it; empty means every age")
    sexes: list[Sex] = Field(default_factory=list,
                             description="the sexes who can have it (a vaginal discharge, a testicular swelling): "
                                         "never asked of, volunteered by or warned to anyone else; empty means both")
    background: Probability | None = Field(
        None, description="how often people report it whatever the cause (a frequency band or a number): "
                          "P(finding | a condition with no edge to it); the model's leak when not given")
    background_source: str | None = Field(None, description="where the background rate comes from")
    implies: dict[Id, list[Id]] = Field(
        default_factory=dict,
        description="binary only: categorical finding -> the values it can take when this one is present (a "
                    "thunderclap headache came on suddenly); the sampler keeps every hidden case consistent with it")
    cause_of: list[Id] = Field(
        default_factory=list,
        description="complaints this finding (an injury: a fall, a rolled ankle) brings on: when the case has it, "
                    "the opening names it with the complaint ('pain in the ankle after going over on it')")
    time_words: Literal["problem", "own"] | None = Field(
        None, description="what the time words of its question and lay phrases are about: 'problem' (the call's "
                          "problem: 'appeared overnight', so they must agree with the case's onset and duration) or "
                          "'own' (the finding's own episode or an earlier event: 'a cold a couple of weeks ago'); "
                          "default: 'problem' for symptoms and signs, 'own' for history and risk factors")
    own_days: tuple[float, float | None] | None = Field(
        None, description="for a question about how long its parent symptom has lasted ('has the vomiting gone on "
                          "for more than 2 days?', time_words: own): the span of days since the symptom started "
                          "that a 'yes' means ([2, null]); in a call about that symptom the call's time words keep "
                          "to it when the case has it, and to the rest when it does not")

    @property
    def times_the_problem(self) -> bool:
        """Whether its time words speak of the problem the call is about (see ``time_words``)."""
        if self.time_words is not None:
            return self.time_words == "problem"
        return self.kind in (FindingKind.symptom, FindingKind.sign)

    @model_validator(mode="after")
    def _own_days_fit(self) -> "Finding":
        if self.own_days is None:
            return self
        lo, hi = self.own_days
        if self.times_the_problem or self.parent is None or self.type is not FindingType.binary:
            raise ValueError("own_days is for a binary finding with a parent and time_words: own (how long the "
                             "parent symptom has lasted)")
        if lo < 0 or (hi is not None and hi <= lo) or (lo == 0 and hi is None):
            raise ValueError(f"own_days {list(self.own_days)} must be [lo, hi] days with 0 <= lo < hi (hi null = no "
                             "bound), and not [0, null], which says nothing")
        return self

    @model_validator(mode="after")
    def _shape_matches_type(self) -> "Finding":
        if self.type is FindingType.binary:
            if self.values:
                raise ValueError("a binary finding has no values; use type: categorical or multi")
            if len(self.lay) < 1:
                raise ValueError("a binary finding needs at least one lay phrasing")
            if not self.ask:
                raise ValueError("a binary finding needs 'ask', a noun phrase for the question")
        else:
            if self.implies:
                raise ValueError("only a binary finding can imply the values of another finding")
            if len(self.values) < 2:
                raise ValueError(f"a {self.type.value} finding needs at least two values")
            if self.type is FindingType.multi and len(self.values) > 8:
                raise ValueError("a multi finding has at most 8 values")
            ids = [v.id for v in self.values]
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate value ids: {sorted({i for i in ids if ids.count(i) > 1})}")
            if self.red_flag is not None:
                raise ValueError("only a binary finding can be a red flag; make the value its own binary finding")
        if not self.question.rstrip().endswith("?"):
            raise ValueError("question must end with '?'")
        if self.deny and self.type is not FindingType.binary:
            raise ValueError("only a binary finding has 'deny' wordings (a value is answered, not denied)")
        if self.answer_kind is AnswerKind.function and len(self.deny) < 2:
            raise ValueError("answer_kind function needs at least two 'deny' wordings: its 'no' is said only in "
                             "them ('the forehead doesn't move on that side either'), never as a stock 'nothing like that'")
        for wording in self.deny:
            bad = sorted(set(_PLACEHOLDER.findall(wording)) - set(DENY_PLACEHOLDERS))
            if bad or "{" in _PLACEHOLDER.sub("", wording) or "}" in _PLACEHOLDER.sub("", wording):
                raise ValueError(f"deny wording {wording!r}: unknown placeholder {', '.join(bad) or 'brace'}; "
                                 f"valid: {', '.join('{' + k + '}' for k in DENY_PLACEHOLDERS)}")
            if wording.rstrip().endswith((".", "!", "?")) or wording != wording.strip():
                raise ValueError(f"deny wording {wording!r}: a clause without surrounding spaces or a closing mark "
                                 "(the answer template adds it)")
        if self.topics and not self.topic:
            raise ValueError("topics are other wordings of topic: give topic first")
        if (self.question_young is None) != (self.young_max_age_months is None):
            raise ValueError("question_young and young_max_age_months go together")
        if self.question_young is not None and not self.question_young.rstrip().endswith("?"):
            raise ValueError("question_young must end with '?'")
        if self.question_event is not None and not self.question_event.rstrip().endswith("?"):
            raise ValueError("question_event must end with '?'")
        if self.presupposes or self.presupposes_words or self.question_neutral:
            if not (self.presupposes and self.presupposes_words and self.question_neutral):
                raise ValueError("presupposes, presupposes_words and question_neutral go together")
            words = self.presupposes_words.lower()
            if words not in self.question.lower():
                raise ValueError(f"presupposes_words {self.presupposes_words!r} are not in the question")
            for label, text in (("question_neutral", self.question_neutral), ("ask", self.ask),
                                ("question_event", self.question_event)):
                if text is not None and words in text.lower():
                    raise ValueError(f"{label} says {self.presupposes_words!r}, which presupposes what may not "
                                     "have been said: word it neutrally")
            if not self.question_neutral.rstrip().endswith("?"):
                raise ValueError("question_neutral must end with '?'")
            if self.parent in self.presupposes:
                raise ValueError("the parent is presupposed already (asked only once it is present)")
        for phrase in (*self.lay, *(lay for v in self.values for lay in v.lay)):
            if PATIENT_AS_THIRD_PERSON.search(phrase):
                raise ValueError(f"lay phrase {phrase!r} names the patient as someone else; a patient says it of "
                                 "themselves and a carer of their own child: write it without a person")
        own = {*self.lay, *self.deny, *(w for v in self.values for w in v.wordings), *self.topics,
               *([self.topic] if self.topic else [])}
        for lim in self.phrase_ages:
            stray = [p for p in lim.phrases if p not in own]
            if stray:
                raise ValueError(f"phrase_ages names {stray}, which are not among the finding's lay, deny, topic or value "
                                 "phrases (write them exactly as there)")
        if self.background is not None:
            if self.type is not FindingType.binary:
                raise ValueError("only a binary finding takes a background rate")
            if not self.background_source:
                raise ValueError("a background rate needs background_source: where the rate comes from")
        return self


# ---------------------------------------------------------------------------------------------------------
# Complaints and demographic modifiers


class Complaint(Strict):
    """A presenting complaint: what an opening message reveals."""

    id: Id
    name: str
    finding: Id = Field(description="the binary finding that the opening reveals as present")
    lay: list[PatientPhrase] = Field(min_length=1, description="how a patient opens with it (noun phrases)")
    pharmacy: bool = Field(True, description="false: home-care advice for it does not point to a pharmacist "
                                             "(grief or low mood is talked through with a GP, not a pharmacy)")
    painkiller: bool = Field(True, description="false: a painkiller does not ease it, so a 'can I take "
                                               "something' answer does not offer one (dizziness: NICE CKS Vertigo)")
    phrase_ages: list[PhraseAges] = Field(
        default_factory=list, description="phrases of lay that fit some ages only ('a scratchy throat': a child "
                                          "who can say how the throat feels)")
    lay_self: list[PatientPhrase] = Field(
        default_factory=list,
        description="how someone speaking for themselves opens with a complaint that others notice first "
                    "('muddled thinking that the family have noticed'): a person who is confused does not say "
                    "so fluently of themselves; said instead of lay when the patient speaks for themselves")

    @property
    def openings(self) -> tuple[str, ...]:
        """Every phrase an opening may name it with (lay, and lay_self for the patient's own voice)."""
        return (*self.lay, *self.lay_self)

    def said_by(self, proxy: bool) -> list[str]:
        """The phrases this speaker opens with: lay_self, when given, from the patient themselves."""
        return self.lay if proxy or not self.lay_self else self.lay_self

    @model_validator(mode="after")
    def _phrase_ages_known(self) -> "Complaint":
        for lim in self.phrase_ages:
            stray = [p for p in lim.phrases if p not in self.lay]
            if stray:
                raise ValueError(f"phrase_ages names {stray}, which are not among the complaint's lay phrases")
        return self


class ModifierWhen(Strict):
    age_below_months: int | None = Field(None, gt=0)
    age_at_least_months: int | None = Field(None, ge=0)
    sex: Sex | None = None
    pregnant: bool | None = None
    present: list[Id] = Field(default_factory=list, description="binary findings that must all be present")
    absent: list[Id] = Field(
        default_factory=list,
        description="binary findings that must all have been reported absent, not merely unasked (a faint at 65 or "
                    "over with no warning beforehand: faint_prodrome)")
    values: dict[Id, list[Id]] = Field(
        default_factory=dict,
        description="categorical finding -> values, one of which must have been reported (duration: [over_3_weeks])")

    @model_validator(mode="after")
    def _not_empty(self) -> "ModifierWhen":
        if not self.model_fields_set:
            raise ValueError("'when' must name at least one condition")
        return self


class Modifier(Strict):
    """A demographic modifier: raises the disposition when its conditions hold, never lowers it."""

    id: Id
    when: ModifierWhen
    disposition: Disposition
    reason: str
    source: str = Field(min_length=3)
    source_by_age: list[AgeScopedSource] = Field(
        default_factory=list, description="age-specific guidelines, cited only for the ages they cover")
    def cite(self, age_months: int) -> str:
        return cite(self.source, self.source_by_age, age_months)

    screen: bool = Field(False, description="asked for like a red flag: each finding it names is asked once the "
                                            "person fits and every other finding it names is present")
    screen_with: list[Id] = Field(
        default_factory=list,
        description="with screen: binary findings of which one must be present for the screen to be asked (the "
                    "complaints the rule is about): a flu rule asks a cough about a fever, not a stroke or an overdose")
    first_aid: list[Advice] = Field(
        default_factory=list, description="what to do while help is on the way when this rule makes it an emergency "
                                          "(a fit in pregnancy: not to stay alone, lie on the left side)")
    said_by: list[Id] = Field(
        default_factory=list,
        description="rules whose reason already makes this one's point: when one of them also decided the level, "
                    "this reason is not said again (a baby under 6 months who is vomiting, and one with diarrhoea)")
    not_named: list[Id] = Field(
        default_factory=list,
        description="conditions the closing never names, and whose own advice is not given, while this rule holds: "
                    "the guideline says to look for another cause first (IBS is not suggested for a new change in "
                    "bowel habit at 60 or over, NICE CG61 and NG12)")


class ScreenWhen(ModifierWhen):
    any_present: list[Id] = Field(default_factory=list,
                                  description="binary findings of which at least one must be present")
    none_present: list[Id] = Field(
        default_factory=list,
        description="binary findings none of which may be reported present: a question of one complaint's protocol "
                    "is not asked when another complaint leads (a dizzy child's head-injury question is not put to a "
                    "breathless teenager who is light-headed on standing)")


class Screen(Strict):
    """A must-ask: a start-of-call question a telephone-triage protocol asks before anything else, whenever
    the person and what they reported fit ``when`` (temperature in a young child, pregnancy with abdominal
    pain, blood thinners with a head injury)."""

    id: Id
    ask: Id = Field(description="the finding to ask about: binary, or categorical (answered with a value)")
    when: ScreenWhen
    why: str = Field(min_length=3, description="why the protocol asks it, in plain words")
    source: str = Field(min_length=3)
    first: bool = Field(False, description="asked before the other must-asks that apply: the airway questions of "
                                           "a child with breathing trouble come before the temperature (APLS: "
                                           "airway, breathing, circulation)")


class SafetyNet(Strict):
    """The warning signs a condition's own guideline tells people to come back for ('seek help if a fever,
    loin pain or shivering starts' for cystitis), where the condition has no red-flag edge of its own above
    its level: a safety net names the dangers of what is in view, not of an unrelated look-alike."""

    id: Id = Field(description="the condition whose safety net this is")
    warnings: list[Id] = Field(min_length=1, description="red-flag findings, each calling for more urgent care "
                                                         "than the condition's own disposition")
    source: str = Field(min_length=3, description="the guideline that names these warning signs")
    not_better: str | None = Field(
        None, min_length=3, description="what should bring the person back at the condition's own level, in the "
                                        "words of a warning ('symptoms that are no better 48 hours after starting "
                                        "antibiotics'): said in the net whenever the condition leads at its own level")
    not_better_source: str | None = Field(None, min_length=3, description="the guideline that says it")
    not_better_days: float | None = Field(
        None, gt=0, description="the days from the start that 'not_better' counts ('a sore throat no better after a "
                                "week': 7): said only when the case's time course cannot yet have reached them")
    not_better_disposition: Disposition | None = Field(
        None, description="where 'not_better' sends the person, when its source says more than the condition's own "
                          "level (NHS: diarrhoea for more than 7 days, an urgent GP appointment)")

    @model_validator(mode="after")
    def _not_better_cited(self) -> "SafetyNet":
        if self.not_better and not self.not_better_source:
            raise ValueError("not_better needs not_better_source: the guideline that says when to come back")
        if (self.not_better_days is not None or self.not_better_disposition is not None) and not self.not_better:
            raise ValueError("not_better_days and not_better_disposition need the not_better line they qualify")
        return self


# ---------------------------------------------------------------------------------------------------------
# Conditions


class FindingEdge(Strict):
    """P(finding | condition): a band name or a number; a mapping of value -> band for non-binary findings."""

    id: Id
    p: Union[Probability, dict[str, Probability]]
    source: str | None = Field(None, description="where this frequency comes from, when it differs from the condition's")


class UntilSuspected(Strict):
    """The level a dangerous condition carries while it is plausible but none of the signs that make a
    clinician suspect it has been reported: a febrile baby under 3 months is seen within 2 hours (NICE
    NG143), and only a life-threatening or specific sign (a rash that does not fade, a stiff neck) calls for
    an ambulance. Its own ``disposition`` applies once any of ``suspected_by`` is reported present."""

    disposition: Disposition
    suspected_by: list[Id] = Field(min_length=1, description="finding ids; any one reported present makes it suspected")
    source: str = Field(min_length=3, description="the guideline that sets the lower level, by name (true at every age)")
    source_by_age: list[AgeScopedSource] = Field(
        default_factory=list, description="age-specific guidelines (NICE NG143 for under 5s), cited only for the ages they cover")

    def cite(self, age_months: int) -> str:
        return cite(self.source, self.source_by_age, age_months)


class AgeLevel(AgeScopedSource):
    """The condition's own level for some ages, where its guideline sends them elsewhere than the typical
    presentation: scabies is treated from a pharmacy, but a child under 2 is seen by a GP (NICE CKS Scabies).
    ``source`` names the guideline that sets this level for these ages."""

    disposition: Disposition


class Condition(Strict):
    id: Id
    name: str
    lay_name: str = Field(description="how the assistant names it to a patient ('a problem with the heart's blood supply')")
    icd10: str = Field(description="ICD-10-CM code, billable, with the dot (I21.9)")
    specialty: str = Field(pattern=ID_PATTERN)
    complaints: list[Id] = Field(min_length=1)
    disposition: Disposition
    crisis_resource: CrisisResource = CrisisResource.none
    prior: Probability = Field(description="prior band name (or a number, if a source gives one)")
    prior_by_age: dict[str, Probability] = Field(
        default_factory=dict, description="age band id -> prior band, where it differs from 'prior'")
    prior_by_sex: dict[Sex, Probability] = Field(
        default_factory=dict,
        description="sex -> prior band where a cited source says the condition is commoner in one sex; "
                    "an age-band prior still takes precedence")
    ages: list[Id] = Field(min_length=1, description="age band ids in which the condition occurs")
    min_age_months: int | None = Field(
        None, ge=0, description="youngest age (months, inclusive) at which the condition occurs, finer than ages; "
                                "cite the source in 'sources'")
    max_age_months: int | None = Field(
        None, ge=0, description="oldest age (months, inclusive: 60 = up to the 5th birthday) at which it occurs")
    sexes: list[Sex] = Field(default_factory=lambda: [Sex.female, Sex.male])
    pregnancy: Pregnancy = Pregnancy.any
    findings: list[FindingEdge] = Field(min_length=2)
    until_suspected: UntilSuspected | None = Field(
        None, description="a lower level while none of the signs that make it suspected has been reported")
    disposition_by_age: list[AgeLevel] = Field(
        default_factory=list,
        description="the condition's own level for some ages (months, inclusive), each with the guideline that sets "
                    "it: a child under 2 with scabies sees a GP, although a pharmacist treats everyone older")
    rule_out: list[Id] = Field(
        default_factory=list,
        description="questions that rule this condition in or out (exposure for carbon monoxide; the swallowed "
                    "substance for a poisoning): asked before a disposition that this condition alone decides")
    advice: list[Advice] = Field(default_factory=list,
                                 description="self-care advice for self_care/routine, each item with who it is for")
    lay_name_says: dict[Id, Union[bool, list[Id]]] = Field(
        default_factory=dict,
        description="{finding: true | [values]}: what the lay name states the person has ('chest pain ... that comes "
                    "on with exertion'); the name is said only once each was reported so, never after a denial or "
                    "an unsure answer")
    named: bool = Field(
        True, description="false: the closing message never names it, because its lay name would only say back "
                          "what the person told (thoughts of ending life) and wrap it in 'could mean ... can't be "
                          "ruled out without tests'")
    first_aid: list[Advice] = Field(
        default_factory=list, description="what to do while help is on the way, given when the condition is a "
                                          "reason for an emergency disposition")
    sources: list[str] = Field(min_length=1, description="guidelines, textbooks or data sets the entry was drawn from")
    notes: str | None = None

    @property
    def emergency(self) -> bool:
        """Whether its own level is an emergency (A&E or an ambulance): what a person with it does not chat about."""
        return self.disposition.rank >= Disposition.emergency_department.rank

    def level(self, observations: Mapping[str, Any], age_months: int | None = None) -> Disposition:
        """Its disposition given what was reported: ``until_suspected`` while none of its signs is present; else
        its level for this age (``disposition_by_age``), else its own."""
        u = self.until_suspected
        if u is not None and not any(observations.get(f) is True for f in u.suspected_by):
            return u.disposition
        return self.own_level(age_months)

    def own_level(self, age_months: int | None = None) -> Disposition:
        """Its level for the typical presentation at this age: ``disposition_by_age``, else ``disposition``."""
        by_age = self.age_level(age_months)
        return by_age.disposition if by_age is not None else self.disposition

    def age_level(self, age_months: int | None) -> "AgeLevel | None":
        """The entry of ``disposition_by_age`` that covers this age, if any."""
        if age_months is None:
            return None
        return next((a for a in self.disposition_by_age if a.covers(age_months)), None)

    def fits_age(self, age_months: int) -> bool:
        """Whether the month limits (not the bands) allow this age."""
        return (self.min_age_months is None or age_months >= self.min_age_months) and \
            (self.max_age_months is None or age_months <= self.max_age_months)

    @model_validator(mode="after")
    def _month_limits_ordered(self) -> "Condition":
        if None not in (self.min_age_months, self.max_age_months) and self.min_age_months > self.max_age_months:
            raise ValueError("min_age_months is above max_age_months")
        return self

    @model_validator(mode="after")
    def _age_levels_sound(self) -> "Condition":
        if self.disposition_by_age and self.until_suspected is not None:
            raise ValueError("disposition_by_age and until_suspected cannot be used together: say which level a "
                             "plausible, unsuspected case has at each age in one of them")
        spans = []
        for a in self.disposition_by_age:
            if a.disposition is self.disposition:
                raise ValueError(f"disposition_by_age repeats the condition's own level {a.disposition.value}: leave "
                                 f"that entry out")
            lo = a.min_age_months if a.min_age_months is not None else 0
            hi = a.max_age_months if a.max_age_months is not None else 10 ** 6
            if (self.min_age_months is not None and hi < self.min_age_months) or \
                    (self.max_age_months is not None and lo > self.max_age_months):
                raise ValueError(f"disposition_by_age entry for {lo}-{hi} months is outside the condition's own ages")
            spans.append((lo, hi))
        spans.sort()
        for (_, hi), (lo, _) in zip(spans, spans[1:]):
            if lo <= hi:
                raise ValueError("disposition_by_age entries overlap: each age has one level")
        return self


# ---------------------------------------------------------------------------------------------------------
# Consistency constraints (conditions/consistency.yaml): what one answer implies about another.

Wanted = Union[bool, list[Id]]


class Implication(Strict):
    """If a finding has this answer, another finding must have that one: a fit (with loss of awareness, as the
    seizure question defines it) is a blackout; pain low down on the left is pain low down on one side.

    The 'then' side names one finding, the 'if' side one or more (all must hold: chest pain *and*
    breathlessness mean 'chest pain with breathlessness'): a binary one with true or false, a categorical one
    with the list of values that satisfy it. The sampler makes every hidden case satisfy every implication;
    validate rejects a record whose answers break one."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: Id
    if_: dict[Id, Wanted] = Field(alias="if", description="{finding: true | false | [values], ...}: all must hold")
    then: dict[Id, Wanted] = Field(description="{finding: true | false | [values]}, one entry")
    why: str = Field(min_length=3, description="the clinical reason, in a sentence")
    source: str = Field(min_length=3)
    complaints: list[Id] = Field(
        default_factory=list,
        description="complaint ids: the implication holds only in a call about one of these. The problem's duration "
                    "is the complaint's own, so 'a fever and a duration of a week' means a week of fever only when "
                    "the fever is what the call is about, not when a rash of two weeks brought a later fever")

    def holds_for(self, complaint: str | None) -> bool:
        """Whether it applies in a call about ``complaint`` (None: not known, so a scoped one does not)."""
        return not self.complaints or complaint in self.complaints

    @field_validator("if_", "then")
    @classmethod
    def _entries(cls, v: dict, info) -> dict:
        if info.field_name == "then" and len(v) != 1:
            raise ValueError("name exactly one finding, e.g. {fainting: true}")
        if not v:
            raise ValueError("name at least one finding, e.g. {seizure: true}")
        if any(isinstance(value, list) and not value for value in v.values()):
            raise ValueError("list at least one value")
        return v

    @property
    def if_items(self) -> tuple[tuple[str, Wanted], ...]:
        """The 'if' side's (finding, wanted answer) pairs, in the order written."""
        return tuple(self.if_.items())

    @property
    def then_finding(self) -> str:
        return next(iter(self.then))

    @property
    def then_value(self) -> Wanted:
        return next(iter(self.then.values()))


def satisfies(answer: object, wanted: Wanted) -> bool:
    """Whether an answer (bool, a value id, a set of value ids) meets one side of an implication."""
    if isinstance(wanted, bool):
        return answer is wanted
    if isinstance(answer, str):
        return answer in wanted
    return False


# ---------------------------------------------------------------------------------------------------------
# A content file holds any of these lists.


class Medicine(Strict):
    """A medicine that self-care advice may recommend, with the youngest age it is sold or licensed for in
    each locale: the limits differ between countries (ibuprofen from 3 months in the UK, 6 months in the US)."""

    id: Id
    name: str = Field(min_length=2, description="its generic name, as the library's advice text writes it")
    mentions: list[str] = Field(min_length=1, description="words that name it in advice text (generic and brand "
                                                          "names), lower case; a test checks every item that "
                                                          "recommends one of them lists the medicine")
    min_age_months: dict[str, int] = Field(min_length=1, description="locale id (personas.yaml) -> youngest age in "
                                                                     "months; a locale not listed gets the "
                                                                     "highest of these")
    max_age_months: int | None = Field(None, ge=0, description="the oldest age in months it is advised at without "
                                                                "a prescriber's or pharmacist's advice (inclusive)")
    pregnancy: Pregnancy = Field(Pregnancy.any, description="excluded: not advised in pregnancy without a "
                                                            "prescriber's or pharmacist's advice")
    source: str = Field(min_length=3)

    def youngest(self, locale: str | None) -> int:
        """The youngest age in months it may be advised at, where ``locale`` is spoken (None: anywhere)."""
        if locale is not None and locale in self.min_age_months:
            return self.min_age_months[locale]
        return max(self.min_age_months.values())

    @model_validator(mode="after")
    def _ages(self) -> "Medicine":
        bad = {k: v for k, v in self.min_age_months.items() if v < 0}
        if bad:
            raise ValueError(f"min_age_months are ages in months, 0 or more (found {bad})")
        if self.pregnancy is Pregnancy.required:
            raise ValueError("a medicine's pregnancy is 'any' or 'excluded'; an item for pregnancy alone says "
                             "'pregnancy: required' on the advice item")
        return self


class ComplaintAdvice(Strict):
    """Home-care advice for a complaint whatever its cause, from the public guidance on that symptom (NHS website:
    Coughs): said with a self-care disposition when no condition's own advice applies, because none leads
    clearly enough to be named, so nobody sent home hears nothing about looking after themselves."""

    id: Id = Field(description="the complaint (complaints.yaml)")
    advice: list[Advice] = Field(min_length=1, description="items as a condition's advice, each with its source and limits")


class ContentFile(Strict):
    model: ModelSettings | None = None
    findings: list[Finding] = Field(default_factory=list)
    complaints: list[Complaint] = Field(default_factory=list)
    modifiers: list[Modifier] = Field(default_factory=list)
    screens: list[Screen] = Field(default_factory=list)
    safety_nets: list[SafetyNet] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    implies: list[Implication] = Field(default_factory=list)
    medicines: list[Medicine] = Field(default_factory=list)
    complaint_advice: list[ComplaintAdvice] = Field(default_factory=list)


#: the library's time-course findings (conditions/findings/time_course.yaml), named in gold.time_course
TIME_COURSE = ("onset", "duration")

ContentKind = Literal["model", "findings", "complaints", "modifiers", "screens", "safety_nets", "conditions", "implies",
                      "medicines"]
