"""The scenario schema: what a scenario file may contain, its types, ranges and meaning.

A scenario is one TOML file with these tables (see ``demo.toml`` for every one in use)::

    [scenario]      name, description, start, end (YYYY-MM)
    [economy]       city-level series (retail sales of consumer goods)
    [firms]         the firm population: counts, shares, revenue, skill, entry and exit
    [sectors.NAME]  per-sector parameters (online ceilings, margins, parcels, …)
    [adoption]      behavioural parameters of firms' decisions
    [platforms.NAME], [logistics.NAME]   the market's platforms and logistics providers
    [funder]        the government funder's rules (non-stacking, carry-over)
    [instruments.NAME]   the policy portfolio; ``kind`` picks the instrument class
    [targets.NAME]  the document's targets, scored against simulated plan-end values
    [calibration]   behavioural parameters to fit, and the pre-plan figures to fit them to

Units: money in yuan, rates per year, shares in [0, 1], parcels per month, buyers in persons.
A field left out switches its mechanism off (zero effect, neutral multiplier); no default makes
a behavioural claim, so every number that matters is written, with its source, in the file.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field, PositiveInt, model_validator

from ecomsim.agents.firms import Sector, SizeClass
from ecomsim.model.calendar import Month, MonthField, check_horizon
from ecomsim.model.instruments import InstrumentSpec
from ecomsim.model.instruments.attraction import HeadquartersAttraction, PlatformAttraction
from ecomsim.model.instruments.base import RevenueDraw, Strict
from ecomsim.model.instruments.logistics import LogisticsInvestment
from ecomsim.model.outcomes import OUTCOMES

SHARE = {"ge": 0.0, "le": 1.0}
NONNEG = {"ge": 0.0}


def _check_shares(shares: dict[str, float], what: str) -> None:
    total = sum(shares.values())
    if shares and abs(total - 1.0) > 1e-6:
        raise ValueError(f"{what} must add up to 1 (they add up to {total:.6g})")
    if not shares or total <= 0:
        raise ValueError(f"{what} need at least one positive share")


class ScenarioInfo(Strict):
    """Name, one-line description, the first simulated month and the plan period.

    ``start`` is the month the firm population and market describe (the initial conditions).
    The plan's instruments act from ``plan_start`` (default: ``start``) to ``end``; the months
    before ``plan_start`` are simulated without policy, so a run shows the pre-plan years the
    calibration fits, and the plan years after them.
    """

    name: str
    description: str
    document: str = ""  # the policy document the scenario encodes
    start: MonthField
    plan_start: MonthField | None = None
    end: MonthField

    @model_validator(mode="after")
    def _in_order(self) -> ScenarioInfo:
        if self.plan_start is not None and self.plan_start < self.start:
            raise ValueError(f"plan_start ({self.plan_start}) is before start ({self.start})")
        if self.end < self.policy_start:
            raise ValueError(f"end ({self.end}) is before the plan starts ({self.policy_start})")
        check_horizon(self.start, self.end, "end")
        return self

    @property
    def policy_start(self) -> Month:
        """First month of the plan period (when instruments start acting)."""
        return self.plan_start or self.start


class Economy(Strict):
    """City-level series that are not made by firms' decisions."""

    retail_sales: float = Field(default=0.0, **NONNEG)  # yuan, the start year's total
    retail_sales_growth: float = Field(default=0.0, ge=-1.0)  # per year


class History(Strict):
    """Pre-start growth of initial adopters' online volume, used to back-cast their history."""

    years: int = Field(default=0, ge=0, le=10)
    growth: float = Field(default=0.0, ge=-0.9)
    dispersion: float = Field(default=0.0, **NONNEG)


class Listing(Strict):
    """Stock listing of large online firms: yearly hazard above a volume threshold."""

    rate: float = Field(default=0.0, **NONNEG)
    min_annual_volume: float = Field(default=0.0, **NONNEG)


class Firms(Strict):
    """The city's firm population at the start, and its entry and exit."""

    count: PositiveInt
    size_shares: dict[SizeClass, float]
    sector_shares: dict[Sector, float]
    revenue: dict[SizeClass, RevenueDraw] = Field(default_factory=dict)
    skill_mean: dict[SizeClass, float] = Field(default_factory=dict)
    skill_concentration: float = Field(default=0.0, **NONNEG)
    initial_adoption: dict[SizeClass, float] = Field(default_factory=dict)
    initial_depth: float = Field(default=0.0, **SHARE)
    park_share: float = Field(default=0.0, **SHARE)
    local_share: float = Field(default=1.0, **SHARE)
    entry_rate: float = Field(default=0.0, **NONNEG)
    exit_rate: float = Field(default=0.0, **NONNEG)
    revenue_volatility: float = Field(default=0.0, **NONNEG)
    history: History = History()
    listing: Listing = Listing()

    @model_validator(mode="after")
    def _valid_shares(self) -> Firms:
        _check_shares(self.size_shares, "firms.size_shares")
        _check_shares(self.sector_shares, "firms.sector_shares")
        for table in ("size_shares", "sector_shares", "skill_mean", "initial_adoption"):
            for key, value in getattr(self, table).items():
                if not 0.0 <= value <= 1.0:
                    raise ValueError(f"{table}.{key} must be between 0 and 1 (got {value})")
        return self

    def revenue_of(self, size_class: SizeClass) -> RevenueDraw:
        """Revenue distribution of a size class (zero revenue if the file gives none)."""
        return self.revenue.get(size_class, RevenueDraw(median=0.0))


class SectorParams(Strict):
    """What going online means in one sector."""

    online_sales_ceiling: float = Field(default=0.0, **SHARE)
    online_purchase_ceiling: float = Field(default=0.0, **SHARE)
    purchase_share: float = Field(default=0.0, **SHARE)  # inputs bought per yuan of revenue
    retail_fraction: float = Field(default=0.0, **SHARE)  # online sales that go to consumers
    parcel_value: float = Field(default=0.0, **NONNEG)  # yuan of retail sales per parcel
    margin: float = Field(default=0.0, **SHARE)
    revenue_growth: float = Field(default=0.0, ge=-1.0)
    rural_share: float = Field(default=0.0, **SHARE)
    above_scale_revenue: float | None = Field(default=None, **NONNEG)

    @model_validator(mode="after")
    def _parcels_need_value(self) -> SectorParams:
        if self.retail_fraction > 0 and self.parcel_value == 0:
            raise ValueError("retail_fraction > 0 needs a parcel_value (yuan per parcel) > 0")
        return self


class PeerWeights(Strict):
    """How a firm's peers are weighted: the whole market, its sector, its cluster."""

    market: float = Field(default=1.0, **SHARE)
    sector: float = Field(default=0.0, **SHARE)
    cluster: float = Field(default=0.0, **SHARE)

    @model_validator(mode="after")
    def _add_to_one(self) -> PeerWeights:
        total = self.market + self.sector + self.cluster
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"peer weights must add up to 1 (they add up to {total:.6g})")
        return self


class PlatformChoice(Strict):
    """Weights of a seller's platform choice.

    A random-utility choice: each firm has a persistent taste for each platform (Gumbel, scaled
    by ``taste_scale``), so a firm that re-chooses moves only when platform terms change.
    """

    buyers_weight: float = Field(default=0.0, **NONNEG)
    commission_weight: float = Field(default=0.0, **NONNEG)
    local_preference: float = 0.0
    taste_scale: float = Field(default=0.0, **NONNEG)


class ParkEffects(Strict):
    """Agglomeration effects enjoyed by firms in a park or cluster."""

    setup_discount: float = Field(default=0.0, **SHARE)
    delivery_discount: float = Field(default=0.0, **SHARE)
    peer_multiplier: float = Field(default=1.0, **NONNEG)


class Adoption(Strict):
    """Behavioural parameters of firms: none comes from a policy document (calibrate them)."""

    innovation: float = Field(**NONNEG)  # p, per year
    imitation: float = Field(**NONNEG)  # q, per year
    benefit_sensitivity: float = Field(default=0.0, **NONNEG)
    propensity_dispersion: float = Field(default=0.0, **NONNEG)
    peer_weights: PeerWeights = PeerWeights()
    payback_years: float = Field(default=1.0, gt=0)
    setup_cost: dict[SizeClass, float] = Field(default_factory=dict)
    skill_cost_discount: float = Field(default=0.0, **SHARE)
    reach_gain: float = Field(default=0.0, **NONNEG)
    channel_saving: float = Field(default=0.0, **SHARE)
    purchase_saving: float = Field(default=0.0, **SHARE)
    delivery_time_cost: float = Field(default=0.0, **NONNEG)  # yuan per parcel per day
    deepening_rate: float = Field(default=0.0, **NONNEG)
    delivery_delay_drag: float = Field(default=0.0, **NONNEG)  # per day of delivery
    abandonment_rate: float = Field(default=0.0, **NONNEG)
    switch_rate: float = Field(default=0.0, **NONNEG)
    platform_choice: PlatformChoice = PlatformChoice()
    park: ParkEffects = ParkEffects()

    @model_validator(mode="after")
    def _money_not_negative(self) -> Adoption:
        for size, cost in self.setup_cost.items():
            if cost < 0:
                raise ValueError(f"setup_cost.{size} must be ≥ 0 yuan (got {cost})")
        return self


PlatformKind = Literal["b2c", "b2b", "bulk_exchange", "cross_border"]

#: Sectors a platform kind serves unless the file lists them (``serves``).
DEFAULT_SERVES: dict[str, tuple[Sector, ...]] = {
    "b2c": ("manufacturing", "trade", "agriculture", "services"),
    "b2b": ("manufacturing", "trade"),
    "bulk_exchange": ("bulk_commodities",),
    "cross_border": ("manufacturing", "trade"),
}


class PlatformSpec(Strict):
    """An e-commerce platform, local or external (see ``agents/platform.py``)."""

    kind: PlatformKind
    local: bool = False
    settled: bool = False  # its volume is booked in the city (always true for a local one)
    commission: float = Field(**SHARE)
    buyers: float = Field(**NONNEG)  # persons, at the start
    buyer_growth: float = Field(default=0.0, ge=-1.0)  # exogenous trend, per year
    network_elasticity: float = Field(default=0.0, **NONNEG)
    external_sellers: float = Field(default=0.0, **NONNEG)
    reference_sellers: float | None = Field(default=None, gt=0)
    adjustment_rate: float = Field(default=1.0, **SHARE)  # share of the buyer gap closed a month
    external_volume: float = Field(default=0.0, **NONNEG)  # yuan a year from outside sellers
    buyer_acquisition_cost: float | None = Field(default=None, gt=0)  # yuan per buyer
    settlement_rate: float = Field(default=0.0, **NONNEG)  # yearly hazard of settling anyway
    serves: list[Sector] | None = None

    @model_validator(mode="after")
    def _network_needs_reference(self) -> PlatformSpec:
        if self.network_elasticity > 0 and self.reference_sellers is None:
            raise ValueError("network_elasticity > 0 needs reference_sellers")
        return self

    def sectors_served(self) -> tuple[Sector, ...]:
        """Sectors whose firms can sell on this platform."""
        return tuple(self.serves) if self.serves is not None else DEFAULT_SERVES[self.kind]


class LogisticsSpec(Strict):
    """An express/logistics provider (see ``agents/logistics.py``)."""

    capacity: float = Field(gt=0)  # parcels a month
    cost_per_parcel: float = Field(**NONNEG)
    reference_parcels: float | None = Field(default=None, gt=0)
    scale_elasticity: float = Field(default=0.0, ge=0.0, lt=1.0)
    congestion_threshold: float = Field(default=1.0, **SHARE)
    congestion_cost: float = Field(default=0.0, **NONNEG)
    congestion_delay: float = Field(default=0.0, **NONNEG)
    delivery_days: float = Field(default=0.0, **NONNEG)
    urban_coverage: float = Field(default=1.0, **SHARE)
    rural_coverage: float = Field(default=1.0, **SHARE)
    uncovered_surcharge: float = Field(default=0.0, **NONNEG)
    uncovered_extra_days: float = Field(default=0.0, **NONNEG)
    invest_threshold: float = Field(default=1.0, **SHARE)
    invest_after_months: int = Field(default=1, ge=1)
    invest_step: float = Field(default=0.0, **NONNEG)  # capacity grows by this share

    @model_validator(mode="after")
    def _scale_needs_reference(self) -> LogisticsSpec:
        if self.scale_elasticity > 0 and self.reference_parcels is None:
            raise ValueError("scale_elasticity > 0 needs reference_parcels")
        return self


class FunderSpec(Strict):
    """The government funder's standing rules."""

    name: str = "government"
    non_stacking: bool = False
    carry_over: bool = False


COMPARISONS = {"above": ">", "at_least": "≥", "below": "<", "at_most": "≤"}


class TargetSpec(Strict):
    """One target the plan's document sets, scored on the simulated plan-end values.

    Give exactly one of ``above``, ``at_least``, ``below``, ``at_most``, as the document words
    it: 超过 is ``above``; 达到, 不低于 and 以上 (which includes its bound) are ``at_least``.
    ``measure = "growth"`` scores the outcome's growth over the previous year instead of its
    level. A target the model cannot speak to is
    kept with ``not_modelled`` saying why, so the table shows every target of the document.
    """

    description: str = ""
    outcome: str | None = None
    year: int = Field(ge=1990, le=2100)
    measure: Literal["level", "growth"] = "level"
    above: float | None = None
    at_least: float | None = None
    below: float | None = None
    at_most: float | None = None
    not_modelled: str | None = None

    @model_validator(mode="after")
    def _scorable(self) -> TargetSpec:
        given = [name for name in COMPARISONS if getattr(self, name) is not None]
        if self.not_modelled is not None:
            return self
        if self.outcome not in OUTCOMES:
            raise ValueError(
                f"outcome {self.outcome!r} is not a yearly outcome; choose one of "
                f"{', '.join(OUTCOMES)} (or say why it is not_modelled)"
            )
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(COMPARISONS)} (got {len(given)})")
        return self

    @property
    def comparison(self) -> tuple[str, float]:
        """The comparison sign and threshold, e.g. ``(">", 1e12)``."""
        name = next(n for n in COMPARISONS if getattr(self, n) is not None)
        return COMPARISONS[name], getattr(self, name)

    def met(self, values: np.ndarray) -> np.ndarray:
        """Whether each value meets the target (NaN never does)."""
        return meets(values, *self.comparison)


def meets(values: np.ndarray, sign: str, threshold: float) -> np.ndarray:
    """Whether each value satisfies ``value <sign> threshold`` (NaN never does)."""
    with np.errstate(invalid="ignore"):
        return {
            ">": values > threshold,
            "≥": values >= threshold,
            "<": values < threshold,
            "≤": values <= threshold,
        }[sign]


class CalibrationParameter(Strict):
    """A behavioural parameter ``ecomsim calibrate`` fits, by dotted path, within bounds."""

    path: str
    low: float
    high: float
    log: bool = False  # search on a log scale (for rates spanning orders of magnitude)

    @model_validator(mode="after")
    def _bounds(self) -> CalibrationParameter:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError("a log-scale search needs low > 0")
        return self

    def _scaled(self, value: float) -> float:
        return math.log(value) if self.log else value

    def from_unit(self, unit: float) -> float:
        """The value at position ``unit`` ∈ [0, 1] of the search range."""
        low, high = self._scaled(self.low), self._scaled(self.high)
        value = low + unit * (high - low)
        return math.exp(value) if self.log else value

    def to_unit(self, value: float) -> float:
        """Position of ``value`` in the search range, clipped to [0, 1]."""
        low, high = self._scaled(self.low), self._scaled(self.high)
        clipped = min(max(value, self.low), self.high)
        return (self._scaled(clipped) - low) / (high - low)


class Observation(Strict):
    """A pre-plan public figure the model must reproduce: a yearly outcome in one year."""

    description: str = ""
    outcome: str
    year: int = Field(ge=1990, le=2100)
    value: float = Field(gt=0)
    weight: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _known_outcome(self) -> Observation:
        if self.outcome not in OUTCOMES:
            raise ValueError(
                f"outcome {self.outcome!r} is not a yearly outcome; choose one of "
                f"{', '.join(OUTCOMES)}"
            )
        return self


class Calibration(Strict):
    """What ``ecomsim calibrate`` fits (``parameters``) to what (``observed``).

    Observations must fall in whole years simulated before the plan starts: the plan years
    are kept for out-of-sample validation.
    """

    replications: int = Field(default=4, ge=1)
    parameters: dict[str, CalibrationParameter]
    observed: dict[str, Observation]


class Scenario(Strict):
    """A complete, validated scenario."""

    scenario: ScenarioInfo
    economy: Economy = Economy()
    firms: Firms
    sectors: dict[Sector, SectorParams] = Field(default_factory=dict)
    adoption: Adoption
    platforms: dict[str, PlatformSpec] = Field(default_factory=dict)
    logistics: dict[str, LogisticsSpec] = Field(default_factory=dict)
    funder: FunderSpec = FunderSpec()
    instruments: dict[str, InstrumentSpec] = Field(default_factory=dict)
    targets: dict[str, TargetSpec] = Field(default_factory=dict)
    calibration: Calibration | None = None

    @model_validator(mode="after")
    def _fund_exists_if_needed(self) -> Scenario:
        paying = [n for n, i in self.instruments.items() if i.pays_from_fund()]
        has_fund = any(i.kind == "standing_fund" for i in self.instruments.values())
        if paying and not has_fund:
            raise ValueError(
                f"instruments {', '.join(paying)} pay from the fund, so the "
                "portfolio needs a standing_fund instrument giving its budget"
            )
        return self

    @model_validator(mode="after")
    def _references_exist(self) -> Scenario:
        for name, inst in self.instruments.items():
            if isinstance(inst, PlatformAttraction) and inst.platforms is not None:
                missing = sorted(set(inst.platforms) - set(self.platforms))
                if missing:
                    raise ValueError(
                        f"instruments.{name}.platforms: no platform named "
                        f"{', '.join(missing)} (have: {', '.join(self.platforms)})"
                    )
            if (
                isinstance(inst, LogisticsInvestment)
                and inst.provider is not None
                and inst.provider not in self.logistics
            ):
                raise ValueError(
                    f"instruments.{name}.provider: no logistics provider named "
                    f"{inst.provider!r} (have: {', '.join(self.logistics)})"
                )
        return self

    @model_validator(mode="after")
    def _calibrate_before_the_plan(self) -> Scenario:
        if self.calibration is None:
            return self
        info = self.scenario
        for name, seen in self.calibration.observed.items():
            if not info.start.year <= seen.year or Month(seen.year, 12) >= info.policy_start:
                raise ValueError(
                    f"calibration.observed.{name}.year: {seen.year} must be a whole year "
                    f"simulated before the plan starts ({info.start} to {info.policy_start}); "
                    "plan years are kept for validation"
                )
            if seen.year == info.start.year and info.start.month != 1:
                raise ValueError(
                    f"calibration.observed.{name}.year: {seen.year} is not fully simulated "
                    f"(the run starts {info.start})"
                )
        return self

    def sector(self, name: Sector) -> SectorParams:
        """Parameters of a sector (neutral defaults if the file does not describe it)."""
        return self.sectors.get(name, SectorParams())

    def relocation_candidates(self) -> list[HeadquartersAttraction]:
        """HQ-attraction instruments, in file order: each adds dormant candidate firms."""
        return [i for i in self.instruments.values() if isinstance(i, HeadquartersAttraction)]

    def relocation_group(self, name: str) -> int:
        """Index of HQ-attraction instrument ``name`` among ``relocation_candidates()``."""
        names = [n for n, i in self.instruments.items() if isinstance(i, HeadquartersAttraction)]
        return names.index(name)
