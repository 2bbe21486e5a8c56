"""Calendar months: the model's unit of time.

A run steps month by month between two calendar months given by the scenario. ``Month`` is
a small value type that parses and prints ``YYYY-MM`` and does month arithmetic, so no code
has to juggle (year, month) pairs by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, e.g. ``Month(2014, 10)`` for October 2014."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM``; raise ``ValueError`` naming the expected form otherwise."""
        match = _MONTH_PATTERN.match(str(text).strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"expected a month as YYYY-MM (month 01-12), got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def ordinal(self) -> int:
        """Months since year 0: differences of ordinals count months between dates."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_ordinal(cls, ordinal: int) -> Month:
        """Inverse of :attr:`ordinal`."""
        return cls(ordinal // 12, ordinal % 12 + 1)

    def plus(self, months: int) -> Month:
        """The month ``months`` later (or earlier, if negative)."""
        return Month.from_ordinal(self.ordinal + months)

    def months_until(self, other: Month) -> int:
        """Number of monthly steps from this month to ``other`` (negative if earlier)."""
        return other.ordinal - self.ordinal

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


#: The longest run: at most this many years (240 months) from a scenario's start to its last
#: simulated month, whatever sets it (the scenario's ``end``, ``--until``). Two reasons: memory
#: and time grow faster than the horizon, because the firm arrays hold a years × firms table of
#: volume history and entrants add rows every month (Guangzhou over 20 years takes 1.4 GB per
#: worker process against 0.5 GB for its 6 years); and behaviour fitted to a few pre-plan years
#: says little about decades later. The Bass validation limit runs exactly 20 years.
MAX_RUN_YEARS = 20


def check_horizon(start: Month, last: Month, what: str) -> None:
    """Refuse a run from ``start`` to ``last`` that ends before it starts or is too long.

    Raises ``ValueError`` with a sentence naming ``what`` set the last month (``end``,
    ``--until``) and the limit it breaks, for the schema, the command line and the model alike.
    """
    latest = start.plus(12 * MAX_RUN_YEARS - 1)
    if last < start:
        raise ValueError(f"{what} {last} is before the scenario's start ({start})")
    if last > latest:
        raise ValueError(
            f"{what} {last} is past the longest run, {MAX_RUN_YEARS} years from the scenario's "
            f"start ({start}) to {latest}"
        )


def _to_month(value: object) -> Month:
    return value if isinstance(value, Month) else Month.parse(str(value))


#: A ``Month`` field in a pydantic model: accepts ``"YYYY-MM"``, serialises back to it.
MonthField = Annotated[Month, BeforeValidator(_to_month), PlainSerializer(str, return_type=str)]
