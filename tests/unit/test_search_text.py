"""The shared tokeniser: words, stems, terms and query parsing, with no adapter involved."""

from __future__ import annotations

import pytest

from kueport.domain.errors import InvalidSearch
from kueport.domain.state import State
from kueport.search_text import (
    MAX_TERMS_PER_JOB,
    MAX_WORD_LENGTH,
    SearchQuery,
    stem,
    terms,
    words,
)


def test_words_are_case_folded_and_cut_on_anything_but_letters_digits_and_underscore() -> None:
    assert words('{"To": "Ann@Example.com", "n": 42, "user_id": "Straße"}') == [
        "to", "ann", "example", "com", "n", "42", "user_id", "strasse",
    ]  # fmt: skip


def test_over_long_words_are_dropped() -> None:
    assert words("a" * (MAX_WORD_LENGTH + 1) + " short " + "b" * MAX_WORD_LENGTH) == [
        "short",
        "b" * MAX_WORD_LENGTH,
    ]


def test_stems_come_from_the_snowball_english_stemmer() -> None:
    assert [stem(w) for w in ("welcome", "emails", "running", "runs")] == [
        "welcom", "email", "run", "run",
    ]  # fmt: skip


def test_terms_are_word_and_stem_distinct_in_order_and_capped() -> None:
    assert terms(["Running runs", "running"]) == ["running:run", "runs:run"]
    many = terms([" ".join(f"w{i}" for i in range(MAX_TERMS_PER_JOB + 50))])
    assert len(many) == MAX_TERMS_PER_JOB
    assert many[0] == "w0:w0"


def test_a_query_splits_exact_stems_from_the_last_word() -> None:
    q = SearchQuery.parse("Welcome emails runn", job_type="email", state="failed", limit=3)
    assert (q.stems, q.prefix, q.prefix_stem) == (("welcom", "email"), "runn", "runn")
    assert (q.job_type, q.state, q.limit) == ("email", State.FAILED, 3)
    assert q.prefix_stems(["running:run", "runner:runner"]) == {"runn", "run", "runner"}


def test_a_query_of_only_long_words_has_no_word() -> None:
    with pytest.raises(InvalidSearch, match="no word"):
        SearchQuery.parse("x" * (MAX_WORD_LENGTH + 1))
