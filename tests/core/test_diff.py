"""core.diff: the segments rebuild both texts exactly, kinds are consistent, similarity is
difflib's ratio over the words, and long or repetitive replies still diff word by word."""

from __future__ import annotations

import random
from difflib import SequenceMatcher

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.diff import Diff, DiffOp, DiffSegment, diff_words, units

# Words, punctuation, every kind of whitespace, CJK, combining marks, emoji.
PIECES = st.sampled_from(
    [*"ab cd.,!?'\n\t\r", "\u00a0", "\u2028", "\u3000", "é", "e\u0301", "日", "本", "😀", "_9"]
)
TEXTS = st.lists(PIECES, max_size=60).map("".join) | st.text(max_size=40)


def check_segments(result: Diff, old: str, new: str) -> None:
    assert result.old_text() == old and result.new_text() == new
    for segment in result.segments:
        assert segment.old or segment.new
        if segment.op == DiffOp.EQUAL:
            assert segment.old == segment.new
        elif segment.op == DiffOp.INSERT:
            assert not segment.old and segment.new
        elif segment.op == DiffOp.DELETE:
            assert segment.old and not segment.new
        else:
            assert segment.old and segment.new and segment.old != segment.new
    for left, right in zip(result.segments, result.segments[1:], strict=False):
        assert (left.op == DiffOp.EQUAL) != (right.op == DiffOp.EQUAL), "neighbours not merged"


@given(TEXTS, TEXTS)
def test_the_segments_rebuild_both_texts(old: str, new: str) -> None:
    result = diff_words(old, new)
    check_segments(result, old, new)
    assert 0.0 <= result.similarity <= 100.0


@given(TEXTS)
def test_units_rebuild_the_text(text: str) -> None:
    found = units(text)
    assert "".join(word + space for word, space in found) == text
    assert all(word for word, _ in found[1:])
    assert all(not space.strip() for _, space in found)


@given(TEXTS, st.data())
@settings(max_examples=50)
def test_edits_of_a_text_rebuild_too(text: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(text)))
    inserted = data.draw(TEXTS)
    edited = text[:cut] + inserted + text[cut + data.draw(st.integers(0, 5)) :]
    check_segments(diff_words(text, edited), text, edited)


@given(TEXTS)
def test_a_text_equals_itself(text: str) -> None:
    result = diff_words(text, text)
    assert result.similarity == 100.0
    assert result.segments == ((DiffSegment(DiffOp.EQUAL, text, text),) if text else ())


def test_similarity_is_100_for_equal_and_0_for_disjoint_words() -> None:
    assert diff_words("", "").similarity == 100.0
    assert diff_words("the cat sat", "a dog ran away").similarity == 0.0
    assert diff_words("", "words").similarity == 0.0
    assert diff_words("same words", "same  words\n").similarity == 100.0


def test_similarity_is_difflibs_ratio_over_the_words() -> None:
    old, new = "one two three four", "one two five four six"
    expected = SequenceMatcher(None, old.split(), new.split()).ratio() * 100
    assert diff_words(old, new).similarity == pytest.approx(expected)
    assert expected == pytest.approx(2 * 3 / 9 * 100)


def test_a_changed_word_is_one_replacement_with_its_whitespace() -> None:
    result = diff_words("The cat sat on the mat.", "The dog sat on the mat!")
    assert result.segments == (
        DiffSegment(DiffOp.EQUAL, "The ", "The "),
        DiffSegment(DiffOp.REPLACE, "cat ", "dog "),
        DiffSegment(DiffOp.EQUAL, "sat on the mat", "sat on the mat"),
        DiffSegment(DiffOp.REPLACE, ".", "!"),
    )


def test_insertions_deletions_and_reflowed_whitespace() -> None:
    assert diff_words("a c", "a b c").segments == (
        DiffSegment(DiffOp.EQUAL, "a ", "a "),
        DiffSegment(DiffOp.INSERT, "", "b "),
        DiffSegment(DiffOp.EQUAL, "c", "c"),
    )
    assert diff_words("a b c", "a c").segments[1] == DiffSegment(DiffOp.DELETE, "b ", "")
    reflowed = diff_words("one two\nthree", "one two three")
    assert reflowed.similarity == 100.0
    assert reflowed.segments == (
        DiffSegment(DiffOp.EQUAL, "one two", "one two"),
        DiffSegment(DiffOp.REPLACE, "\n", " "),
        DiffSegment(DiffOp.EQUAL, "three", "three"),
    )
    assert diff_words("  x", "x").segments == (
        DiffSegment(DiffOp.DELETE, "  ", ""),
        DiffSegment(DiffOp.EQUAL, "x", "x"),
    )


def test_units_split_punctuation_and_cjk_characters() -> None:
    assert units("Hi, you!  ") == [("Hi", ""), (",", " "), ("you", ""), ("!", "  ")]
    assert units("日本語です") == [("日", ""), ("本", ""), ("語", ""), ("で", ""), ("す", "")]
    assert units(" \n") == [("", " \n")]
    assert units("snake_case 42x") == [("snake_case", " "), ("42x", "")]
    assert diff_words("我爱猫", "我爱狗").segments[-1] == DiffSegment(DiffOp.REPLACE, "猫", "狗")


def natural_text(words: int, seed: int) -> str:
    """English-like text: common words make up well over 1% each, as in real replies."""
    rng = random.Random(seed)
    common = ["the", "a", "of", "and", "to", "in", "is", ",", "."]
    rare = [f"w{n}" for n in range(600)]
    picks = [rng.choice(common) if rng.random() < 0.35 else rng.choice(rare) for _ in range(words)]
    return " ".join(picks)


def test_in_a_long_reply_common_words_still_match() -> None:
    # 20,000+ characters, where difflib's autojunk makes "the" (over 1% of the units) unable
    # to anchor a match: between two changed words it would show as changed too.
    old = natural_text(5000, seed=1)
    assert len(old) > 20_000
    tokens = old.split(" ")
    between = [
        next(
            p
            for p in range(start, len(tokens) - 1)
            if tokens[p] == "the" and tokens[p - 1][0] == tokens[p + 1][0] == "w"
        )
        for start in (1000, 2500, 4000)  # apart, so the text between is long
    ]
    for position in between:
        tokens[position - 1], tokens[position + 1] = "NEW1", "NEW2"
    new = " ".join(tokens)
    result = diff_words(old, new)
    check_segments(result, old, new)
    changes = [(s.new, s.op) for s in result.segments if s.op != DiffOp.EQUAL]
    assert changes == [("NEW1 ", DiffOp.REPLACE), ("NEW2 ", DiffOp.REPLACE)] * 3
    assert result.similarity == pytest.approx(100.0 * (len(tokens) - 6) / len(tokens))


def test_a_long_repetitive_reply_diffs_and_rebuilds() -> None:
    # A model stuck in a loop: exact matching would take minutes here (see core/diff.py).
    old, new = "ha ho " * 4000, "ha " * 8000
    result = diff_words(old, new)
    check_segments(result, old, new)
    assert result.segments[0] == DiffSegment(DiffOp.EQUAL, "ha ", "ha ")
    shifted = diff_words("ha " * 5000, "ha " * 2500 + "x " + "ha " * 2500)
    assert [s.op for s in shifted.segments] == [DiffOp.EQUAL, DiffOp.INSERT, DiffOp.EQUAL]


def test_two_long_unrelated_replies() -> None:
    old, new = natural_text(5000, seed=2), natural_text(5000, seed=3)
    result = diff_words(old, new)
    check_segments(result, old, new)
    assert 0 < result.similarity < 100
