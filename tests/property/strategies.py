"""Random but valid inputs for the storage state machine."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st

from kueport.domain.backoff import Exponential, Fixed, SameDelay
from kueport.domain.priority import PRIORITIES
from kueport.domain.state import State
from tests.property.checks import TYPES

job_types = st.sampled_from(TYPES)
priorities = st.one_of(st.sampled_from(sorted(PRIORITIES)), st.integers(-20, 20))
delays = st.one_of(st.just(0), st.integers(1, 5000))
ttls = st.one_of(st.none(), st.integers(1, 5000))
millis = st.integers(0, 3000).map(lambda ms: timedelta(milliseconds=ms))
backoffs = st.one_of(
    st.none(),
    st.just(SameDelay()),
    st.builds(Fixed, delay=millis),
    st.builds(Exponential, delay=st.none() | millis, max_delay=st.none() | millis),
)
#: Mostly kept, so retries and restarts have jobs to work on.
removal_flags = st.sampled_from([False, False, False, True])
states = st.sampled_from(list(State))
job_options = st.fixed_dictionaries(
    {
        "job_type": job_types,
        "priority": priorities,
        "delay_ms": delays,
        "attempts": st.integers(1, 4),
        "backoff": backoffs,
        "ttl_ms": ttls,
        "remove_on_complete": removal_flags,
        "remove_on_fail": removal_flags,
    }
)
