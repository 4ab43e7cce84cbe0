"""`scenegen stats`: each figure on hand-built records whose answer is known, a generated set, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scenegen.cli import cli
from scenegen.stats import INITIATIVE_ACTS, BadRecord, compute, format_text, sentences


def turn(act: str, finding: str | None = None, volunteered: tuple[str, ...] = ()) -> dict:
    return {"act": act, "finding": finding, "answer": None, "answer_values": [], "parts": [act], "templates": [],
            "volunteered": list(volunteered), "volunteered_values": []}


def record(*messages: tuple[str, str], turns: list[dict] | None = None) -> dict:
    """A record of (role, text) messages; turns default to an opening, questions and answers."""
    if turns is None:
        turns = [turn("opening" if i == 0 else "clarify" if role == "assistant" else "answer_no")
                 for i, (role, _) in enumerate(messages)]
    return {"messages": [{"role": r, "content": c} for r, c in messages], "turns": turns}


def user_only(*texts: str) -> list[dict]:
    return [record(*[("user", t) for t in texts])]


# ---------------------------------------------------------------------------------------------------------
# figures on hand-built records


THREE = [
    record(("user", "No."), ("assistant", "Does it hurt?"), ("user", "Yes, it hurts a lot today.")),
    record(("user", "No."), ("assistant", "Does it hurt?")),
    record(("user", "  Yes, it hurts a lot today. "), ("assistant", "Any fever?"),
           ("user", "A completely different long sentence here.")),
]


def test_verbatim_share_counts_messages_whose_stripped_text_occurs_in_another_message():
    s = compute(THREE)
    assert s.user_verbatim_share == pytest.approx(4 / 5)
    assert s.assistant_verbatim_share == pytest.approx(2 / 3)


def test_verbatim_share_6plus_ignores_short_messages():
    # six-word messages: the repeated 'Yes, it hurts a lot today.' twice, the unique one once; 'No.' is left out
    assert compute(THREE).user_verbatim_share_6plus == pytest.approx(2 / 3)


def test_a_repeat_within_the_same_record_counts_and_a_lone_text_does_not():
    assert compute(user_only("Not really, no.", "Not really, no.")).user_verbatim_share == 1.0
    assert compute(user_only("Not really, no.", "Not really.")).user_verbatim_share == 0.0


def test_counts_leave_out_the_system_message():
    s = compute([record(("system", "You are a triage assistant."), ("user", "My head hurts."),
                        ("assistant", "Since when?"), ("user", "Since this morning, I think."))]
                + THREE)
    assert (s.records, s.user_messages, s.assistant_messages) == (4, 7, 4)
    assert s.user_words == 3 + 5 + (1 + 6 + 1 + 6 + 6)


def test_sentences_split_after_end_marks_followed_by_space_or_end():
    assert sentences("Hi. How are you?  Fine! ") == ["Hi.", "How are you?", "Fine!"]
    assert sentences("Wait...what, 2.5 days") == ["Wait...what, 2.5 days"]


def test_top20_share_is_the_share_of_sentences_among_the_twenty_most_frequent():
    singles = [f"Sentence number {i}." for i in range(20)]
    s = compute(user_only("Same again. Same again.", "Same again.", *singles))
    # 23 sentences: 'Same again.' three times, then 19 of the 20 singles fit in the top 20
    assert s.top20_user_sentence_share == pytest.approx(22 / 23)


def test_top_sentences_are_listed_by_count_then_text():
    s = compute([record(("user", "B. A. B."), ("assistant", "Okay. Thanks."), ("user", "C. A."),
                        ("assistant", "Okay."))])
    assert s.top_user_sentences == (("A.", 2), ("B.", 2), ("C.", 1))
    assert s.top_assistant_sentences == (("Okay.", 2), ("Thanks.", 1))
    text = format_text(s)
    assert "Top 10 user sentences:" in text and "      2  A." in text


def test_distinct_bigrams_per_word_lowercases_and_stays_within_a_message():
    # the cat / cat sat / cat ran: 3 distinct pairs over 6 tokens; 'sat the' across messages is not a pair
    assert compute(user_only("the cat sat", "The cat ran")).user_distinct_bigrams_per_word == pytest.approx(3 / 6)
    # tokens are [a-z0-9']+: "don't" is one token, '&' splits A&E into two
    assert compute(user_only("I don't go to A&E")).user_distinct_bigrams_per_word == pytest.approx(5 / 6)


def test_over_25_words_share_counts_more_than_25_not_25():
    s = compute(user_only(" ".join(["word"] * 26), " ".join(["word"] * 25)))
    assert s.user_over_25_words_share == pytest.approx(1 / 2)


def test_openings_share_counts_records_whose_opening_volunteers_a_finding():
    richer = record(("user", "A cough. It started yesterday."), ("assistant", "Fever?"), ("user", "No."),
                    turns=[turn("opening", "cough", ("duration",)), turn("clarify", "fever"), turn("answer_no", "fever")])
    bare = record(("user", "A cough."), ("assistant", "Fever?"), ("user", "No, but it started yesterday."),
                  turns=[turn("opening", "cough"), turn("clarify", "fever"), turn("answer_no", "fever", ("duration",))])
    s = compute([richer, bare, bare])
    assert s.openings_with_time_course_or_second_fact == pytest.approx(1 / 3)


def test_patient_initiative_reads_zero_for_todays_acts_and_counts_an_initiative_act():
    assert INITIATIVE_ACTS == {"patient_question", "pushback", "reply_after_advice"}
    assert compute(THREE).patient_initiative_share == 0.0
    pushback = record(("user", "A cough."), ("assistant", "Stay home."), ("user", "Are you sure? It's bad."),
                      turns=[turn("opening", "cough"), turn("disposition"), turn("pushback")])
    assert compute([pushback] + THREE).patient_initiative_share == pytest.approx(1 / 4)


def test_a_volunteered_finding_asked_later_counts_once_per_record_and_finding():
    msgs = [("user", "A cough, and a fever."), ("assistant", "Fever?"), ("user", "Yes."),
            ("assistant", "Fever, really?"), ("user", "Yes."), ("assistant", "Wheeze?"), ("user", "No."),
            ("assistant", "See your GP.")]
    asked_twice = record(*msgs, turns=[
        turn("opening", "cough", ("fever", "wheeze")), turn("clarify", "fever"), turn("answer_yes", "fever"),
        turn("clarify", "fever"), turn("answer_yes", "fever"), turn("red_flag_check", "wheeze"),
        turn("answer_no", "wheeze"), turn("disposition")])
    s = compute([asked_twice] + THREE)
    assert (s.volunteered_asked_again, s.volunteered_asked_again_records) == (2, 1)
    s = compute([asked_twice, asked_twice])
    assert (s.volunteered_asked_again, s.volunteered_asked_again_records) == (4, 2)


def test_a_question_before_the_volunteering_or_a_finding_after_the_advice_is_not_asked_again():
    asked_first = record(("user", "A cough."), ("assistant", "Fever?"), ("user", "No, but I've had a rash."),
                         ("assistant", "Stay home."), ("user", "Thanks."),
                         turns=[turn("opening", "cough"), turn("clarify", "rash"), turn("answer_no", "fever", ("rash",)),
                                turn("disposition"), turn("answer_no", "rash")])
    after_advice = record(("user", "A rash."), ("assistant", "Stay home."), ("user", "Ok."), ("assistant", "Rash?"),
                          turns=[turn("opening", "rash", ("itch",)), turn("disposition"), turn("answer_yes"),
                                 turn("clarify", "itch")])
    s = compute([asked_first, after_advice])
    assert (s.volunteered_asked_again, s.volunteered_asked_again_records) == (0, 0)


def test_no_records_gives_zero_shares_not_a_division_error():
    s = compute([])
    assert s.records == 0 and s.user_verbatim_share == 0.0 and s.top20_user_sentence_share == 0.0


def test_library_rejects_a_record_without_messages_naming_its_index():
    with pytest.raises(BadRecord, match=r"record 1: .*'messages'"):
        compute([THREE[0], {"turns": []}])


# ---------------------------------------------------------------------------------------------------------
# the command


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    r = run("generate", "--n", "50", "--seed", "3", "--out", str(out), "--quiet")
    assert r.exit_code == 0, r.output
    return out


def test_stats_json_on_a_generated_set_has_every_figure_in_range(generated: Path):
    r = run("stats", str(generated / "train.jsonl"), str(generated / "test.jsonl"), "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["records"] == 50 and doc["user_messages"] > 50 and doc["user_words"] > doc["user_messages"]
    for name in ("user_verbatim_share", "assistant_verbatim_share", "user_verbatim_share_6plus",
                 "top20_user_sentence_share", "user_distinct_bigrams_per_word", "user_over_25_words_share",
                 "openings_with_time_course_or_second_fact", "patient_initiative_share"):
        assert 0.0 <= doc[name] <= 1.0, name
    assert doc["top_user_sentences"] and set(doc["top_user_sentences"][0]) == {"sentence", "count"}
    records = [json.loads(line) for f in ("train.jsonl", "test.jsonl")
               for line in (generated / f).read_text().splitlines()]
    assert doc == compute(records).as_dict()


def test_stats_text_lists_figures_and_top_sentences(generated: Path):
    r = run("stats", str(generated / "train.jsonl"))
    assert r.exit_code == 0, r.output
    assert "user_verbatim_share" in r.stdout and "Top 10 assistant sentences:" in r.stdout


def test_a_line_that_is_not_json_is_named_by_file_and_line(generated: Path, tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    first = (generated / "train.jsonl").read_text().splitlines()[0]
    bad.write_text(first + "\n{not json\n")
    r = run("stats", str(bad))
    assert r.exit_code == 1
    assert f"{bad}:2: not valid JSON" in r.stderr
    assert "Traceback" not in r.output and r.stdout == ""


def test_a_record_without_messages_is_named_by_file_and_line(tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n" + json.dumps({"turns": []}) + "\n")
    r = run("stats", str(bad))
    assert r.exit_code == 1
    assert f"{bad}:2: the record has no 'messages' list" in r.stderr
    assert "Traceback" not in r.output


def test_a_missing_file_or_an_empty_one_exits_nonzero_without_traceback(tmp_path: Path):
    r = run("stats", str(tmp_path / "absent.jsonl"))
    assert r.exit_code != 0 and "does not exist" in r.stderr and "Traceback" not in r.output
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    r = run("stats", str(empty))
    assert r.exit_code == 1 and "no records" in r.stderr
