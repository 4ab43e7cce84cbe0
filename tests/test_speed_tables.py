"""The tables and caches that make generation faster give what the plain computations they replace give.

Each faster path reads a precomputed index (implications by their first 'if' finding, consistency rules by the
red flag they need, modifiers and must-asks by the span of ages between their limits, lay phrasings by their
first word, every finding's ancestors) or a cache of a pure
function (clauses of a text); a record's bytes depend on them being exactly the same, order included.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scenegen.content import Sex
from scenegen.knowledge import PREGNANCY_MONTHS, Demographics
from scenegen.plan import Reasoner, _rules_if_present, _time_course_of
from scenegen.realise import clauses, mentions
from scenegen.realise.words import _CLAUSE_END, REPEAT_CLAUSE_WORDS, _lowered_lay, _whole_words
from scenegen.sample import PersonaDraw, _settling_rules, implied_answers
from scenegen.triage import ancestors, modifier_fits, screen_fits


def _implied_by_every_rule(kb, known, complaint=None, unreportable=frozenset()):
    """implied_answers as a pass over every rule, to a fixed point (what the indexed version must equal)."""
    out, seen = {}, dict(known)
    rules = _settling_rules(kb, complaint)
    for _ in range(len(rules) + 1):
        changed = False
        for fid, answer, if_items in rules:
            if fid in seen or fid in unreportable:
                continue
            if all((seen.get(f) is w) if b else (isinstance(seen.get(f), str) and seen.get(f) in w)
                   for f, w, b in if_items):
                seen[fid] = out[fid] = answer
                changed = True
        if not changed:
            break
    return out


def _known_answers(kb):
    """Strategies for what a dialogue may have learnt: findings named in the 'if' of an implication, with
    answers their rules read (so that rules fire, and chains of them), and any other finding."""
    named = sorted({f for imp in kb.implies for f, _ in imp.if_items} | {imp.then_finding for imp in kb.implies})

    def answer(fid):
        f = kb.findings[fid]
        if f.type.value == "binary":
            return st.sampled_from([True, False])
        return st.sampled_from([v.id for v in f.values])

    return st.lists(st.sampled_from(named), max_size=12, unique=True).flatmap(
        lambda ids: st.fixed_dictionaries({fid: answer(fid) for fid in ids}))


def test_implied_answers_are_those_of_a_pass_over_every_rule_in_order(bundled_kb):
    kb = bundled_kb
    complaints = [None, *sorted(kb.complaints)]

    @given(known=_known_answers(kb), complaint=st.sampled_from(complaints))
    def check(known, complaint):
        got = implied_answers(kb, known, complaint)
        want = _implied_by_every_rule(kb, known, complaint)
        assert list(got.items()) == list(want.items())  # the same answers, settled in the same order

    check()


def test_a_red_flags_time_course_reads_the_rules_that_need_it_in_library_order(bundled_kb):
    kb = bundled_kb
    # every 'if' met, so each rule that needs the flag adds its values, in order, and a later one wins
    everything: dict = {}
    for r in kb.implies:
        for k, v in r.if_.items():
            everything.setdefault(k, v if isinstance(v, bool) else v[0])
    for flag in sorted(f for f, x in kb.findings.items() if x.red_flag is not None):
        assert list(_rules_if_present(kb, flag)) == [r for r in kb.implies if r.if_.get(flag) is True]
        want = {k: tuple(v) for k, v in kb.findings[flag].implies.items()}
        for rule in kb.implies:
            if rule.if_.get(flag) is True and all(
                    everything.get(k) == v if isinstance(v, bool) else everything.get(k) in v
                    for k, v in rule.if_.items() if k != flag):
                want.update({k: tuple(v) for k, v in rule.then.items() if isinstance(v, list)})
        assert list(_time_course_of(kb, flag, everything).items()) == list(want.items())


@given(age=st.integers(0, 110 * 12), sex=st.sampled_from(list(Sex)), pregnant=st.booleans())
def test_the_modifiers_and_must_asks_that_fit_an_age_are_those_read_at_that_exact_age(bundled_kb, age, sex, pregnant):
    kb = bundled_kb
    pregnant = pregnant and sex is Sex.female and PREGNANCY_MONTHS[0] <= age < PREGNANCY_MONTHS[1]
    who = Demographics(age, sex, pregnant)
    persona = PersonaDraw(age_months=age, age_group="adult", sex=sex, pregnant=pregnant, speaker="self",
                          relation=None, literacy="standard", style="plain", locale="en-GB")
    group = Reasoner(kb).group(persona)
    assert group.modifier_ids == frozenset(m.id for m in kb.modifiers if modifier_fits(m, who))
    assert group.screens == tuple(sc for sc in kb.screens if screen_fits(sc, who))


@given(st.text(alphabet="abc ,.;!?-()'", max_size=80))
def test_the_clauses_of_a_text_are_the_same_when_kept(text):
    want = {c for c in (" ".join(part.lower().split()) for part in _CLAUSE_END.split(text))
            if len(c.split()) >= REPEAT_CLAUSE_WORDS}
    assert clauses(text) == want
    assert clauses(text) == want  # a second call reads the kept value


def test_the_findings_a_phrase_mentions_are_those_of_a_scan_of_every_lay_phrasing(bundled_kb):
    """mentions() tries only the phrasings indexed under a word of the text; it must find what testing every
    phrasing of the library finds, on texts made of lay phrasings joined and cut anywhere."""
    kb = bundled_kb
    lay = sorted({p for f in kb.findings.values() for p in f.lay})

    @given(parts=st.lists(st.sampled_from(lay), min_size=1, max_size=4),
           glue=st.sampled_from([" ", ", ", " and ", "-", "", "x"]), cut=st.integers(0, 3), upper=st.booleans())
    def check(parts, glue, cut, upper):
        text = glue.join(parts)[cut:]
        text = text.upper() if upper else text
        low = text.lower()
        want = frozenset(fid for fid, p in _lowered_lay(kb) if p in low and _whole_words(p, low))
        assert mentions(kb, text) == want

    check()


def test_a_findings_ancestors_are_its_parent_chain(bundled_kb):
    kb = bundled_kb
    for fid, f in sorted(kb.findings.items()):
        chain, parent = [], f.parent
        while parent is not None:
            chain.append(parent)
            parent = kb.findings[parent].parent
        assert ancestors(kb, fid) == tuple(chain)
