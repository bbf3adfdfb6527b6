"""Blind comparison: columns shown under letters in a seeded random order, votes, a tally.

    order = BlindOrder.shuffled(3, seed)       # the audience sees A, B, C
    order.column("B")                          # which column B is, for the reveal
    votes.append(cast_vote(order, "B", setup.titles(), round_number=1))
    rows = tally(votes)                        # per column title: votes, rounds, share

The seed makes a round reproducible (the page keeps it to reveal the same order it showed).
A shuffle may leave the columns where they were: forbidding that would itself give a hint.
Votes are counted per column title (`CompareSetup.titles()`: the endpoint's label in models
mode), so a tally spans rounds whose column order differs.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .compare import MAX_COLUMNS, MIN_COLUMNS, SetupError

LETTERS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class BlindOrder:
    """`order[k]` is the index of the column shown under `LETTERS[k]`."""

    order: tuple[int, ...]

    def __post_init__(self) -> None:
        if sorted(self.order) != list(range(len(self.order))):
            raise SetupError(f"A blind order must list each column once, not {self.order}.")
        if not MIN_COLUMNS <= len(self.order) <= MAX_COLUMNS:
            raise SetupError(f"Blind mode needs {MIN_COLUMNS} to {MAX_COLUMNS} columns.")

    @classmethod
    def shuffled(cls, columns: int, seed: int) -> BlindOrder:
        """A random order of `columns` columns, the same for the same seed."""
        order = list(range(columns))
        random.Random(seed).shuffle(order)
        return cls(tuple(order))

    @property
    def letters(self) -> tuple[str, ...]:
        """The letters shown, in order: ("A", "B", ...)."""
        return LETTERS[: len(self.order)]

    def column(self, letter: str) -> int:
        """The column shown under `letter` (the reveal)."""
        if letter not in self.letters:
            raise SetupError(f'There is no column "{letter}": choose one of {self.letters}.')
        return self.order[self.letters.index(letter)]

    def letter(self, column: int) -> str:
        """The letter column `column` is shown under."""
        return self.letters[self.order.index(column)]

    def reveal(self, titles: Sequence[str]) -> tuple[tuple[str, str], ...]:
        """(letter, column title) for each letter, in letter order."""
        if len(titles) != len(self.order):
            raise SetupError("The blind order and the columns differ in number: start a new round.")
        return tuple((letter, titles[self.column(letter)]) for letter in self.letters)


@dataclass(frozen=True)
class Vote:
    """One round's vote: the title voted for, every title in the round, and the letter it
    was shown under ("" when the round was not blind)."""

    round_number: int
    winner: str
    shown: tuple[str, ...]
    letter: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "shown", tuple(self.shown))
        if self.winner not in self.shown:
            raise SetupError(f'The vote is for "{self.winner}", which was not in the round.')


def cast_vote(
    order: BlindOrder | None, choice: str | int, titles: Sequence[str], round_number: int
) -> Vote:
    """The vote for `choice`: a letter in a blind round (`order` given), else a column index."""
    if order is not None:
        letter = str(choice)
        winner = dict(order.reveal(titles)).get(letter)
        if winner is None:
            raise SetupError(f'There is no column "{letter}": choose one of {order.letters}.')
        return Vote(round_number, winner, tuple(titles), letter)
    if not isinstance(choice, int) or not 0 <= choice < len(titles):
        raise SetupError(f"There is no column {choice!r} to vote for.")
    return Vote(round_number, titles[choice], tuple(titles))


@dataclass(frozen=True)
class TallyRow:
    """One column title across the session: rounds it took part in and votes it won."""

    title: str
    votes: int
    rounds: int

    @property
    def share(self) -> float:
        """Votes won per round taken part in, in percent (0 before any round)."""
        return 100.0 * self.votes / self.rounds if self.rounds else 0.0


def tally(votes: Iterable[Vote]) -> tuple[TallyRow, ...]:
    """Per title: votes and rounds, most votes first (then best share, then by title)."""
    won: dict[str, int] = {}
    rounds: dict[str, int] = {}
    for vote in votes:
        for title in set(vote.shown):
            rounds[title] = rounds.get(title, 0) + 1
        won[vote.winner] = won.get(vote.winner, 0) + 1
    rows = [TallyRow(title, won.get(title, 0), count) for title, count in rounds.items()]
    return tuple(sorted(rows, key=lambda r: (-r.votes, -r.share, r.title)))


__all__ = ["LETTERS", "BlindOrder", "TallyRow", "Vote", "cast_vote", "tally"]
