"""Redis key names: Kue 0.11.6's layout exactly, kueport's extra keys, and cluster hash tags.

Node Kue and kueport share one Redis only if every key name is the same, so each is spelled
out here in full.
"""

from __future__ import annotations

import fakeredis
import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.crc import key_slot

from kueport.adapters.redis.keys import InvalidPrefix, Keys, glob_escape, hash_tag
from kueport.domain.errors import InvalidJobOption, InvalidState, KueportError
from kueport.domain.state import State

job_types = st.text(min_size=1, max_size=30)
job_ids = st.integers(min_value=0, max_value=10**15)
states = st.sampled_from(list(State))


def every_key(keys: Keys, job_type: str, job_id: int) -> list[str]:
    """Each key name a queue can use for one job of one type."""
    return [
        keys.ids,
        keys.job(job_id),
        keys.log(job_id),
        keys.types,
        keys.jobs,
        *(keys.state(s) for s in State),
        *(keys.type_state(job_type, s) for s in State),
        keys.tokens(job_type),
        keys.work_time,
        keys.settings,
        keys.events,
        keys.search_word("FLK"),
        keys.search_object(job_id),
        keys.leases,
        keys.workers,
    ]


# -- Kue's layout ------------------------------------------------------------------------------
KUE_LAYOUT = [
    (lambda k: k.ids, "q:ids"),
    (lambda k: k.job(7), "q:job:7"),
    (lambda k: k.log(7), "q:job:7:log"),
    (lambda k: k.types, "q:job:types"),
    (lambda k: k.jobs, "q:jobs"),
    (lambda k: k.state(State.INACTIVE), "q:jobs:inactive"),
    (lambda k: k.state("delayed"), "q:jobs:delayed"),
    (lambda k: k.type_state("email", State.ACTIVE), "q:jobs:email:active"),
    (lambda k: k.type_state("email", "failed"), "q:jobs:email:failed"),
    (lambda k: k.tokens("email"), "q:email:jobs"),
    (lambda k: k.work_time, "q:stats:work-time"),
    (lambda k: k.settings, "q:settings"),
    (lambda k: k.events, "q:events"),
    (lambda k: k.search_word("FLK"), "q:search:word:FLK"),
    (lambda k: k.search_object(7), "q:search:object:7"),
]


@pytest.mark.parametrize(("name", "expected"), KUE_LAYOUT, ids=[e for _, e in KUE_LAYOUT])
def test_default_prefix_names_keys_exactly_as_kue(name: object, expected: str) -> None:
    assert name(Keys()) == expected  # type: ignore[operator]


def test_the_default_prefix_is_kues_q() -> None:
    assert Keys().prefix == "q"
    assert Keys() == Keys("q")


def test_a_custom_prefix_replaces_q_everywhere() -> None:
    keys = Keys("myapp")
    assert keys.job(12) == "myapp:job:12"
    assert keys.type_state("video", State.COMPLETE) == "myapp:jobs:video:complete"
    assert keys.tokens("video") == "myapp:video:jobs"
    assert keys.events == "myapp:events"


def test_every_state_has_its_index() -> None:
    assert [Keys().state(s) for s in State] == [
        "q:jobs:inactive",
        "q:jobs:active",
        "q:jobs:complete",
        "q:jobs:failed",
        "q:jobs:delayed",
    ]


def test_job_keys_use_the_plain_integer_id() -> None:
    assert Keys().job(12345678910) == "q:job:12345678910"
    assert Keys().log(1) == "q:job:1:log"


@pytest.mark.parametrize("bad_id", [-1, True, "7", 7.0])
def test_job_ids_must_be_non_negative_integers(bad_id: object) -> None:
    with pytest.raises(KueportError):
        Keys().job(bad_id)  # type: ignore[arg-type]


# -- kueport's own keys ------------------------------------------------------------------------
def test_kueport_only_keys_live_under_their_own_segment() -> None:
    assert Keys().leases == "q:kueport:leases"
    assert Keys().workers == "q:kueport:workers"


def test_kueport_keys_look_like_no_kue_key() -> None:
    keys = Keys()
    for extra in (keys.leases, keys.workers):
        assert not extra.endswith(":jobs")  # not a token list
        assert not extra.startswith("q:jobs")  # not a state index
        assert not extra.startswith("q:job:")  # not a job hash or log


# -- states and types --------------------------------------------------------------------------
@pytest.mark.parametrize("bogus", ["bogus", "Inactive", "", "jobs"])
def test_unknown_states_are_refused_rather_than_creating_new_indexes(bogus: str) -> None:
    # Kue's `PUT /job/:id/state/bogus` created `q:jobs:bogus`; we refuse.
    with pytest.raises(InvalidState):
        Keys().state(bogus)
    with pytest.raises(InvalidState):
        Keys().type_state("email", bogus)


def test_types_may_contain_colons_as_node_users_often_write_them() -> None:
    keys = Keys()
    assert keys.type_state("email:welcome", State.INACTIVE) == "q:jobs:email:welcome:inactive"
    assert keys.tokens("email:welcome") == "q:email:welcome:jobs"


@pytest.mark.parametrize("bad_type", ["", None, 3])
def test_a_job_type_is_required(bad_type: object) -> None:
    with pytest.raises(InvalidJobOption, match="Must provide job type"):
        Keys().tokens(bad_type)  # type: ignore[arg-type]
    with pytest.raises(InvalidJobOption):
        Keys().type_state(bad_type, State.INACTIVE)  # type: ignore[arg-type]


@given(a=job_types, b=job_types, job_id=job_ids)
def test_no_two_types_or_states_ever_share_a_key(a: str, b: str, job_id: int) -> None:
    keys = Keys()
    of_a = every_key(keys, a, job_id)
    assert len(set(of_a)) == len(of_a)
    if a != b:
        per_type_a = {keys.tokens(a), *(keys.type_state(a, s) for s in State)}
        per_type_b = {keys.tokens(b), *(keys.type_state(b, s) for s in State)}
        assert not per_type_a & per_type_b


# -- prefix validation -------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["", " ", "my queue", "q\n", "\tq", None])
def test_prefixes_must_be_non_empty_without_whitespace(bad: object) -> None:
    with pytest.raises(InvalidPrefix):
        Keys(bad)  # type: ignore[arg-type]


def test_prefixes_may_contain_colons_and_braces() -> None:
    assert Keys("app:queue").ids == "app:queue:ids"
    assert Keys("{app}").ids == "{app}:ids"


def test_keys_are_frozen_values() -> None:
    with pytest.raises(AttributeError):
        Keys().prefix = "other"  # type: ignore[misc]


# -- token reconciliation with SCAN ------------------------------------------------------------
def test_scan_pattern_matches_per_type_inactive_indexes() -> None:
    assert Keys().scan_pattern_type_inactive() == "q:jobs:*:inactive"
    assert Keys("{q}").scan_pattern_type_inactive() == "{q}:jobs:*:inactive"


def test_scan_pattern_escapes_glob_characters_of_the_prefix() -> None:
    assert Keys("a*b?[c]").scan_pattern_type_inactive() == r"a\*b\?\[c\]:jobs:*:inactive"
    assert glob_escape("a\\b") == "a\\\\b"


def test_scan_finds_exactly_the_per_type_inactive_indexes_of_its_prefix() -> None:
    redis = fakeredis.FakeRedis()
    keys = Keys("q*")
    wanted = [keys.type_state(t, State.INACTIVE) for t in ("email", "email:welcome", "x*")]
    others = [
        keys.state(State.INACTIVE),
        keys.type_state("email", State.ACTIVE),
        keys.leases,
        keys.tokens("email"),
        Keys("qq").type_state("email", State.INACTIVE),
        Keys("q").type_state("email", State.INACTIVE),
    ]
    for key in wanted + others:
        redis.zadd(key, {"01|1": 0})
    found = {k.decode() for k in redis.scan_iter(match=keys.scan_pattern_type_inactive())}
    assert found == set(wanted)
    assert {keys.type_from_inactive_key(k) for k in found} == {"email", "email:welcome", "x*"}


@given(job_type=job_types)
def test_the_type_is_read_back_from_a_scanned_key(job_type: str) -> None:
    keys = Keys()
    key = keys.type_state(job_type, State.INACTIVE)
    assert keys.type_from_inactive_key(key) == job_type
    assert keys.type_from_inactive_key(key.encode()) == job_type


@pytest.mark.parametrize(
    "key", ["q:jobs:inactive", "q:jobs::inactive", "q:jobs:email:active", "p:jobs:e:inactive"]
)
def test_keys_that_are_not_per_type_inactive_indexes_are_refused(key: str) -> None:
    with pytest.raises(KueportError):
        Keys().type_from_inactive_key(key)


# -- Redis Cluster -----------------------------------------------------------------------------
def test_redis_py_key_slot_is_crc16_xmodem_mod_16384() -> None:
    # CRC16/XMODEM("123456789") == 0x31C3, the check value of the Redis Cluster spec.
    assert key_slot(b"123456789") == 0x31C3 % 16384
    assert key_slot(b"{user1000}.following") == key_slot(b"{user1000}.followers")


@pytest.mark.parametrize(
    ("key", "tag"),
    [  # the examples of the Redis Cluster specification
        ("{user1000}.following", "user1000"),
        ("foo{}{bar}", None),
        ("foo{{bar}}zap", "{bar"),
        ("foo{bar}{zap}", "bar"),
        ("q", None),
        ("q{", None),
        ("}q{", None),
    ],
)
def test_hash_tag_follows_the_cluster_rule(key: str, tag: str | None) -> None:
    assert hash_tag(key) == tag


def test_kues_default_layout_has_no_hash_tag() -> None:
    assert Keys().hash_tag is None


def test_for_cluster_wraps_the_prefix_as_ioredis_kue_does() -> None:
    keys = Keys.for_cluster("q")
    assert keys.prefix == "{q}"
    assert keys.hash_tag == "q"
    assert keys.state(State.INACTIVE) == "{q}:jobs:inactive"
    assert keys.job(3) == "{q}:job:3"


@pytest.mark.parametrize("prefix", ["{q}", "app:{q}", "{q}:app", "x{tag}y"])
def test_for_cluster_keeps_a_prefix_that_already_has_a_hash_tag(prefix: str) -> None:
    assert Keys.for_cluster(prefix).prefix == prefix


@pytest.mark.parametrize("prefix", ["q{", "q}", "a{}b"])
def test_for_cluster_refuses_braces_without_a_complete_tag(prefix: str) -> None:
    with pytest.raises(InvalidPrefix):
        Keys.for_cluster(prefix)


@given(
    prefix=st.text(min_size=1, max_size=20).filter(
        lambda p: "{" not in p and "}" not in p and not any(c.isspace() for c in p)
    ),
    job_type=job_types,
    job_id=job_ids,
)
def test_every_key_of_a_cluster_queue_is_in_one_slot(
    prefix: str, job_type: str, job_id: int
) -> None:
    keys = Keys.for_cluster(prefix)
    slots = {key_slot(key.encode()) for key in every_key(keys, job_type, job_id)}
    assert slots == {key_slot(keys.prefix.encode())}


@given(job_type=job_types)
def test_braces_in_a_job_type_cannot_move_a_key_out_of_the_slot(job_type: str) -> None:
    keys = Keys.for_cluster("q")
    nasty = "{" + job_type + "}"
    assert key_slot(keys.tokens(nasty).encode()) == key_slot(b"{q}:ids")
    assert key_slot(keys.type_state(nasty, State.ACTIVE).encode()) == key_slot(b"{q}:ids")


def test_each_script_gets_only_the_lib_helpers_it_calls_in_lib_order() -> None:
    from kueport.adapters.redis.lua_source import with_helpers

    lib = "\n".join(
        [
            "-- header",
            "",
            "-- a doc",
            "local function a() return 1 end",
            "",
            "local function b() return a() end",
            "",
            "-- c doc",
            "local function c() return 3 end",
        ]
    )
    script = with_helpers(lib, "return b()")

    assert "local function a()" in script and "local function b()" in script
    assert "function c" not in script and "c doc" not in script
    assert script.index("function a") < script.index("function b") < script.index("return b()")
    assert "-- a doc" in script and "-- header" in script
