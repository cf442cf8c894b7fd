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


#: Few members, so the same one is added, re-scored, moved and removed again and again.
members = st.integers(min_value=0, max_value=12)
ops = st.sampled_from(["add", "remove", "read", "move", "move back", "pop"])


@given(st.lists(st.tuples(ops, members, scores, st.integers(0, 3))))
def test_pending_additions_read_like_a_plain_sorted_set(
    steps: list[tuple[str, int, float, int]],
) -> None:
    """Reads merge pending members in; any mix of adds (new or re-scored, pending or
    sorted), removals, moves between two sets, head pops and reads matches two dicts."""
    zset, other = SortedSet(), SortedSet()
    model, other_model = dict[int, float](), dict[int, float]()

    def ordered(scores_by_member: dict[int, float]) -> list[tuple[int, float]]:
        return [(m, s) for s, m in sorted((s, m) for m, s in scores_by_member.items())]

    for op, member, score, n in steps:
        if op == "add":
            zset.add(member, score)
            model[member] = score
        elif op == "remove":
            assert zset.remove(member) == (model.pop(member, None) is not None)
        elif op == "move":
            zset.remove(member)  # a job changing state: ZREM here, ZADD there
            other.add(member, score)
            model.pop(member, None)
            other_model[member] = score
        elif op == "move back":
            other.remove(member)
            zset.add(member, score)
            other_model.pop(member, None)
            model[member] = score
        elif op == "pop":
            expected_head = [m for m, _ in ordered(model)[:n]]
            assert zset.pop_first(n) == expected_head
            for popped in expected_head:
                del model[popped]
        else:
            assert zset.items() == ordered(model)
            assert other.items() == ordered(other_model)
        assert len(zset) == len(model) and bool(zset) == bool(model)
        assert (member in zset) == (member in model)
    assert zset.items() == ordered(model)
    assert other.items() == ordered(other_model)
    expected = [m for m, _ in ordered(model)]
    assert list(zset) == expected
    assert zset.range_by_score(NEG_INF, POS_INF) == expected
    assert zset.first(3) == expected[:3]
    assert zset.range_by_rank(-2, -1) == expected[-2:]


def test_range_by_score_is_inclusive_and_limited() -> None:
    zset = SortedSet()
    for member, score in [(3, 10), (1, 10), (2, 20), (4, 30)]:
        zset.add(member, score)
    assert zset.range_by_score(10, 20) == [1, 3, 2]
    assert zset.range_by_score(10, 20, limit=2) == [1, 3]
    assert zset.range_by_score(11, 29) == [2]
    assert zset.range_by_score(10, 20, limit=0) == []
