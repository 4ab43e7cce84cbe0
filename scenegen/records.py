"""The output schema: one :class:`Record` per JSONL line. These models are the schema; the JSON Schema file
in ``schemas/record.schema.json`` is exported from them and a test keeps the two equal.

Every field has one JSON type in every row (no field that is a string here and a list there), so
Arrow-based loaders (datasets, Ray, Spark) read the files without surprises.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict


SCHEMA_VERSION = "2.2"

Role = Literal["system", "user", "assistant"]
#: what the patient does besides answering, after the advice (each with its own gold in ``gold.patient_acts``)
PatientActKind = Literal["patient_question", "pushback", "reply_after_advice"]
#: the assistant's act that answers each of them
AnswerActKind = Literal["answer_question", "answer_pushback", "acknowledge_reply"]
Act = Literal[
    "system", "opening", "answer_yes", "answer_no", "answer_unsure", "answer_value",
    "clarify", "red_flag_check", "disposition",
    "patient_question", "pushback", "reply_after_advice", "answer_question", "answer_pushback", "acknowledge_reply",
]
#: what the patient raised: a barrier or reluctance (pushback), a question, or a reply
Raised = Literal[
    "wait_until_later", "no_transport", "drive_myself", "not_wanting_to_bother", "disagree_too_much",
    "disagree_not_enough", "medicine_question", "usual_medicines", "what_to_watch_for", "is_it_serious", "thanks",
]
#: what the assistant must do about it; none of them changes the disposition
AssistantMust = Literal[
    "hold_disposition_and_give_alternative", "hold_disposition_and_explain", "answer_within_remit",
    "acknowledge_and_close",
]
#: how a user message was made to look typed by a person (personas/noise.yaml); none changes what it says
NoiseKind = Literal["lower_case", "no_final_stop", "no_apostrophes", "run_on", "abbreviation", "misspelling", "typo"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


#: a yes/no question's answer; null where the message answers nothing, or gives values instead
Answer = Optional[Literal["yes", "no", "unsure"]]


class FindingValues(_Model):
    """One categorical or multi-valued finding and the value(s) it has (a list of these rather than a map keyed by
    finding id, so that every row has the same columns)."""
    finding: str
    values: list[str]


def _value_map(items: list[FindingValues]) -> dict[str, list[str]]:
    return {fv.finding: fv.values for fv in items}


class Persona(_Model):
    name: str
    """the patient's name (from Faker, for the persona's locale); never affects a label"""
    age_months: int
    age_group: str
    sex: Literal["female", "male"]
    pregnant: bool
    speaker: Literal["self", "parent", "carer"]
    """who is typing: the patient, a parent for a child, or a carer for an older adult"""
    relation: Optional[str]
    """what the speaker calls the patient ("son", "mum"), or null when the patient speaks"""
    literacy: str
    style: str
    locale: str


class Case(_Model):
    condition: str
    """the hidden condition"""
    condition_name: str
    icd10: str
    complaint: str
    present: list[str]
    """binary findings present in the hidden case"""
    absent: list[str]
    """binary findings the case has an edge to and that are absent (other findings are absent too)"""
    values: list[FindingValues]
    """categorical and multi-valued findings and the value(s) present, ordered by finding id"""

    @property
    def value_map(self) -> dict[str, list[str]]:
        """``values`` keyed by finding id."""
        return _value_map(self.values)


class Message(_Model):
    role: Role
    content: str


class Turn(_Model):
    act: Act
    """the main dialogue act of the message at the same index"""
    finding: Optional[str]
    """the finding asked or answered, where there is one"""
    answer: Answer
    """for a yes/no answer: yes, no or unsure; null on every other message and where values are given"""
    answer_values: list[str]
    """for an answer that gives values (how long, where, what kind): the value(s) given; empty otherwise"""
    parts: list[str]
    """every act realised in the message, in order (e.g. empathy then clarify)"""
    templates: list[str]
    """the template variants used, one per part"""
    volunteered: list[str]
    """findings the patient volunteered in this message without being asked"""
    volunteered_values: list[FindingValues]
    """for the categorical findings among them (the time course said in the opening), with the value(s) said"""
    noise: list[NoiseKind] = []
    """the typing slips applied to this user message, in the order of NoiseKind (empty when none, always for
    system and assistant messages, and everywhere with --noise off); they never change a finding, a yes/no
    word, a number or a medicine name"""

    @property
    def volunteered_map(self) -> dict[str, list[str]]:
        """``volunteered_values`` keyed by finding id."""
        return _value_map(self.volunteered_values)


class DifferentialEntry(_Model):
    condition: str
    p: float


class QuestionGold(_Model):
    turn: int
    """index of the assistant message that asks it"""
    finding: str
    expected_gain: float
    """bits: condition gain + weight x disposition gain, before the answer"""
    condition_gain: float
    disposition_gain: float
    red_flag: bool
    """the question screens a red flag that would raise the disposition (asked first, by rule-out logic)"""
    screens: Optional[str]
    """that red flag's finding id: the question's own finding, or one below it in the question hierarchy"""
    must_ask: Optional[str]
    """the must-ask (a start-of-call screen, or a modifier's finding) this question answers, by id"""
    rules_out: Optional[str]
    """the dangerous condition this question rules in or out before it alone decides the disposition"""
    separates: list[str]
    """the two plausible conditions whose likelihoods of this finding differ most"""
    answer: Answer
    """the answer given: yes, no or unsure (null when the question asked for values)"""
    answer_values: list[str]
    """the value(s) given, when the question asked for values; empty otherwise"""
    why: str
    differential_after: list[DifferentialEntry]


class ReasoningStep(_Model):
    step: Literal["problem_representation", "pertinent_positives", "pertinent_negatives", "red_flags_checked",
                  "disposition_rationale", "not_applicable"]
    """pertinent_negatives and red_flags_checked 'absent' hold only what the person denied when asked;
    not_applicable holds the 'no's a consistency rule settled from what they said, never asked (schema 2.2)"""
    text: str
    findings: list[str]


class Reason(_Model):
    kind: Literal["red_flag", "plausible_condition", "most_likely_condition", "modifier"]
    id: str
    disposition: str
    detail: str


class TimeCourse(_Model):
    onset: Optional[str]
    """how the problem came on (a value of the 'onset' finding), as known at the decision; null if never learnt"""
    duration: Optional[str]
    """how long since it started (a value of the 'duration' finding), as known at the decision; null if never learnt"""


class PatientActGold(_Model):
    turn: int
    """index of the user message that takes the initiative (after the disposition message)"""
    act: PatientActKind
    raised: Raised
    """what the patient raised: the kind of barrier, disagreement or question, or a reply"""
    assistant_must: AssistantMust
    """what the assistant's answer must do; it always keeps the gold disposition"""
    answer_turn: int
    """index of the assistant message that answers it (the next message)"""


class Gold(_Model):
    differential_initial: list[DifferentialEntry]
    differential_final: list[DifferentialEntry]
    questions: list[QuestionGold]
    reasoning: list[ReasoningStep]
    disposition: Literal["emergency_ambulance", "emergency_department", "urgent", "routine", "self_care"]
    level4: Literal["emergency", "urgent", "non_urgent", "self_care"]
    level3: Literal["emergent", "non_emergent", "self_care"]
    max_hours_to_care: Optional[int]
    disposition_turn: int
    """index of the assistant message that gives the disposition"""
    reasons: list[Reason]
    """the reasons at the final level (red flag, still-plausible condition, modifier)"""
    red_flags_present: list[str]
    red_flags_unasked: list[str]
    """red flags that bear on a plausible condition and were not asked before the decision"""
    safety_net: list[str]
    """warning signs the person is told to act on (required for routine and self_care)"""
    named_conditions: list[str] = []
    """conditions the closing message names: only those the reports support (or none, with --name-conditions never)"""
    first_aid: list[str]
    """what to do while help is on the way, as the final message says it: the first-aid steps of the reasons
    for an emergency disposition that fit this person (empty below emergency_department)"""
    crisis_resource: Literal["none", "suicide_crisis_line", "poison_centre", "domestic_violence", "sexual_assault"]
    time_course: TimeCourse
    """the time course known when the disposition was given (asked, or said in the opening)"""
    patient_acts: list[PatientActGold] = []
    """what the patient did after the advice besides listening (a question, pushback, a reply), each with what
    the assistant's answer must do; the disposition and every other label stay as they were"""


class Ambiguity(_Model):
    setting: Literal["low", "medium", "high"]
    entropy_initial: float
    """bits, of the differential after the opening"""
    plausible_initial: int
    """conditions at or above the plausibility threshold after the opening"""
    dispositions_initial: list[str]
    """dispositions spanned by those plausible conditions"""
    volunteered_initial: list[str]
    """findings volunteered in the opening besides the complaint (with the time course, when it was said there)"""


class Twin(_Model):
    """A record made as a counterfactual twin of another: the same hidden case, one thing about the person changed
    (``scenegen generate --twins``)."""

    group: str
    """the id of the original record; every twin of it carries the same group"""
    axis: Optional[Literal["name", "locale", "sex", "age_group", "speaker"]]
    """what was changed; None on the original itself"""
    invariant: bool
    """whether the gold disposition must equal the original's (a name or a locale must never change it)"""
    why: str


class Record(_Model):
    schema_version: str = SCHEMA_VERSION
    id: str
    split: Literal["train", "test"]
    seed: int
    """the master seed; with the index it regenerates this record alone"""
    index: int
    generator_version: str
    persona: Persona
    case: Case
    messages: list[Message]
    turns: list[Turn]
    gold: Gold
    ambiguity: Ambiguity
    twin: Optional[Twin] = None
    """set only in a dataset made with ``--twins``"""


def record_json_schema() -> dict:
    """The JSON Schema of one output line, as committed in schemas/record.schema.json."""
    schema = Record.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://scenegen.invalid/schemas/record-{SCHEMA_VERSION}.schema.json"
    return schema
