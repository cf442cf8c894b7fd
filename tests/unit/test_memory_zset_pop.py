"""Taking from the head of the memory sorted set (a claim) is ZPOPMIN, read or not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kueport.adapters.memory.zset import SortedSet

ids = st.integers(min_value=0, max_value=10**6)
scores = st.integers(min_value=-5, max_value=5)
ops = st.sampled_from(["add", "remove", "remove_first", "pop", "read"])


@given(st.lists(st.tuples(ops, ids, scores, st.integers(0, 4))))
def test_pop_first_and_head_removals_match_a_sorted_dict(
    steps: list[tuple[str, int, int, int]],
) -> None:
    zset, model = SortedSet(), dict[int, float]()
    for op, member, score, n in steps:
        ordered = [m for _, m in sorted((s, m) for m, s in model.items())]
        if op == "add":
            zset.add(member, score)
            model[member] = score
        elif op == "remove":
            assert zset.remove(member) == (model.pop(member, None) is not None)
        elif op == "remove_first" and ordered:  # the sorted list's head, once sorted
            assert zset.remove(ordered[0])
            del model[ordered[0]]
        elif op == "pop":
            assert zset.pop_first(n) == ordered[:n]
            for gone in ordered[:n]:
                del model[gone]
        else:
            assert list(zset) == ordered
        assert len(zset) == len(model)
    assert list(zset) == [m for _, m in sorted((s, m) for m, s in model.items())]
