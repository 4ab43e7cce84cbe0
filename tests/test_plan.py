"""The planner's cached reasoning states."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scenegen.inference import ranked
from scenegen.plan import State
from scenegen.triage import Decision
from scenegen.content import CrisisResource, Disposition

_DECISION = Decision(Disposition.routine, (), {}, (), CrisisResource.none)


@given(probs=st.lists(st.sampled_from([0.0, 0.01, 0.05, 0.2, 0.2, 0.3]), min_size=1, max_size=30),
       n=st.integers(1, 5))
def test_a_states_top_is_the_head_of_the_ranked_posterior_ties_to_the_lower_id(probs, n):
    conds = tuple(f"c{i:02d}" for i in range(len(probs)))
    post = dict(zip(conds, probs))
    state = State(conds, post, _DECISION, 0.05)
    assert state.top(n) == ranked(post)[:n]
    assert state.post == post
