"""The memory adapter's sorted set: Redis's order and ZSET semantics with ids as members."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kueport.adapters.memory.zset import NEG_INF, POS_INF, SortedSet
from kueport.domain.ordering import sort_key, zid

ids = st.integers(min_value=0, max_value=10**30)
scores = st.integers(min_value=-5, max_value=5) | st.floats(-1e6, 1e6, allow_nan=False)


@given(st.lists(st.tuples(scores, ids), unique_by=lambda pair: pair[1]))
def test_score_then_id_is_redis_order_of_zids(pairs: list[tuple[float, int]]) -> None:
    """Keying by (score, id) is the order Redis gives (score, zid bytes): no zid per move."""
    by_id = sorted(pairs)
    by_zid = sorted(pairs, key=lambda pair: sort_key(pair[0], zid(pair[1])))
    assert by_id == by_zid


@given(st.lists(st.tuples(st.sampled_from(["add", "remove", "read"]), ids, scores)))
def test_pending_additions_read_like_a_plain_sorted_set(
    steps: list[tuple[str, int, float]],
) -> None:
    """Reads merge pending members in; any mix of moves and reads matches a sorted dict."""
    zset, model = SortedSet(), dict[int, float]()
    for op, member, score in steps:
        if op == "add":
            zset.add(member, score)
            model[member] = score
        elif op == "remove":
            assert zset.remove(member) == (model.pop(member, None) is not None)
        else:
            expected = sorted((s, m) for m, s in model.items())
            assert zset.items() == [(m, s) for s, m in expected]
        assert len(zset) == len(model)
        assert (member in zset) == (member in model)
    expected = sorted((s, m) for m, s in model.items())
    assert list(zset) == [m for _, m in expected]
    assert zset.range_by_score(NEG_INF, POS_INF) == [m for _, m in expected]
    assert zset.first(3) == [m for _, m in expected][:3]
    assert zset.range_by_rank(-2, -1) == [m for _, m in expected][-2:]


def test_range_by_score_is_inclusive_and_limited() -> None:
    zset = SortedSet()
    for member, score in [(3, 10), (1, 10), (2, 20), (4, 30)]:
        zset.add(member, score)
    assert zset.range_by_score(10, 20) == [1, 3, 2]
    assert zset.range_by_score(10, 20, limit=2) == [1, 3]
    assert zset.range_by_score(11, 29) == [2]
    assert zset.range_by_score(10, 20, limit=0) == []
