"""The standing special fund (专项资金): the money every other instrument draws on."""

from __future__ import annotations

from typing import ClassVar, Literal

from ecomsim.model.calendar import Month
from ecomsim.model.instruments.base import Instrument
from ecomsim.model.ranges import Money


class StandingFund(Instrument):
    """A budget per calendar year, from its start year to its end year.

    Guangzhou's plan puts 5 亿 a year into e-commerce from 2013 for five years (九.2). The
    funder's budget for a year is the sum of the standing funds in force that year; commitments
    beyond it are refused. With ``prorate``, a year the fund covers only in part (a plan
    starting in October) gets the share of the yearly budget its months represent.
    """

    kind: Literal["standing_fund"]
    budget_per_year: Money
    prorate: bool = False

    summary: ClassVar[str] = "yearly budget the other instruments draw on"
    size_fields: ClassVar[tuple[str, ...]] = (*Instrument.size_fields, "budget_per_year")

    def pays_from_fund(self) -> bool:
        """The fund is the budget, not a claim on it."""
        return False

    def budget(self, year: int, plan_start: Month, plan_end: Month) -> float:
        """``budget_per_year`` for every year the fund overlaps (pro rata if asked), else 0."""
        start, end = self.window(plan_start, plan_end)
        if not start.year <= year <= end.year:
            return 0.0
        if not self.prorate:
            return self.budget_per_year
        first = start.month if year == start.year else 1
        last = end.month if year == end.year else 12
        return self.budget_per_year * (last - first + 1) / 12.0
