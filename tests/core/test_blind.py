"""core.blind: the seeded shuffle behind the letters, the reveal, votes and the session tally."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.blind import LETTERS, BlindOrder, TallyRow, Vote, cast_vote, tally
from core.compare import SetupError

TITLES = ("Llama", "Mistral", "Phi")


@given(columns=st.integers(2, 4), seed=st.integers())
def test_a_shuffle_is_a_permutation_fixed_by_its_seed(columns: int, seed: int) -> None:
    order = BlindOrder.shuffled(columns, seed)
    assert sorted(order.order) == list(range(columns))
    assert BlindOrder.shuffled(columns, seed) == order
    assert order.letters == LETTERS[:columns]
    for letter in order.letters:
        assert order.letter(order.column(letter)) == letter


def test_seeds_give_every_order() -> None:
    orders = {BlindOrder.shuffled(3, seed).order for seed in range(200)}
    assert len(orders) == 6  # all 3! orders, the unshuffled one included


def test_the_reveal_maps_letters_back_to_columns() -> None:
    order = BlindOrder((2, 0, 1))
    assert order.column("A") == 2 and order.letter(2) == "A"
    assert order.reveal(TITLES) == (("A", "Phi"), ("B", "Llama"), ("C", "Mistral"))


@pytest.mark.parametrize("order", [(0, 0), (1, 2), (0,), (0, 1, 2, 3, 4)])
def test_a_bad_order_is_refused(order: tuple[int, ...]) -> None:
    with pytest.raises(SetupError):
        BlindOrder(order)


def test_a_letter_not_shown_is_refused() -> None:
    with pytest.raises(SetupError, match=r'There is no column "D"'):
        BlindOrder((1, 0, 2)).column("D")


def test_a_blind_vote_records_the_revealed_title_and_the_letter() -> None:
    vote = cast_vote(BlindOrder((2, 0, 1)), "A", TITLES, round_number=4)
    assert vote == Vote(4, "Phi", TITLES, "A")


def test_an_open_vote_names_a_column() -> None:
    assert cast_vote(None, 1, TITLES, 1) == Vote(1, "Mistral", TITLES)
    with pytest.raises(SetupError, match="There is no column 3"):
        cast_vote(None, 3, TITLES, 1)
    with pytest.raises(SetupError, match="There is no column 'A'"):
        cast_vote(None, "A", TITLES, 1)


def test_a_blind_vote_or_reveal_with_other_columns_than_the_order_is_refused() -> None:
    with pytest.raises(SetupError, match="differ in number"):
        cast_vote(BlindOrder((1, 0)), "A", TITLES, 1)
    with pytest.raises(SetupError, match="differ in number"):
        BlindOrder((1, 0, 2, 3)).reveal(TITLES)
    with pytest.raises(SetupError, match='There is no column "D"'):
        cast_vote(BlindOrder((1, 0, 2)), "D", TITLES, 1)


def test_a_vote_for_a_title_not_in_the_round_is_refused() -> None:
    with pytest.raises(SetupError, match="not in the round"):
        Vote(1, "Gemma", TITLES)


def test_the_tally_counts_votes_and_rounds_per_title_across_rounds() -> None:
    votes = [
        cast_vote(BlindOrder.shuffled(3, 1), "A", TITLES, 1),
        cast_vote(None, 0, TITLES, 2),
        cast_vote(None, 0, ("Llama", "Mistral"), 3),
        cast_vote(None, 1, ("Mistral", "Gemma"), 4),
    ]
    first = votes[0].winner
    won = {title: 0 for title in ("Llama", "Mistral", "Phi", "Gemma")}
    for vote in votes:
        won[vote.winner] += 1
    rows = {row.title: row for row in tally(votes)}
    assert {t: r.votes for t, r in rows.items()} == won
    assert {t: r.rounds for t, r in rows.items()} == {
        "Llama": 3,
        "Mistral": 4,
        "Phi": 2,
        "Gemma": 1,
    }
    assert first in TITLES


def test_the_tally_orders_by_votes_then_share_then_title() -> None:
    votes = [
        Vote(1, "B", ("A", "B")),
        Vote(2, "B", ("A", "B")),
        Vote(3, "C", ("C", "D")),
        Vote(4, "A", ("A", "D")),
    ]
    assert tally(votes) == (
        TallyRow("B", 2, 2),
        TallyRow("C", 1, 1),
        TallyRow("A", 1, 3),
        TallyRow("D", 0, 2),
    )
    assert [row.share for row in tally(votes)] == [100.0, 100.0, 100 / 3, 0.0]
    assert tally([]) == ()
    assert TallyRow("x", 0, 0).share == 0.0
