"""Patients who do more than answer: after the advice they push back, ask, or reply, each act with its own gold,
at rates set per persona style, and the assistant answers within its remit without moving the disposition."""

from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenegen import ContentError
from scenegen.content import CrisisResource, Disposition
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.initiative import ANSWER_ACT, plan_initiative
from scenegen.load import bundled_library
from scenegen.personas import load_personas
from scenegen.stats import INITIATIVE_ACTS
from scenegen.templates import answer_level, load_templates
from scenegen.validate import _DOSE


@lru_cache(maxsize=1)
def _lib() -> Library:
    return Library.load()


@lru_cache(maxsize=None)
def _gen(seed: int) -> Generator:
    return Generator(_lib(), GenerateConfig(seed=seed))


@lru_cache(maxsize=None)
def _quiet_gen(seed: int) -> Generator:
    """The same library with nobody taking the initiative."""
    lib = _lib()
    styles = [s.model_copy(update={"initiative_rate": 0.0}) for s in lib.personas.styles]
    quiet = Library(lib.root, lib.kb, lib.personas.model_copy(update={"styles": styles}), lib.templates)
    return Generator(quiet, GenerateConfig(seed=seed))


def test_the_acts_are_the_ones_stats_counts():
    assert set(ANSWER_ACT) == INITIATIVE_ACTS


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_every_patient_act_comes_after_the_advice_and_is_answered_next(seed, index):
    r = _gen(seed).record(index)
    acts = {a.turn: a for a in r.gold.patient_acts}
    for i, t in enumerate(r.turns):
        if t.act in INITIATIVE_ACTS:
            assert i in acts and acts[i].act == t.act, (r.id, i)
            assert i > r.gold.disposition_turn
            assert r.messages[i].role == "user"
            assert r.messages[i + 1].role == "assistant" and r.turns[i + 1].act == ANSWER_ACT[t.act]
            assert acts[i].answer_turn == i + 1
    assert len(acts) == sum(t.act in INITIATIVE_ACTS for t in r.turns)
    assert r.messages[-1].role == "assistant"
    assert r.turns[r.gold.disposition_turn].act == "disposition"


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_the_disposition_after_pushback_is_the_gold_and_no_label_moves(seed, index):
    """Every answer is worded for the gold level, and the record's labels are those of the same record with
    nobody taking the initiative."""
    r = _gen(seed).record(index)
    for t in r.turns:
        if t.act in ANSWER_ACT.values():
            assert [answer_level(x) for x in t.templates] == [r.gold.disposition], (r.id, t.templates)
    quiet = _quiet_gen(seed).record(index)
    assert quiet.gold.patient_acts == []
    assert r.gold.model_dump(exclude={"patient_acts"}) == quiet.gold.model_dump(exclude={"patient_acts"})
    assert r.case == quiet.case and r.persona == quiet.persona
    d = r.gold.disposition_turn
    assert r.messages[1:d + 1] == quiet.messages[1:d + 1]  # the dialogue up to the advice is the same too


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_no_kind_is_raised_outside_its_levels_or_ages(seed, index):
    r = _gen(seed).record(index)
    kinds = _lib().personas.initiative.kinds
    for a in r.gold.patient_acts:
        kind = kinds[a.raised]
        assert Disposition(r.gold.disposition) in kind.dispositions, (r.id, a.raised)
        assert kind.act == a.act and kind.assistant_must == a.assistant_must
        assert not kind.age_groups or r.persona.age_group in kind.age_groups
    if r.gold.crisis_resource != "none":
        assert r.gold.patient_acts == []
    skipped = set(_lib().personas.initiative.skip_conditions)
    if skipped & ({r.case.condition} | {x.id for x in r.gold.reasons}):
        assert r.gold.patient_acts == []


def test_no_stock_exchange_about_waiting_when_a_baby_may_have_been_hurt():
    gen = Generator(_lib(), GenerateConfig(seed=2, conditions=("suspected_physical_abuse_infant",)))
    records = [gen.record(i) for i in range(40)]
    assert all(r.gold.patient_acts == [] for r in records)


def test_nobody_in_a_call_about_low_mood_asks_about_taking_tablets():
    """Found by a blind read: a depressed 15-year-old asked 'can I take the paracetamol in the cupboard?' and was
    told a pharmacist could advise on the dose. In a call about mood that question is a self-harm warning."""
    kinds = _lib().personas.initiative.kinds
    banned = {r for r, k in kinds.items() if "depression" in k.not_with_conditions}
    assert {"medicine_question", "usual_medicines"} <= banned
    gen = Generator(_lib(), GenerateConfig(seed=5, conditions=("depression", "generalised_anxiety_disorder")))
    raised = [a.raised for i in range(150) for a in gen.record(i).gold.patient_acts]
    assert raised and not set(raised) & banned


MEDICINE_CAUSED = ("calcium_channel_blocker_ankle_oedema", "acute_dystonic_reaction", "hypoglycaemia_treated_diabetes",
                   "orthostatic_hypotension", "accidental_extra_medicine_dose")


def test_nobody_whose_problem_may_come_from_a_medicine_is_told_to_carry_on_with_their_usual_ones():
    """Read 16 D30: 'keep to your usual routine with them' to someone whose problem may be a reaction to a
    tablet from their GP (a sickness medicine's dystonia, a calcium-channel blocker's ankle swelling)."""
    gen = Generator(_lib(), GenerateConfig(seed=5, conditions=MEDICINE_CAUSED))
    records = [gen.record(i) for i in range(400)]
    assert not [r.id for r in records if any(a.raised == "usual_medicines" for a in r.gold.patient_acts)]


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_no_answer_before_the_advice_asks_a_question_that_nobody_answers(seed, index):
    """'No, not that. Should there be?' was a stock line in 900 of 3,000 records, and the assistant never
    answered it: answers are statements (a vague 'Maybe?' is a hedge, not a question); questions come after
    the advice, where they are answered. Read with typing noise off: a slip can turn 'Maybe?' into 'mayb?'
    (found at seed 3, record 31506), which is still a hedge."""
    r = _quiet_typing_gen(seed).record(index)
    for m, t in zip(r.messages, r.turns):
        if m.role == "user" and t.act.startswith("answer_"):
            text = m.content.replace("Maybe?", "").replace("I think so?", "")
            assert "?" not in text, (r.id, m.content)


@lru_cache(maxsize=None)
def _quiet_typing_gen(seed: int) -> Generator:
    return Generator(_lib(), GenerateConfig(seed=seed, noise="off"))


def test_the_library_keeps_waiting_and_driving_to_the_levels_they_fit():
    kinds = _lib().personas.initiative.kinds
    assert Disposition.self_care not in kinds["wait_until_later"].dispositions  # nobody asks if self-care can wait
    assert kinds["drive_myself"].dispositions == [Disposition.emergency_ambulance]
    assert Disposition.emergency_ambulance not in kinds["no_transport"].dispositions  # the ambulance comes to you


@lru_cache(maxsize=2)
def _sample(n: int = 700, seed: int = 11) -> tuple:
    gen = _gen(seed)
    return tuple(gen.record(i) for i in range(n))


def _records() -> tuple:
    return _sample()


def test_between_a_quarter_and_a_half_of_dialogues_hold_an_initiative_act():
    records = _records()
    share = sum(bool(r.gold.patient_acts) for r in records) / len(records)
    assert 0.25 <= share <= 0.5, share


def test_a_minimising_person_pushes_back_more_and_an_anxious_one_asks_more():
    by_style: dict[str, Counter] = {}
    for r in _records():
        c = by_style.setdefault(r.persona.style, Counter())
        c["records"] += 1
        for a in r.gold.patient_acts:
            c[a.act] += 1

    def rate(style, act):
        return by_style[style][act] / by_style[style]["records"]

    assert rate("minimising", "pushback") > 2 * rate("anxious", "pushback")
    assert rate("anxious", "patient_question") > 2 * rate("minimising", "patient_question")


def test_every_kind_and_level_the_library_allows_is_generated():
    seen = {(a.raised, r.gold.disposition) for r in _sample(3000, 4242) for a in r.gold.patient_acts}
    allowed = {(raised, level.value) for raised, k in _lib().personas.initiative.kinds.items() for level in k.dispositions}
    assert len(seen & allowed) >= 0.85 * len(allowed), sorted(allowed - seen)
    assert seen <= allowed


def test_a_dose_question_is_answered_with_the_leaflet_never_a_dose():
    found = 0
    for r in _sample(3000, 4242):
        for a in r.gold.patient_acts:
            question, answer = r.messages[a.turn].content, r.messages[a.answer_turn].content
            # 'How much can I give her?', perhaps after a lead-in ('Sorry, one more thing. How much ...')
            if a.raised == "medicine_question" and "How much" in question:
                found += 1
                assert not _DOSE.search(answer), answer
                level = r.gold.disposition
                if level not in ("emergency_ambulance",) and r.persona.age_group != "young_infant":
                    assert any(w in answer for w in ("leaflet", "label", "pharmacist", "staff", "seen")), answer
    assert found >= 5


def test_a_young_baby_is_never_told_to_have_a_painkiller_as_the_pack_says():
    for r in _sample(3000, 4242):
        if r.persona.age_group != "young_infant":
            continue
        for a in r.gold.patient_acts:
            if a.raised == "medicine_question":
                answer = r.messages[a.answer_turn].content
                assert "before without problems" not in answer and "for her age" not in answer \
                    and "for his age" not in answer, answer


def test_an_emergency_exchange_ends_on_the_action_never_a_pleasantry():
    lexicon_words = ("take care", "you're welcome", "hope", "glad to help")
    seen = Counter()
    for r in _sample(3000, 4242):
        if not r.gold.patient_acts or r.gold.disposition not in ("emergency_ambulance", "emergency_department"):
            continue
        last = r.messages[-1].content
        seen[r.gold.disposition] += 1
        word = ("999", "911") if r.gold.disposition == "emergency_ambulance" else ("A&E", "the ER")
        assert any(w in last for w in word) and "now" in last, last
        closing = re.split(r"(?<=[.!?])\s+", last.strip())[-1].lower()
        assert not any(w in closing for w in lexicon_words), last
    assert seen["emergency_ambulance"] >= 20 and seen["emergency_department"] >= 20


def test_drawing_the_initiative_is_a_function_of_the_stream_alone():
    lib = _lib()
    style = lib.personas.style("stoic")
    draws = [plan_initiative(lib.personas.initiative, style, Disposition.urgent, CrisisResource.none, "older_adult",
                             random.Random(7)) for _ in range(3)]
    assert draws[0] == draws[1] == draws[2]
    assert plan_initiative(lib.personas.initiative, style, Disposition.urgent, CrisisResource.suicide_crisis_line,
                           "older_adult", random.Random(7)) == [] or not lib.personas.initiative.skip_with_crisis_resource


# --- the library is checked on load ------------------------------------------------------------------------


def _copy(tmp_path: Path, *folders: str) -> Path:
    root = tmp_path / "lib"
    for folder in folders:
        shutil.copytree(bundled_library() / folder, root / folder)
    return root


def test_a_kind_for_an_unknown_disposition_is_rejected(tmp_path):
    root = _copy(tmp_path, "personas")
    path = root / "personas" / "initiative.yaml"
    path.write_text(path.read_text().replace("dispositions: [emergency_ambulance]\n", "dispositions: [teleport]\n", 1))
    with pytest.raises(ContentError, match="initiative.yaml"):
        load_personas(root)


def test_a_style_weighing_an_unknown_kind_is_rejected(tmp_path):
    root = _copy(tmp_path, "personas")
    path = root / "personas" / "personas.yaml"
    path.write_text(path.read_text().replace("raised_weights: {not_wanting_to_bother: 2,",
                                             "raised_weights: {not_wanting_to_fly: 2,", 1))
    with pytest.raises(ContentError, match="not_wanting_to_fly"):
        load_personas(root)


def test_an_answer_named_for_another_level_is_rejected(tmp_path):
    root = _copy(tmp_path, "templates")
    src = root / "templates" / "answer_pushback" / "amb_wait_1.j2"
    src.rename(src.with_name("urgent_wait_9.j2"))
    with pytest.raises(ContentError, match="emergency_ambulance is named 'amb_"):
        load_templates(root, sandboxed=True)


def test_an_initiative_wording_must_name_its_kind(tmp_path):
    root = _copy(tmp_path, "templates")
    (root / "templates" / "pushback" / "loose.j2").write_text("Can it wait?\n")
    with pytest.raises(ContentError, match="when.raised"):
        load_templates(root, sandboxed=True)


def test_a_kind_and_level_without_a_wording_is_reported_at_load(tmp_path):
    root = _copy(tmp_path, "templates", "personas", "conditions")
    for path in (root / "templates" / "answer_pushback").glob("urgent_transport_*.j2"):
        path.unlink()
    with pytest.raises(ContentError, match="no_transport"):
        Library.load(root)


def test_an_is_it_serious_question_asks_about_seriousness_not_what_it_is():
    """'What do you think it is?' was labelled is_it_serious (blind read): a question asking for a diagnosis is
    another act, answered differently. Every is_it_serious wording asks how serious it is or whether to worry."""
    import re
    from pathlib import Path

    root = Path(__file__).parent.parent / "templates" / "patient_question"
    serious = [p for p in root.glob("*.j2") if "raised: is_it_serious" in p.read_text(encoding="utf-8")]
    assert serious
    for p in serious:
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"\bwhat (?:do you think |could |might )?it (?:is|be)\b|\bwhat is it\b", text, re.I), p.name
