"""A finding a condition cannot exist without (the library's obligatory band) rules it out when denied."""

from __future__ import annotations

from scenegen import Demographics
from scenegen.content import Sex
from scenegen.inference import posterior
from scenegen.triage import decide


def test_denying_an_obligatory_finding_rules_the_condition_out(bundled_kb):
    kb = bundled_kb
    band = kb.settings.obligatory_band
    assert band is not None
    checked = 0
    for cid, c in sorted(kb.conditions.items()):
        for edge in c.findings:
            if edge.p != band or kb.findings[edge.id].type.value != "binary" or kb.findings[edge.id].parent:
                continue
            assert kb.likelihoods[cid][edge.id] == 1.0, (cid, edge.id)  # exempt from the ceiling
            checked += 1
    assert checked >= 20


def test_a_woman_who_is_not_pregnant_is_not_left_with_a_miscarriage(bundled_kb):
    """A miscarriage cannot exist without a pregnancy (obligatory); an ectopic pregnancy stays possible after
    a denial (its edge is not obligatory: NICE NG126 tests for pregnancy whatever the woman believes)."""
    who = Demographics(27 * 12, Sex.female)
    obs = {"vaginal_bleeding": True, "abdominal_pain": True, "pregnancy_known_or_possible": False}
    post = posterior(bundled_kb, who, obs)
    assert post.get("threatened_miscarriage", 0.0) < 1e-200  # ruled out (the log floor keeps it a hair above 0)
    assert "threatened_miscarriage" not in decide(bundled_kb, who, obs).plausible
    assert post.get("ectopic_pregnancy", 0.0) > 0.0
