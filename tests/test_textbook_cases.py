"""The triage engine measured against textbook cases written from guideline text (tests/cases/textbook_triage.yaml).

Each case gives the exact level its guideline names. The tests check that the file is well formed and uses only
library ids, that no case is under-triaged except those in the file's `known_under_triage` list (and that each
listed case still is, so the list shrinks as the engine improves), and that exact agreement stays at or above
a floor set from the measured figure. `python benchmarks/textbook_agreement.py` prints the full tables.
"""

from __future__ import annotations

import pytest

from tests.textbook_cases import CaseBook, Outcome, Summary, library_problems, load_cases, report, run

#: measured 85.0 % (176/207) on the bundled library when the set was written, rounded down to the nearest 5 %
AGREEMENT_FLOOR = 0.85
#: at least this many cases, as the issue asks
MIN_CASES = 150

BOOK = load_cases()


@pytest.fixture(scope="module")
def outcomes(bundled_kb) -> dict[str, Outcome]:
    problems = library_problems(bundled_kb, BOOK)
    assert not problems, "\n".join(problems)
    return {o.case.id: o for o in run(bundled_kb, BOOK)}


def test_case_file_is_well_formed_and_uses_library_ids(bundled_kb):
    assert isinstance(BOOK, CaseBook)
    assert len(BOOK.cases) >= MIN_CASES
    assert library_problems(bundled_kb, BOOK) == []


def test_cases_cover_every_complaint_age_band_and_level(bundled_kb):
    run_cases = BOOK.expressible
    assert {c.complaint for c in run_cases} >= set(bundled_kb.complaints)
    assert {bundled_kb.age_band(c.age_months) for c in run_cases} == {b.id for b in bundled_kb.settings.age_bands}
    assert {c.sex.value for c in run_cases} == {"female", "male"} and any(c.pregnant for c in run_cases)
    counts = {lvl: sum(c.expected.value == lvl for c in run_cases) for lvl in
              ("self_care", "routine", "urgent", "emergency_department", "emergency_ambulance")}
    assert min(counts.values()) >= len(run_cases) // 8, counts


@pytest.mark.parametrize("case_id", [c.id for c in BOOK.expressible])
def test_not_under_triaged_unless_known(outcomes, case_id):
    o = outcomes[case_id]
    known = BOOK.known
    if case_id in known:
        assert o.delta < 0, (f"'{case_id}' is no longer under-triaged (guideline {o.case.expected.value}, engine "
                             f"{o.got}): remove it from known_under_triage in tests/cases/textbook_triage.yaml")
        return
    assert o.delta >= 0, (f"under-triage: guideline ({o.case.source}) says {o.case.expected.value}, engine says "
                          f"{o.got}; decided by {o.decisive()}; differential {o.top(5)}")


def test_exact_agreement_stays_above_the_floor(outcomes, capsys):
    s = Summary(list(outcomes.values()))
    hits, judged = s.condition_hits
    with capsys.disabled():
        print(f"\ntextbook cases: {len(BOOK.cases)} ({s.n} run); exact agreement {s.rate(s.exact):.1%}, "
              f"under-triage {s.rate(s.under):.1%} ({len(s.under)}), over-triage {s.rate(s.over):.1%} "
              f"({len(s.over)}), expected condition in differential {hits}/{judged}")
    assert s.rate(s.exact) >= AGREEMENT_FLOOR, report(BOOK, list(outcomes.values()))


def test_expected_condition_is_in_the_differential_for_most_cases(outcomes):
    hits, judged = Summary(list(outcomes.values())).condition_hits
    assert judged and hits / judged >= 0.95, f"{hits}/{judged}"


def test_known_list_gives_a_reason_naming_the_cause():
    for k in BOOK.known_under_triage:
        assert len(k.reason.split()) >= 6, k
