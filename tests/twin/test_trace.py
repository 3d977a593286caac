"""The trace hashes bodies without copying them first (twin/session/trace.py),
and must hash exactly the bytes the copy would give: a digest that changed
with an optimisation would break every comparison against an older run."""

from __future__ import annotations

import hashlib

import msgpack
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.session.observer import to_native
from twin.session.trace import Trace

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.floats(allow_nan=False).map(np.float64),
    st.floats(allow_nan=False, width=32).map(np.float32),
    st.integers(-(2**31), 2**31 - 1).map(np.int64),
    st.integers(0, 255).map(np.uint8),
    st.booleans().map(np.bool_),
    st.lists(st.floats(allow_nan=False), max_size=4).map(np.array),
)
_bodies = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
    ),
    max_leaves=20,
)


def _digest_by_copy(*parts) -> str:
    """The trace's fold as it was: a native copy of the parts, then msgpack."""
    h = hashlib.sha256()
    data = msgpack.packb(to_native(list(parts)), use_bin_type=True)
    h.update(len(data).to_bytes(8, "little"))
    h.update(data)
    return h.hexdigest()


def _digest_now(*parts) -> str:
    h = hashlib.sha256()
    Trace._fold(h, *parts)
    return h.hexdigest()


@settings(max_examples=300, deadline=None)
@given(body=st.dictionaries(st.text(max_size=6), _bodies, max_size=6))
def test_folding_a_body_hashes_the_bytes_of_its_native_copy(body):
    assert _digest_now(">", "frame", 7, body) == _digest_by_copy(">", "frame", 7, body)


def test_the_fold_sees_numpy_values_as_their_plain_values():
    # Not a tautology of the property above: a float64 and a float pack alike,
    # an int64 as the int, an array as the list.
    body = {"x": np.float64(0.1), "n": np.int64(3), "a": np.array([1.0, 2.0]), "b": np.bool_(True)}
    plain = {"x": 0.1, "n": 3, "a": [1.0, 2.0], "b": True}
    assert _digest_now("truth", body) == _digest_now("truth", plain)


def test_the_fold_refuses_what_it_cannot_trace():
    with pytest.raises(TypeError, match="cannot trace a object"):
        _digest_now("truth", {"x": object()})
