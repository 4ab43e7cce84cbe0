"""How varied and how realistic a generated dataset reads: the acceptance figures of the realism work.

Trainers and data QA need numbers that move when the dialogues get less repetitive, not a reader's
impression. This module reads records only (plain dicts, as parsed from the JSONL files) and imports nothing
from the generation stages, so it measures any file, whatever made it.

Words are whitespace-separated tokens of a message's text. A message's text is compared after stripping
the whitespace around it. A share whose denominator is zero is reported as 0.0.

Figures:

- ``user_verbatim_share``: the share of user messages whose exact text occurs in at least one *other* user
  message of the set (any record, the same record included). ``assistant_verbatim_share``: the same for
  assistant messages. ``user_verbatim_share_6plus``: the same, over user messages of six words or more only
  (a repeated "No." says little; a repeated sentence of six words is a stock phrasing).
- ``top20_user_sentence_share``: user messages are split into sentences after each ``.``, ``!`` or ``?`` that
  is followed by whitespace or the end of the message (the mark stays with its sentence; "Dr. Smith" splits
  too, which is accepted for simplicity); each sentence is stripped of whitespace. The figure is the share of
  all user sentences that are one of the 20 most frequent ones. The 10 most frequent user and assistant
  sentences are listed with their counts.
- ``user_distinct_bigrams_per_word``: word tokens here are lowercase runs of ``[a-z0-9']``; a bigram is two
  adjacent tokens within one message. The figure is the number of distinct bigrams over all user messages
  divided by the number of those tokens in user messages (so it stays below 1).
- ``user_over_25_words_share``: the share of user messages with more than 25 words.
- ``openings_with_time_course_or_second_fact``: the share of records whose opening user message (turn act
  ``opening``) volunteers at least one finding (a non-empty ``volunteered`` list; onset and duration are
  findings there), i.e. says more than the bare complaint.
- ``patient_initiative_share``: the share of records holding a user turn whose act is in
  :data:`INITIATIVE_ACTS` (a question of the patient's own, pushback, a reply after the advice; the generator
  writes them after the disposition message, each with its entry in ``gold.patient_acts``).
- ``volunteered_asked_again``: the number of (record, finding) pairs where a finding the user volunteered in a
  turn (its ``volunteered`` list) is the ``finding`` of a later assistant question: an assistant turn that
  names a finding before the final advice (the first ``disposition`` turn). Today those are the ``clarify`` and
  ``red_flag_check`` acts. ``volunteered_asked_again_records`` counts the records with at least one such
  pair. A good dataset has 0.
- Counts: ``records``, ``user_messages``, ``assistant_messages``, ``user_words``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Iterable, Optional

#: user acts that show the patient taking the initiative (see the module docstring)
INITIATIVE_ACTS = frozenset({"patient_question", "pushback", "reply_after_advice"})
#: the assistant act that gives the final advice; a finding named after it is not a question
ADVICE_ACT = "disposition"
TOP_SHARE_N = 20
TOP_LIST_N = 10
LONG_MESSAGE_WORDS = 25
VERBATIM_MIN_WORDS = 6

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class DatasetStats:
    records: int
    user_messages: int
    assistant_messages: int
    user_words: int
    user_verbatim_share: float
    assistant_verbatim_share: float
    user_verbatim_share_6plus: float
    top20_user_sentence_share: float
    user_distinct_bigrams_per_word: float
    user_over_25_words_share: float
    openings_with_time_course_or_second_fact: float
    patient_initiative_share: float
    volunteered_asked_again: int
    volunteered_asked_again_records: int
    top_user_sentences: tuple[tuple[str, int], ...]
    top_assistant_sentences: tuple[tuple[str, int], ...]

    def as_dict(self) -> dict:
        """Plain JSON-ready dict; the sentence lists become lists of {sentence, count}."""
        d = asdict(self)
        for key in ("top_user_sentences", "top_assistant_sentences"):
            d[key] = [{"sentence": s, "count": n} for s, n in getattr(self, key)]
        return d


class BadRecord(ValueError):
    """A record that lacks what the figures are computed from."""


def record_problem(record: object) -> Optional[str]:
    """Why a parsed record cannot be measured, in one line, or None. The CLI names the file and line."""
    if not isinstance(record, dict):
        return f"a record must be a JSON object, not {type(record).__name__}"
    messages, turns = record.get("messages"), record.get("turns")
    if not isinstance(messages, list):
        return "the record has no 'messages' list"
    for i, m in enumerate(messages):
        if not (isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)):
            return f"messages[{i}] needs a string 'role' and 'content'"
    if not isinstance(turns, list):
        return "the record has no 'turns' list"
    if len(turns) != len(messages):
        return f"'turns' has {len(turns)} entries but 'messages' has {len(messages)}"
    for i, t in enumerate(turns):
        if not (isinstance(t, dict) and isinstance(t.get("act"), str)):
            return f"turns[{i}] needs a string 'act'"
        if not isinstance(t.get("finding"), (str, type(None))):
            return f"turns[{i}].finding must be a string or null"
        if not (isinstance(t.get("volunteered", []), list)
                and all(isinstance(v, str) for v in t.get("volunteered", []))):
            return f"turns[{i}].volunteered must be a list of strings"
    return None


def words(text: str) -> int:
    """Whitespace-separated tokens: the word count of the length figures."""
    return len(text.split())


def sentences(text: str) -> list[str]:
    """Split after . ! ? followed by whitespace (or the end); stripped, empty pieces dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def tokens(text: str) -> list[str]:
    """Lowercase word tokens for the bigram figure."""
    return _TOKEN.findall(text.lower())


def volunteered_asked_again(turns: list[dict], roles: list[str]) -> set[str]:
    """Findings the user volunteered and an assistant asked about afterwards, before the final advice."""
    volunteered: set[str] = set()
    asked_again: set[str] = set()
    for role, turn in zip(roles, turns):
        if role == "assistant" and turn.get("act") == ADVICE_ACT:
            break
        if role == "user":
            volunteered.update(turn.get("volunteered") or ())
        elif role == "assistant" and turn.get("finding") in volunteered:
            asked_again.add(turn["finding"])
    return asked_again


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _repeated(counts: Counter) -> int:
    """How many messages have a text that at least one other message has too."""
    return sum(n for n in counts.values() if n > 1)


def _top(counts: Counter, n: int) -> tuple[tuple[str, int], ...]:
    """The n most frequent, ties by text, so the list does not depend on reading order."""
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n])


def compute(records: Iterable[dict]) -> DatasetStats:
    """All figures in one pass; memory grows with the distinct texts, not the records. Raises BadRecord."""
    user_texts: Counter = Counter()
    assistant_texts: Counter = Counter()
    user_sentences: Counter = Counter()
    assistant_sentences: Counter = Counter()
    bigrams: set[tuple[str, str]] = set()
    n_records = user_words = user_tokens = long_user = openings_volunteering = initiative = 0
    asked_again_pairs = asked_again_records = 0
    for index, record in enumerate(records):
        problem = record_problem(record)
        if problem:
            raise BadRecord(f"record {index}: {problem}")
        n_records += 1
        messages, turns = record["messages"], record["turns"]
        roles = [m["role"] for m in messages]
        for m in messages:
            text = m["content"].strip()
            if m["role"] == "user":
                user_texts[text] += 1
                user_sentences.update(sentences(text))
                n_words = words(text)
                user_words += n_words
                long_user += n_words > LONG_MESSAGE_WORDS
                toks = tokens(text)
                user_tokens += len(toks)
                bigrams.update(zip(toks, toks[1:]))
            elif m["role"] == "assistant":
                assistant_texts[text] += 1
                assistant_sentences.update(sentences(text))
        user_turns = [t for role, t in zip(roles, turns) if role == "user"]
        openings_volunteering += any(t["act"] == "opening" and t.get("volunteered") for t in user_turns)
        initiative += any(t["act"] in INITIATIVE_ACTS for t in user_turns)
        again = volunteered_asked_again(turns, roles)
        asked_again_pairs += len(again)
        asked_again_records += bool(again)
    n_user, n_assistant = sum(user_texts.values()), sum(assistant_texts.values())
    long_texts = Counter({t: n for t, n in user_texts.items() if words(t) >= VERBATIM_MIN_WORDS})
    return DatasetStats(
        records=n_records, user_messages=n_user, assistant_messages=n_assistant, user_words=user_words,
        user_verbatim_share=_share(_repeated(user_texts), n_user),
        assistant_verbatim_share=_share(_repeated(assistant_texts), n_assistant),
        user_verbatim_share_6plus=_share(_repeated(long_texts), sum(long_texts.values())),
        top20_user_sentence_share=_share(sum(n for _, n in _top(user_sentences, TOP_SHARE_N)),
                                         sum(user_sentences.values())),
        user_distinct_bigrams_per_word=_share(len(bigrams), user_tokens),
        user_over_25_words_share=_share(long_user, n_user),
        openings_with_time_course_or_second_fact=_share(openings_volunteering, n_records),
        patient_initiative_share=_share(initiative, n_records),
        volunteered_asked_again=asked_again_pairs, volunteered_asked_again_records=asked_again_records,
        top_user_sentences=_top(user_sentences, TOP_LIST_N),
        top_assistant_sentences=_top(assistant_sentences, TOP_LIST_N),
    )


_SHARES = ("user_verbatim_share", "assistant_verbatim_share", "user_verbatim_share_6plus",
           "top20_user_sentence_share", "user_distinct_bigrams_per_word", "user_over_25_words_share",
           "openings_with_time_course_or_second_fact", "patient_initiative_share")
_COUNTS = ("records", "user_messages", "assistant_messages", "user_words", "volunteered_asked_again",
           "volunteered_asked_again_records")


def format_text(stats: DatasetStats) -> str:
    """The figures for a person to read, then the most repeated sentences."""
    width = max(map(len, _SHARES + _COUNTS))
    lines = [f"{name:<{width}}  {getattr(stats, name)}" for name in _COUNTS]
    lines += [f"{name:<{width}}  {getattr(stats, name):.4f}" for name in _SHARES]
    for title, top in (("user", stats.top_user_sentences), ("assistant", stats.top_assistant_sentences)):
        lines += ["", f"Top {TOP_LIST_N} {title} sentences:"]
        lines += [f"  {n:7d}  {s}" for s, n in top]
    return "\n".join(lines)


__all__ = ["DatasetStats", "BadRecord", "INITIATIVE_ACTS", "compute", "format_text", "record_problem"]
