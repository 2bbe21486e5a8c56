"""Plausible ranges of the numbers a scenario holds: each range defined once, with its reason.

A number outside its range is a typo or a slip of units (yuan for 亿, a count for a share),
never a city: ``1e308`` as a revenue dispersion or as delivery days validates as a float and
runs to nonsense. So every numeric field of the scenario schema and of the instruments has a
range from this module, and a value outside it is refused with the range it breaks::

    dispersion: Dispersion = 0.0
    count: Annotated[int, FIRMS.at_least(1)]

Bounds are generous (an order of magnitude or more beyond anything a city plan declares) and
admit every value of the shipped scenarios, experiment files and calibration search bounds.
Each range's reason is in the comment above it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

from ecomsim.model.calendar import MAX_RUN_YEARS


def number_text(value: float) -> str:
    """A bound as a reader writes it: ``0``, ``0.5``, ``240``, ``1e8``, ``2e9``."""
    mantissa, _, exponent = f"{value:.3g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


@dataclass(frozen=True)
class Range:
    """An interval a number must lie in, usable as ``Annotated[float, RANGE]`` in a model.

    ``low_open`` excludes the lower bound (``> 0`` rather than ``≥ 0``); ``unit`` is named in
    the error message.
    """

    low: float
    high: float
    unit: str = ""
    low_open: bool = False
    high_open: bool = False

    def at_least(self, low: float) -> Range:
        """The same range (upper bound, unit) from ``low`` on, ``low`` included."""
        return replace(self, low=low, low_open=False)

    def above(self, low: float) -> Range:
        """The same range (upper bound, unit) above ``low``, ``low`` excluded."""
        return replace(self, low=low, low_open=True)

    def describe(self) -> str:
        """What is allowed, e.g. ``between 0 and 60 days`` or ``above 0 and at most 1e10``."""
        low, high = number_text(self.low), number_text(self.high)
        unit = f" {self.unit}" if self.unit else ""
        if not self.low_open and not self.high_open:
            return f"between {low} and {high}{unit}"
        lower = f"above {low}" if self.low_open else f"at least {low}"
        upper = f"below {high}" if self.high_open else f"at most {high}"
        return f"{lower} and {upper}{unit}"

    def check(self, value: float) -> float:
        """``value`` if it lies in the range; otherwise a ``ValueError`` naming the range."""
        above_low = value > self.low if self.low_open else value >= self.low
        below_high = value < self.high if self.high_open else value <= self.high
        if not (above_low and below_high):
            raise ValueError(f"must be {self.describe()} (got {value!r})")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """Check the range after pydantic has parsed the number (so types are checked first)."""
        return core_schema.no_info_after_validator_function(self.check, handler(source))


# Shares, probabilities, discounts, coverages and ceilings: parts of a whole.
SHARE = Range(0.0, 1.0)
# Money, in yuan (a year, or once): 1e14 (100 万亿) is several times China's yearly retail
# sales (2.07e13 in 2012, NBS) and its e-commerce volume (8.1e12 in 2012, iResearch), the
# largest sums of the national benchmark `china`; a city's largest shipped sum is 1e12.
MONEY = Range(0.0, 1e14, "yuan")
# Money per unit (a parcel, a buyer, a parcel-day): 1e6 yuan is beyond anything sent by express
# or paid to win one buyer; the shipped values are 0.5 to 1 000.
UNIT_PRICE = Range(0.0, 1e6, "yuan")
# Yearly hazards and rates of the firms' and platforms' events (adoption, abandonment,
# switching, settling, moving in, deepening): 12 a year is one event a month on average (a
# monthly probability of 63 %); decisions faster than monthly are outside a monthly model.
# Calibration searches reach 5.
RATE = Range(0.0, 12.0, "a year")
# Firm entry and exit: a yearly rate of 1 renews the whole population each year, several times
# the churn of any economy (China's new registrations were about a fifth of the stock in 2015),
# and the entrants' rows grow with it.
TURNOVER = Range(0.0, 1.0, "a year")
# Yearly growth: from vanishing (−100 %) to elevenfold (+1 000 %); the fastest growth the plans
# report (Tianjin's e-commerce volume, +164 % in 2013) is far inside.
GROWTH = Range(-1.0, 10.0, "a year")
# Standard deviations of a logarithm (revenue, propensity, history): e^5 ≈ 150, so one sigma
# already spans micro to giant firms; the shipped values are 0.15 to 1.2.
DISPERSION = Range(0.0, 5.0)
# Parcel delivery times and delays: 60 days is slower than any parcel service (China's express
# took about 3 days in the 2010s); the shipped values are 0.1 to 4.
DAYS = Range(0.0, 60.0, "days")
# Counts of firms, sellers, awards and places: 1e8 is more than China's enterprises (about 5e7
# in 2023); the largest shipped city has 1.8e5.
FIRMS = Range(0.0, 1e8)
# Counts of a programme's units (courses, projects, parks, attraction candidates, staff per
# firm, ranks): 1e5 is far beyond any city's programme (the documents plan 1 to 40 a year).
PROGRAMME = Range(0.0, 1e5)
# Buyers of a platform, in persons: 3e9 is more than the world's online shoppers (about 2.7e9
# in 2024) and twice China's population; the largest shipped platform has 3e8.
BUYERS = Range(0.0, 3e9, "persons")
# Parcels a month: 1e10 is all of China's express parcels (about 1.1e10 a month in 2023); the
# largest shipped provider carries 1.6e7.
PARCELS = Range(0.0, 1e10, "parcels a month")
# Multipliers and per-unit effects of one cause on a quantity (a park's peer multiplier,
# congestion's cost and delay per unit of excess load, the surcharge where a network does not
# reach, the drag of a delivery day, a platform's reach, an investment step, the cost of effort):
# ten times is an order-of-magnitude jump from one cause; the shipped values are 0.05 to 1.5.
MULTIPLE = Range(0.0, 10.0)
# Elasticities of a platform's buyers to its sellers: (2)^10 ≈ 1 000, so doubling the sellers
# would multiply the buyers a thousandfold; calibration searches reach 5.
ELASTICITY = Range(0.0, 10.0)
# Economies of scale of a logistics network, cost per parcel ∝ load^(−elasticity): at 1 the
# total cost would no longer grow with the load.
SCALE_ELASTICITY = Range(0.0, 1.0, high_open=True)
# Weights of decisions in utility units (benefit sensitivity, platform-choice weights, taste
# scale): a weight of 100 turns a 5 % gain into a factor e^5 ≈ 150 in the hazard or makes a
# choice certain; the shipped values are 0.3 to 30.
WEIGHT = Range(0.0, 100.0)
# A preference that may favour or disfavour (local platforms for local sellers), in utility.
PREFERENCE = Range(-100.0, 100.0)
# Concentration of the Beta distribution of digital skill: at 1 000 skills lie within ±0.03 of
# their mean, as good as identical (which 0 gives exactly); the shipped value is 6.
CONCENTRATION = Range(0.0, 1000.0)
# How many times more readily firms list with a listing grant: the shipped value is 1.5.
HAZARD_MULTIPLIER = Range(1.0, 100.0)
# Years over which a firm recovers its set-up cost: 50 outlives nearly every firm.
PAYBACK = Range(0.0, 50.0, "years", low_open=True)
# Years of a streak or of a subsidy, and months of a lag or of a wait: a span longer than the
# longest run (model.calendar.MAX_RUN_YEARS) never completes inside one.
YEARS = Range(1.0, MAX_RUN_YEARS, "years")
MONTHS = Range(0.0, 12 * MAX_RUN_YEARS, "months")
# Years of volume history back-cast before the start: each adds a row per firm to the volume
# table; 10 years reaches back before e-commerce of any size in China.
HISTORY_YEARS = Range(0.0, 10.0, "years")
# Calendar years of targets and observations: the model describes China's e-commerce of the
# 2010s; 1990 is before it began, 2100 as far as any plan looks.
YEAR = Range(1990, 2100)
# Any value an outcome, a target or a search bound may take: shares, counts (≤ 1e8), money
# (≤ 1e13 yuan) and growth rates (≥ −1).
VALUE = Range(-1e13, 1e13)
# Weights of calibration observations relative to each other: at 1 000 times another, the
# others no longer count.
RELATIVE_WEIGHT = Range(0.0, 1000.0, low_open=True)
# Replications per calibration evaluation: 1 000 runs for each of dozens of evaluations is
# days of computing.
REPLICATIONS = Range(1.0, 1000.0)

Share = Annotated[float, SHARE]
Money = Annotated[float, MONEY]
UnitPrice = Annotated[float, UNIT_PRICE]
Rate = Annotated[float, RATE]
Turnover = Annotated[float, TURNOVER]
Growth = Annotated[float, GROWTH]
Dispersion = Annotated[float, DISPERSION]
Days = Annotated[float, DAYS]
Multiple = Annotated[float, MULTIPLE]
Weight = Annotated[float, WEIGHT]
Parcels = Annotated[float, PARCELS]
FirmCount = Annotated[int, FIRMS]
ProgrammeCount = Annotated[int, PROGRAMME]
Years = Annotated[int, YEARS]
Months = Annotated[int, MONTHS]
CalendarYear = Annotated[int, YEAR]
Value = Annotated[float, VALUE]
