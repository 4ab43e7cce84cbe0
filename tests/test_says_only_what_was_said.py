"""The assistant says back only what the person said: an acknowledgement or a reason names a finding in words
that the person's own answer supports (issue #9 item 6, issue #10 item 3)."""

from __future__ import annotations

import re
from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.realise import said_topic, supported

#: conditions whose red flags are warnings of alternatives ('a painful red eye with halos around lights or
#: blurred vision'; 'still unwell after 30 minutes of rest, or very hot without sweating'), often decisive
FLAGGED = ("acute_angle_closure_glaucoma", "heatstroke", "acute_coronary_syndrome")
_ALTERNATIVES = re.compile(r",| or ")


@lru_cache(maxsize=None)
def _gen(conditions: tuple[str, ...] = (), complaints: tuple[str, ...] = ()) -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=11, conditions=conditions, complaints=complaints,
                                                    noise="off"))


def test_support_needs_every_content_word_said():
    assert supported("ear pain", "an earache, real ear pain")
    assert supported("aching joints", "a joint that aches")
    assert not supported("ear pain worse on touching the outer ear", "agony when lying on the ear")
    assert not supported("joint pain peaking within a day", "waking up with an agonising joint")
    assert not supported("", "anything")


@given(index=st.integers(0, 100_000))
def test_a_warning_of_alternatives_is_given_as_the_reason_in_the_persons_own_words(index):
    """Sent to A&E 'because of a painful red eye with halos around lights or blurred vision' by a daughter who
    had denied pain, redness and blurring and said only 'halos round the street lamps' (read D28); sent an
    ambulance for 'chest pain with sweating, feeling sick or shortness of breath' after 'feeling really unwell
    with the chest pain' (D5). The reason quotes what was said."""
    gen = _gen(FLAGGED)
    r = gen.record(index)
    if r.gold.disposition_turn is None:
        return
    kb = gen.lib.kb
    local = gen.realiser.localiser(r.persona.locale)
    final = r.messages[r.gold.disposition_turn].content.lower()
    said = " ".join(m.content.lower() for m in r.messages[:r.gold.disposition_turn] if m.role == "user")
    for reason in r.gold.reasons:
        if reason.kind != "red_flag":
            continue
        f = kb.findings[reason.id]
        if not _ALTERNATIVES.search(f.red_flag.warning or ""):
            continue
        own = [p for p in (local(x).lower() for x in f.lay) if p in said]
        if own:
            assert any(p in final for p in own), (r.id, own, final)


def _named_unsaid(gen: Generator, index: int) -> list[tuple[str, str]]:
    """The (finding, topic) pairs an acknowledgement names after a volunteered phrase, or after a 'yes' to a
    question of alternatives, that the person's message does not support."""
    r = gen.record(index)
    kb = gen.lib.kb
    local = gen.realiser.localiser(r.persona.locale)
    out = []
    for i, turn in enumerate(r.turns):
        if r.messages[i].role != "user" or i + 1 >= len(r.messages) or "ack" not in r.turns[i + 1].parts:
            continue
        asked = turn.act == "answer_yes" and _ALTERNATIVES.search(said_topic(kb.findings[turn.finding]))
        fids = ([turn.finding] if asked else []) + (list(turn.volunteered) if "volunteer" in turn.parts else [])
        reply = r.messages[i + 1].content.lower()
        for fid in fids:
            f = kb.findings[fid]
            for t in {local(x).lower() for x in [said_topic(f), *f.topics] if x}:
                if re.search(rf"(?:mentioning|noted|about|adding|mentioned|-) (?:the )?{re.escape(t)}\b", reply) \
                        and not supported(t, r.messages[i].content):
                    out.append((fid, t))
    return out


@given(index=st.integers(0, 100_000))
def test_an_acknowledgement_names_only_what_the_person_described(index):
    """'Agony when lying on the ear' was thanked for as 'the ear pain worse on touching the outer ear' (read
    D9), 'waking up with an agonising joint' noted as 'the joint pain peaking within a day' (D7): a sign the
    person did not describe is not said back to them."""
    assert _named_unsaid(_gen(), index) == []


def test_a_time_course_question_names_no_complaint_by_its_alternatives():
    """'Did the red or painful eye come on suddenly?' was asked of someone who had denied pain and never
    mentioned redness (read D14): a question that names the complaint uses no name listing alternatives."""
    gen = _gen()
    for cid in gen.lib.kb.complaints:
        name = gen.realiser.words.problem_name(cid)
        assert name and not _ALTERNATIVES.search(name), (cid, name)


def test_no_topic_starts_with_the(bundled_kb):
    """A topic reads after 'no' and after 'the': 'Okay, no the rescue inhaler then' (read D17)."""
    for f in bundled_kb.findings.values():
        for t in [f.topic or "", *f.topics]:
            assert not t.lower().startswith("the "), (f.id, t)


def test_the_hoarse_voice_question_speaks_to_the_patient(bundled_kb):
    """'Is the voice hoarse?' was said to the patient themself (read D24); a carer hears 'his voice'."""
    from scenegen.realise import proxy_question

    q = bundled_kb.findings["hoarse_voice"].question
    assert "your voice" in q
    assert "his voice" in proxy_question(q, "your son", {"subj": "he", "obj": "him", "poss": "his"})


def test_a_condition_name_another_already_says_is_left_out():
    """'a cold or a viral infection of the nose and throat or a common cold' (read D17)."""
    from scenegen.realise import distinct_names

    assert distinct_names(["a cold or a viral infection of the nose and throat", "a common cold"]) == [
        "a cold or a viral infection of the nose and throat"]
    assert distinct_names(["flu (influenza)", "a chest infection"]) == ["flu (influenza)", "a chest infection"]


def test_a_complaint_of_two_things_is_not_said_as_the_main_trouble():
    """'the feverish feeling and a temperature is what I wanted to ask about' (read D17)."""
    from scenegen.realise.parts import _NOT_A_MAIN_TROUBLE

    assert _NOT_A_MAIN_TROUBLE.search("a feverish feeling and a temperature")
    assert not _NOT_A_MAIN_TROUBLE.search("a nagging cough")


@given(index=st.integers(0, 100_000))
def test_a_swallowed_substance_is_not_called_unpleasant_nor_named_by_its_alternatives(index):
    """'a worry about something swallowed; that can be really unpleasant', and a reason 'the overdose or
    harmful substance swallowed' (read D13)."""
    gen = _gen(complaints=("poisoning",))
    r = gen.record(index)
    said = " ".join(m.content.lower() for m in r.messages if m.role == "assistant")
    assert "really unpleasant" not in said, r.id
    assert "overdose or harmful substance" not in said, r.id


@given(index=st.integers(0, 100_000))
def test_a_same_day_disposition_says_why(index):
    """A same-day disposition was given with no reason (read D15): with no condition to name and no rule or
    warning sign, it says what the person told that needs a look."""
    gen = _gen()
    r = gen.record(index)
    if r.gold.disposition != "urgent" or r.gold.named_conditions \
            or any(x.kind in {"red_flag", "modifier"} for x in r.gold.reasons):
        return
    final = r.messages[r.gold.disposition_turn].content.lower()
    # said as a sentence, never in brackets (read of 2026-12-08: 'What you've told me about (back pain)')
    assert re.search(r"told me about \w|that's because of \w|, it's better checked in person", final), (r.id, final)


@given(index=st.integers(0, 100_000))
def test_thoughts_of_self_harm_are_not_given_back_as_the_reason_in_the_persons_words(index):
    """A reason in the person's own words stops at thoughts of self-harm and pregnancy, whose words the
    assistant never says back (as its acknowledgements do not)."""
    from scenegen.content import AnswerKind

    gen = _gen(("suicidal_ideation_with_plan", "suicidal_thoughts_without_plan"))
    r = gen.record(index)
    if r.gold.disposition_turn is None or r.persona.speaker != "self":
        return
    kb = gen.lib.kb
    local = gen.realiser.localiser(r.persona.locale)
    final = r.messages[r.gold.disposition_turn].content.lower()
    for reason in r.gold.reasons:
        f = kb.findings.get(reason.id)
        if reason.kind == "red_flag" and f.answer_kind in (AnswerKind.mental_health, AnswerKind.pregnancy):
            assert local(f.red_flag.warning).lower() in final, (r.id, final)  # said as written


_THANKS = re.compile(r"mentioning|mentioned|noted|adding|good to know|helps to know|extra detail|you added", re.I)


@given(index=st.integers(0, 100_000))
def test_a_volunteered_detail_is_thanked_for_even_when_no_topic_fits_it(index):
    """The fix for D9 leaves a detail unnamed when no topic fits the person's words; the wordings that thank for
    one still do, without naming a sign ('And thanks for the extra detail')."""
    gen = _gen()
    r = gen.record(index)
    for i, turn in enumerate(r.turns[:-1]):
        after = r.turns[i + 1]
        if "volunteer" in turn.parts and "ack" in after.parts and after.templates[after.parts.index("ack")] in {
                "ack/echo_1", "ack/echo_2", "ack/echo_3", "ack/vague", "ack/anxious"}:
            assert _THANKS.search(r.messages[i + 1].content), (r.id, r.messages[i + 1].content)


def test_a_bare_yes_to_a_question_of_alternatives_is_not_said_back_as_one_part():
    """'Is there pain over the kidney, in the side or back?' 'Yes' was acknowledged 'Okay - kidney pain': a
    bare 'Yes.' affirmed no part in words (seed 27182, balanced, record 409)."""
    gen = Generator(Library.load(), GenerateConfig(seed=27182, balance="disposition", noise="off"))
    assert _named_unsaid(gen, 409) == []
