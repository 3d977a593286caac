"""The station lifecycle's transitions (swapwire/lifecycle.py): the legal path, and every illegal step refused."""

from __future__ import annotations

import pytest

from swapwire.lifecycle import TRANSITIONS, Lifecycle, LifecycleError, State


def test_a_plant_serving_two_sessions_walks_the_lifecycle():
    life = Lifecycle()
    for step in ("configure", "activate", "deactivate", "activate", "error", "recover", "configure", "shutdown"):
        life.take(step)
    assert life.state is State.FINALIZED
    assert [s for _, s in life.history][-3:] == [State.UNCONFIGURED, State.INACTIVE, State.FINALIZED]


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("transition", list(TRANSITIONS))
def test_each_transition_is_allowed_exactly_from_its_start_states(state, transition):
    life = Lifecycle(state)
    starts, end = TRANSITIONS[transition]
    if state in starts:
        assert life.can(transition) and life.take(transition) is end
    else:
        assert not life.can(transition)
        with pytest.raises(LifecycleError, match=f"{transition} is not allowed from {state}"):
            life.take(transition)
        assert life.state is state and life.history == []


def test_only_an_inactive_station_serves_and_finalized_is_the_end():
    assert [s for s in State if Lifecycle(s).serving] == [State.INACTIVE]
    assert not any(Lifecycle(State.FINALIZED).can(t) for t in TRANSITIONS)
    with pytest.raises(LifecycleError, match="no transition"):
        Lifecycle().take("reboot")
