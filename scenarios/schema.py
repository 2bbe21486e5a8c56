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

A *policy design* file holds only the policy part — ``[scenario]`` (name, description,
document), ``[design]`` (the size of economy its programmes are written for), ``[funder]`` and
``[instruments.NAME]`` — and is validated as ``PolicyDesign``; it has no economy to run, and
serves as a policy design of the transplant (``Scenario.design()`` is the same part of a full
scenario).

Units: money in yuan, rates per year, shares in [0, 1], parcels per month, buyers in persons.
Every number must be finite and within its field's plausible range (``model/ranges.py``, where
each range is defined once with its reason).
A field left out switches its mechanism off (zero effect, neutral multiplier); no default makes
a behavioural claim, so every number that matters is written, with its source, in the file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from ecomsim.agents.firms import SIZE_CLASSES, Sector, SizeClass
from ecomsim.model.calendar import Month, MonthField, check_horizon
from ecomsim.model.instruments import InstrumentSpec
from ecomsim.model.instruments.attraction import HeadquartersAttraction, PlatformAttraction
from ecomsim.model.instruments.base import RevenueDraw, Strict
from ecomsim.model.instruments.logistics import LogisticsInvestment
from ecomsim.model.outcomes import (
    OUTCOME_FAMILIES,
    OUTCOMES,
    PARAMETERS,
    DeclaredOutcome,
    Outcome,
)
from ecomsim.model.ranges import (
    BUYERS,
    CONCENTRATION,
    ELASTICITY,
    FIRMS,
    GROWTH,
    HISTORY_YEARS,
    MONEY,
    MONTHS,
    PARCELS,
    PAYBACK,
    PREFERENCE,
    RELATIVE_WEIGHT,
    REPLICATIONS,
    SCALE_ELASTICITY,
    SHARE,
    UNIT_PRICE,
    VALUE,
    CalendarYear,
    Days,
    Dispersion,
    FirmCount,
    Growth,
    Money,
    Multiple,
    Rate,
    Share,
    Turnover,
    UnitPrice,
    Value,
    Weight,
)


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

    A benchmark (``plan = false``, the ``china`` scenario) has no plan and no instruments: every
    month from ``start`` to ``end`` is pre-plan, so every figure up to ``end`` may feed it, and
    ``--until`` runs it on past ``end`` as a projection.
    """

    name: str
    description: str
    document: str = ""  # the policy document the scenario encodes
    start: MonthField
    plan_start: MonthField | None = None
    end: MonthField
    plan: bool = True  # false: a benchmark with no plan (no instruments, no plan start)
    #: Fraction of the sellers simulated when a command is given no ``--scale``: a weighted
    #: sample keeps a national economy (tens of millions of sellers) quick to run.
    sample: Annotated[float, SHARE.above(0)] = 1.0

    @model_validator(mode="after")
    def _in_order(self) -> ScenarioInfo:
        if not self.plan and self.plan_start is not None:
            raise ValueError("plan_start is given, but plan = false says there is no plan")
        if self.plan_start is not None and self.plan_start < self.start:
            raise ValueError(f"plan_start ({self.plan_start}) is before start ({self.start})")
        if self.end < self.policy_start and self.plan:
            raise ValueError(f"end ({self.end}) is before the plan starts ({self.policy_start})")
        check_horizon(self.start, self.end, "end")
        return self

    @property
    def policy_start(self) -> Month:
        """First month of the plan period (when instruments start acting).

        A benchmark's plan never starts within it: its policy start is the month after ``end``.
        """
        if not self.plan:
            return self.end.plus(1)
        return self.plan_start or self.start

    def scale_for(self, requested: float | None) -> float:
        """The fraction of sellers a run simulates: ``requested`` (``--scale``) or ``sample``."""
        return self.sample if requested is None else requested

    def known_before_plan(self, year: int) -> bool:
        """Whether a figure for calendar ``year`` was known before the plan started.

        Only such figures may feed a scenario (calibration, exogenous series): the plan years
        are kept for out-of-sample validation.
        """
        return Month(year, 12) < self.policy_start


class OnlineShoppers(Strict):
    """The country's online shoppers (网络购物用户, persons at each year's end): the buyers.

    A city's sellers sell to buyers everywhere, so the national series drives the buyer side of
    platforms that follow it (``platforms.NAME.buyer_trend``) and the demand household sellers
    face (``households.KIND.demand_elasticity``). Between year ends the series is interpolated
    log-linearly; before its first year it goes back at its first year's growth; after its last
    year (never past the plan's start) it goes on along a logistic curve toward ``ceiling``,
    starting with the last observed yearly growth and slowing as shoppers approach the ceiling.
    """

    end_of_year: dict[CalendarYear, Annotated[float, BUYERS]]  # persons
    ceiling: Annotated[float, BUYERS.above(0)]  # the most online shoppers the country could have

    @model_validator(mode="after")
    def _valid(self) -> OnlineShoppers:
        years = sorted(self.end_of_year)
        if len(years) < 2:
            raise ValueError("end_of_year needs at least two years (to know the growth)")
        if years != list(range(years[0], years[-1] + 1)):
            raise ValueError(f"end_of_year needs consecutive years (got {years})")
        values = [self.end_of_year[y] for y in years]
        if min(values) <= 0:
            raise ValueError("end_of_year counts must be > 0 persons")
        if max(values) >= self.ceiling:
            raise ValueError(f"ceiling ({self.ceiling:.4g}) must be above every count")
        return self

    def at(self, time: float) -> float:
        """Online shoppers at ``time`` in years (2012.0 is the end of 2011), persons."""
        years = sorted(self.end_of_year)
        # Year end y is time y + 1.
        times = np.array(years, dtype=float) + 1.0
        logs = np.log([self.end_of_year[y] for y in years])
        if time <= times[-1]:
            if time <= times[0]:
                slope = logs[1] - logs[0]
                return float(np.exp(logs[0] + slope * (time - times[0])))
            return float(np.exp(np.interp(time, times, logs)))
        last, before = np.exp(logs[-1]), np.exp(logs[-2])
        growth = math.log(last / before)  # continuous yearly rate of the last year
        rate = growth / (1.0 - last / self.ceiling)  # logistic r matching that growth
        odds = last / (self.ceiling - last) * math.exp(rate * (time - times[-1]))
        return float(self.ceiling * odds / (1.0 + odds))

    def last_year(self) -> int:
        """The last year the series observes."""
        return max(self.end_of_year)


class OtherExpress(Strict):
    """Express items that are not e-commerce parcels (documents, contracts, business samples).

    An exogenous series: ``items_per_month`` at the start, growing ``growth`` a year. It is
    separate from the sellers' parcels because it grew more slowly: nationally online shopping
    rose from about 2600 亿 to 1.85 万亿 yuan between 2009 and 2013 while express items rose from
    18.6 亿 to 92 亿, and by 2013 e-commerce was over 60 % of express (PREPLAN_STATS A1, A3, A8).
    """

    items_per_month: Annotated[float, PARCELS] = 0.0  # at the start
    growth: Growth = 0.0  # a year

    def at(self, years: float) -> float:
        """Items in a month ``years`` after the start."""
        return self.items_per_month * (1.0 + self.growth) ** years


class Economy(Strict):
    """City-level series that are not made by firms' decisions."""

    retail_sales: Money = 0.0  # the start year's total
    retail_sales_growth: Growth = 0.0
    other_express: OtherExpress = Field(default_factory=lambda: OtherExpress())
    online_shoppers: OnlineShoppers | None = None

    def express_items(self, ecommerce_parcels: float, years: float) -> float:
        """Express items collected in a month, given the e-commerce parcels sellers sent.

        The ``parcels`` outcome counts every express item, as 快递业务量 does: the sellers'
        e-commerce parcels plus the express that is not e-commerce (``other_express``).
        """
        return ecommerce_parcels + self.other_express.at(years)


class History(Strict):
    """Pre-start growth of initial adopters' online volume, used to back-cast their history."""

    years: Annotated[int, HISTORY_YEARS] = 0
    growth: Annotated[float, GROWTH.at_least(-0.9)] = 0.0  # back-casting divides by 1 + growth
    dispersion: Dispersion = 0.0


class Listing(Strict):
    """Stock listing of large online firms: yearly hazard above a volume threshold."""

    rate: Rate = 0.0
    min_annual_volume: Money = 0.0


class Firms(Strict):
    """The city's firm population at the start, and its entry and exit."""

    count: Annotated[int, FIRMS.at_least(1)]
    size_shares: dict[SizeClass, Share]
    sector_shares: dict[Sector, Share]
    revenue: dict[SizeClass, RevenueDraw] = Field(default_factory=dict)
    skill_mean: dict[SizeClass, Share] = Field(default_factory=dict)
    skill_concentration: Annotated[float, CONCENTRATION] = 0.0
    initial_adoption: dict[SizeClass, Share] = Field(default_factory=dict)
    initial_depth: Share = 0.0
    park_share: Share = 0.0
    local_share: Share = 1.0
    entry_rate: Turnover = 0.0
    exit_rate: Turnover = 0.0
    revenue_volatility: Dispersion = 0.0  # of log revenue, per square root of a year
    history: History = History()
    listing: Listing = Listing()

    @model_validator(mode="after")
    def _valid_shares(self) -> Firms:
        _check_shares(self.size_shares, "firms.size_shares")
        _check_shares(self.sector_shares, "firms.sector_shares")
        return self

    def revenue_of(self, size_class: SizeClass) -> RevenueDraw:
        """Revenue distribution of a size class (zero revenue if the file gives none)."""
        return self.revenue.get(size_class, RevenueDraw(median=0.0))


class HouseholdPeers(Strict):
    """How a household seller's peers are weighted: all sellers of its kind, or its cluster."""

    market: Share = 1.0
    cluster: Share = 0.0

    @model_validator(mode="after")
    def _add_to_one(self) -> HouseholdPeers:
        total = self.market + self.cluster
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"peer weights must add up to 1 (they add up to {total:.6g})")
        return self


class HouseholdKind(Strict):
    """One kind of household seller: its population, its business and how it goes online.

    Rows of this kind are sellers in the same firm arrays as enterprises (one row per seller,
    stepped by the same kernel), with their own counts, revenue, skill, set-up cost and
    behaviour. ``revenue`` is the yearly sales of the household business (for people with no
    business: the yearly sales an online shop of theirs could reach). What they sell online
    reaches ``online_sales_ceiling`` of it, goes to consumers in ``retail_fraction`` and travels
    in parcels of ``parcel_value`` yuan; it may have a margin of its own; everything else
    (purchases, growth, which platforms serve it) is its sector's.
    """

    count: FirmCount = 0
    sector_shares: dict[Sector, Share] = Field(default_factory=lambda: {"trade": 1.0})
    revenue: RevenueDraw = RevenueDraw(median=0.0)
    skill_mean: Share = 0.0
    skill_concentration: Annotated[float, CONCENTRATION] = 0.0
    initial_adoption: Share = 0.0
    initial_depth: Share = 0.0
    setup_cost: Money = 0.0  # one-off
    online_sales_ceiling: Share = 0.0
    purchases_online: bool = True  # buys its inputs online like an enterprise of its sector
    retail_fraction: Share = 0.0
    parcel_value: UnitPrice = 0.0  # retail sales per parcel
    margin: Share | None = None  # on online sales; None: the sector's
    #: Share of its online sales that is new business rather than sales moved from its shop
    #: (1 for a person with no business: all its online sales are new).
    new_business: Share = 0.0
    #: Revenue grows by this multiple of the yearly growth of the country's online shoppers
    #: (``economy.online_shoppers``), on top of its sector's growth: a shop's demand comes
    #: from buyers everywhere.
    demand_elasticity: Annotated[float, ELASTICITY] = 0.0
    rural_share: Share = 0.0
    clustered_share: Share = 0.0  # share living in a seller cluster
    innovation: Rate = 0.0  # p, per year
    imitation: Rate = 0.0  # q, per year
    peer_weights: HouseholdPeers = HouseholdPeers()
    abandonment_rate: Rate = 0.0
    entry_rate: Turnover = 0.0
    exit_rate: Turnover = 0.0

    @model_validator(mode="after")
    def _valid(self) -> HouseholdKind:
        _check_shares(self.sector_shares, "sector_shares")
        if self.retail_fraction > 0 and self.parcel_value == 0:
            raise ValueError("retail_fraction > 0 needs a parcel_value (yuan per parcel) > 0")
        return self


class SellerClusters(Strict):
    """Villages and market clusters: the peer groups of clustered household sellers.

    ``count`` clusters share the clustered households; their sizes are uneven (a lognormal
    with sigma ``size_dispersion``), so that a few large clusters can tip into Taobao villages
    while most stay small.

    ``village_shops`` and ``village_annual_sales`` are the statistic's definition of a Taobao
    village, which the ``taobao_villages`` indicator counts: 阿里研究院's 2013 criteria,
    at least 50 online shops and 1000 万 yuan of e-commerce a year (PREPLAN_STATS C). Its
    alternative, shops in 10 % of a village's households, is not counted: a cluster's households
    that could never sell are not modelled.
    """

    count: Annotated[int, FIRMS.at_least(1)] = 1
    size_dispersion: Dispersion = 0.0
    village_shops: Annotated[int, FIRMS.at_least(1)] = 50
    village_annual_sales: Money = 1.0e7


class Households(Strict):
    """Household and individual sellers (``[households]``): off when the table is absent.

    ``self_employed``: self-employed households (个体工商户) that could sell online;
    ``individuals``: people with no registered business who may open an online shop.
    """

    self_employed: HouseholdKind = HouseholdKind()
    individuals: HouseholdKind = HouseholdKind()
    clusters: SellerClusters = SellerClusters()

    def kinds(self) -> dict[str, HouseholdKind]:
        """The household kinds in the order of their seller classes (``HOUSEHOLD_KINDS``)."""
        return {"self_employed": self.self_employed, "individual": self.individuals}


class SectorParams(Strict):
    """What going online means in one sector."""

    online_sales_ceiling: Share = 0.0
    online_purchase_ceiling: Share = 0.0
    purchase_share: Share = 0.0  # inputs bought per yuan of revenue
    retail_fraction: Share = 0.0  # online sales that go to consumers
    parcel_value: UnitPrice = 0.0  # yuan of retail sales per parcel
    margin: Share = 0.0
    revenue_growth: Growth = 0.0
    rural_share: Share = 0.0
    above_scale_revenue: Money | None = None

    @model_validator(mode="after")
    def _parcels_need_value(self) -> SectorParams:
        if self.retail_fraction > 0 and self.parcel_value == 0:
            raise ValueError("retail_fraction > 0 needs a parcel_value (yuan per parcel) > 0")
        return self


class PeerWeights(Strict):
    """How a firm's peers are weighted: the whole market, its sector, its cluster."""

    market: Share = 1.0
    sector: Share = 0.0
    cluster: Share = 0.0

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

    buyers_weight: Weight = 0.0
    commission_weight: Weight = 0.0
    local_preference: Annotated[float, PREFERENCE] = 0.0
    taste_scale: Weight = 0.0


class ParkEffects(Strict):
    """Agglomeration effects enjoyed by firms in a park or cluster."""

    setup_discount: Share = 0.0
    delivery_discount: Share = 0.0
    peer_multiplier: Multiple = 1.0


class Adoption(Strict):
    """Behavioural parameters of firms: none comes from a policy document (calibrate them)."""

    innovation: Rate  # p
    imitation: Rate  # q
    benefit_sensitivity: Weight = 0.0
    propensity_dispersion: Dispersion = 0.0
    peer_weights: PeerWeights = PeerWeights()
    payback_years: Annotated[float, PAYBACK] = 1.0
    setup_cost: dict[SizeClass, Money] = Field(default_factory=dict)
    skill_cost_discount: Share = 0.0
    reach_gain: Multiple = 0.0  # share of sales per unit of ln(1 + buyers / 1e6)
    channel_saving: Share = 0.0
    purchase_saving: Share = 0.0
    delivery_time_cost: UnitPrice = 0.0  # yuan per parcel per day
    deepening_rate: Rate = 0.0
    delivery_delay_drag: Multiple = 0.0  # per day of delivery
    abandonment_rate: Rate = 0.0
    switch_rate: Rate = 0.0
    platform_choice: PlatformChoice = PlatformChoice()
    park: ParkEffects = ParkEffects()


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
    commission: Share
    buyers: Annotated[float, BUYERS]  # at the start
    #: What the buyers follow: a constant yearly ``buyer_growth``, or the country's online
    #: shoppers (``economy.online_shoppers``), in proportion to their number at the start.
    buyer_trend: Literal["exponential", "online_shoppers"] = "exponential"
    buyer_growth: Growth = 0.0  # exogenous trend
    network_elasticity: Annotated[float, ELASTICITY] = 0.0
    external_sellers: Annotated[float, FIRMS] = 0.0
    reference_sellers: Annotated[float, FIRMS.above(0)] | None = None
    adjustment_rate: Share = 1.0  # share of the buyer gap closed a month
    external_volume: Money = 0.0  # a year, from outside sellers
    buyer_acquisition_cost: Annotated[float, UNIT_PRICE.above(0)] | None = None  # per buyer
    settlement_rate: Rate = 0.0  # hazard of settling anyway
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

    capacity: Annotated[float, PARCELS.above(0)]
    cost_per_parcel: UnitPrice
    reference_parcels: Annotated[float, PARCELS.above(0)] | None = None
    scale_elasticity: Annotated[float, SCALE_ELASTICITY] = 0.0
    congestion_threshold: Share = 1.0
    congestion_cost: Multiple = 0.0
    congestion_delay: Multiple = 0.0
    delivery_days: Days = 0.0
    urban_coverage: Share = 1.0
    rural_coverage: Share = 1.0
    uncovered_surcharge: Multiple = 0.0
    uncovered_extra_days: Days = 0.0
    invest_threshold: Share = 1.0
    invest_after_months: Annotated[int, MONTHS.at_least(1)] = 1
    invest_step: Multiple = 0.0  # capacity grows by this share

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


class OutcomeChoice(Strict):
    """The yearly outcome a target or an observation is about, with its parameter if it has one.

    ``outcome`` names a fixed outcome (``model.outcomes.OUTCOMES``) or a family of outcomes
    (``OUTCOME_FAMILIES``) that takes a parameter: ``firms_above`` and ``platforms_above`` a
    ``line`` (yuan a year), ``online_sales_ratio`` and ``online_purchase_ratio`` the
    ``size_classes`` that form the group. The model computes a family only at the parameters
    the scenario declares, so the plan's lines are data, not constants of the code.
    """

    #: Appended to the error for an unknown outcome.
    unknown_hint: ClassVar[str] = ""

    outcome: str | None = None
    line: Annotated[float, MONEY.above(0)] | None = None
    size_classes: list[SizeClass] | None = None

    @model_validator(mode="after")
    def _known_outcome(self) -> OutcomeChoice:
        family = OUTCOME_FAMILIES.get(self.outcome or "")
        if self.outcome is not None and family is None and self.outcome not in OUTCOMES:
            for name, known in OUTCOME_FAMILIES.items():
                if self.outcome.startswith(name):  # a generated name, or an old fixed one
                    raise ValueError(
                        f"outcome {self.outcome!r} is not a yearly outcome; declare it as "
                        f"outcome = {name!r} with {PARAMETERS[known.parameter]}"
                    )
            families = ", ".join(f"{n} ({f.parameter})" for n, f in OUTCOME_FAMILIES.items())
            raise ValueError(
                f"outcome {self.outcome!r} is not a yearly outcome; choose one of "
                f"{', '.join(OUTCOMES)}, or a family with its parameter: {families}"
                f"{self.unknown_hint}"
            )
        for parameter, wanted in PARAMETERS.items():
            takes = family is not None and family.parameter == parameter
            if takes and not getattr(self, parameter):
                raise ValueError(f"{parameter}: outcome {self.outcome!r} needs {wanted}")
            if getattr(self, parameter) is not None and not takes:
                takers = [n for n, f in OUTCOME_FAMILIES.items() if f.parameter == parameter]
                raise ValueError(
                    f"{parameter}: outcome {self.outcome!r} takes no {parameter} (only "
                    f"{' and '.join(takers)} do)"
                )
        return self

    @property
    def declared(self) -> DeclaredOutcome | None:
        """The family outcome this declares, or ``None`` for a fixed outcome (or none)."""
        if self.outcome not in OUTCOME_FAMILIES:
            return None
        groups = self.size_classes or []
        return DeclaredOutcome(
            self.outcome, self.line, tuple(s for s in SIZE_CLASSES if s in groups)
        )

    @property
    def outcome_name(self) -> str | None:
        """The yearly outcome's column: the fixed outcome, or the declared one's name."""
        declared = self.declared
        return declared.name if declared is not None else self.outcome

    @property
    def definition(self) -> Outcome:
        """How the yearly outcome is formed (its unit, how a year is formed from months)."""
        declared = self.declared
        return declared.definition if declared is not None else OUTCOMES[str(self.outcome)]


class TargetSpec(OutcomeChoice):
    """One target the plan's document sets, scored on the simulated plan-end values.

    Give exactly one of ``above``, ``at_least``, ``below``, ``at_most``, as the document words
    it: 超过 is ``above``; 达到, 不低于 and 以上 (which includes its bound) are ``at_least``.
    ``measure = "growth"`` scores the outcome's growth over the previous year instead of its
    level. A target the model cannot speak to is
    kept with ``not_modelled`` saying why, so the table shows every target of the document;
    one that still names an outcome (with its parameter) has that outcome computed.
    """

    unknown_hint: ClassVar[str] = " (or say why it is not_modelled)"

    description: str = ""
    year: CalendarYear
    measure: Literal["level", "growth"] = "level"
    above: Value | None = None
    at_least: Value | None = None
    below: Value | None = None
    at_most: Value | None = None
    not_modelled: str | None = None

    @model_validator(mode="after")
    def _scorable(self) -> TargetSpec:
        given = [name for name in COMPARISONS if getattr(self, name) is not None]
        if self.not_modelled is not None:
            return self
        if self.outcome is None:
            raise ValueError("outcome: a scored target needs one (or say why it is not_modelled)")
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
    low: Value
    high: Value
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


class Observation(OutcomeChoice):
    """A pre-plan public figure the model must reproduce: a yearly outcome in one year."""

    description: str = ""
    outcome: str
    year: CalendarYear
    value: Annotated[float, VALUE.above(0)]
    weight: Annotated[float, RELATIVE_WEIGHT] = 1.0


class Calibration(Strict):
    """What ``ecomsim calibrate`` fits (``parameters``) to what (``observed``).

    Observations must fall in whole years simulated before the plan starts: the plan years
    are kept for out-of-sample validation.
    """

    replications: Annotated[int, REPLICATIONS] = 4
    parameters: dict[str, CalibrationParameter]
    observed: dict[str, Observation]


def _check_portfolio(
    instruments: dict[str, InstrumentSpec], platforms: Iterable[str], providers: Iterable[str]
) -> None:
    """A portfolio that pays from the fund has one; the agents it names exist."""
    paying = [n for n, i in instruments.items() if i.pays_from_fund()]
    has_fund = any(i.kind == "standing_fund" for i in instruments.values())
    if paying and not has_fund:
        raise ValueError(
            f"instruments {', '.join(paying)} pay from the fund, so the "
            "portfolio needs a standing_fund instrument giving its budget"
        )
    platforms, providers = list(platforms), list(providers)
    for name, inst in instruments.items():
        if isinstance(inst, PlatformAttraction) and inst.platforms is not None:
            missing = sorted(set(inst.platforms) - set(platforms))
            if missing:
                raise ValueError(
                    f"instruments.{name}.platforms: no platform named "
                    f"{', '.join(missing)} (have: {', '.join(platforms) or 'none'})"
                )
        if (
            isinstance(inst, LogisticsInvestment)
            and inst.provider is not None
            and inst.provider not in providers
        ):
            raise ValueError(
                f"instruments.{name}.provider: no logistics provider named "
                f"{inst.provider!r} (have: {', '.join(providers) or 'none'})"
            )


class DesignInfo(Strict):
    """Name, description and document of a policy design, and where its plan starts.

    ``plan_start`` is needed only if an instrument has its own ``start`` or ``end``: the
    transplant moves them with the host's plan start, keeping their place in the plan.
    """

    name: str
    description: str
    document: str
    plan_start: MonthField | None = None


class DesignSize(Strict):
    """The economy a design's programme sizes are written for (what the transplant scales from).

    ``firms``: enterprises at the start (``--size-by firms``); ``retail_sales``: start-year
    retail sales of consumer goods, yuan (``--size-by retail_sales``; 0 if not known, and then
    that rule refuses the design).
    """

    firms: Annotated[int, FIRMS.at_least(1)]
    retail_sales: Money = 0.0


class PolicyDesign(Strict):
    """A policy design on its own: the funder's rules and instruments, and the size behind them.

    What a document decides, without an economy to run it in: a design file (``[design]``
    instead of ``[firms]``), or the policy part of a full scenario (``Scenario.design()``). The
    transplant runs it in a host's economy. A design file names no platforms or providers of
    its own (``platforms`` and ``providers`` list those of the scenario a design comes from).
    """

    scenario: DesignInfo
    design: DesignSize
    platforms: dict[str, PlatformKind] = Field(default_factory=dict)  # name → kind
    providers: list[str] = Field(default_factory=list)
    funder: FunderSpec = FunderSpec()
    instruments: dict[str, InstrumentSpec]

    @model_validator(mode="after")
    def _whole(self) -> PolicyDesign:
        _check_portfolio(self.instruments, self.platforms, self.providers)
        if self.scenario.plan_start is None:
            for name, inst in self.instruments.items():
                if inst.start is not None or inst.end is not None:
                    raise ValueError(
                        f"instruments.{name}: its own start or end needs "
                        "scenario.plan_start (the design's plan start) to move with a host's plan"
                    )
        return self

    @property
    def name(self) -> str:
        """The design's name."""
        return self.scenario.name

    @property
    def policy_start(self) -> Month | None:
        """The design's plan start, if it has one (instruments keep their place in the plan)."""
        return self.scenario.plan_start


class Scenario(Strict):
    """A complete, validated scenario."""

    scenario: ScenarioInfo
    economy: Economy = Economy()
    firms: Firms
    households: Households = Households()
    sectors: dict[Sector, SectorParams] = Field(default_factory=dict)
    adoption: Adoption
    platforms: dict[str, PlatformSpec] = Field(default_factory=dict)
    logistics: dict[str, LogisticsSpec] = Field(default_factory=dict)
    funder: FunderSpec = FunderSpec()
    instruments: dict[str, InstrumentSpec] = Field(default_factory=dict)
    targets: dict[str, TargetSpec] = Field(default_factory=dict)
    calibration: Calibration | None = None

    @model_validator(mode="after")
    def _no_instruments_without_a_plan(self) -> Scenario:
        if not self.scenario.plan and (self.instruments or self.targets):
            raise ValueError(
                "scenario.plan = false (a benchmark with no plan) allows no [instruments] "
                "and no [targets]"
            )
        return self

    @model_validator(mode="after")
    def _portfolio_is_whole(self) -> Scenario:
        _check_portfolio(self.instruments, self.platforms, self.logistics)
        return self

    @model_validator(mode="after")
    def _calibrate_before_the_plan(self) -> Scenario:
        if self.calibration is None:
            return self
        info = self.scenario
        for name, seen in self.calibration.observed.items():
            if not info.start.year <= seen.year or not info.known_before_plan(seen.year):
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

    @model_validator(mode="after")
    def _series_before_the_plan(self) -> Scenario:
        shoppers = self.economy.online_shoppers
        if shoppers is not None and not self.scenario.known_before_plan(shoppers.last_year()):
            raise ValueError(
                f"economy.online_shoppers.end_of_year: {shoppers.last_year()} is not known "
                f"before the plan starts ({self.scenario.policy_start}); later years are "
                "projected, and kept for validation"
            )
        for name, kind in self.households.kinds().items():
            if kind.demand_elasticity > 0 and shoppers is None:
                raise ValueError(
                    f"households.{name}.demand_elasticity: > 0 needs an "
                    "[economy.online_shoppers] series"
                )
        for name, platform in self.platforms.items():
            if platform.buyer_trend == "online_shoppers" and shoppers is None:
                raise ValueError(
                    f"platforms.{name}.buyer_trend: 'online_shoppers' needs an "
                    "[economy.online_shoppers] series"
                )
        return self

    def design(self) -> PolicyDesign:
        """The scenario's policy design: its funder and instruments, sized for its economy."""
        info = self.scenario
        return PolicyDesign(
            scenario=DesignInfo(
                name=info.name,
                description=info.description,
                document=info.document,
                plan_start=info.policy_start,
            ),
            design=DesignSize(firms=self.firms.count, retail_sales=self.economy.retail_sales),
            platforms={name: p.kind for name, p in self.platforms.items()},
            providers=list(self.logistics),
            funder=self.funder,
            instruments=self.instruments,
        )

    def declared_outcomes(self) -> tuple[DeclaredOutcome, ...]:
        """The family outcomes the targets and calibration observations declare, each once.

        In file order (targets, then observations); the model computes these beside its
        fixed outcomes. Two lines that would share a name (closer than 1e-4 yuan) count as
        the first.
        """
        observed = self.calibration.observed.values() if self.calibration else ()
        declared: dict[str, DeclaredOutcome] = {}
        for choice in (*self.targets.values(), *observed):
            if choice.declared is not None:
                declared.setdefault(choice.declared.name, choice.declared)
        return tuple(declared.values())

    def firm_volume_lines(self) -> tuple[float, ...]:
        """The yearly online volumes the ``firms_above`` outcomes count sellers at, yuan."""
        return tuple(float(d.line) for d in self.declared_outcomes() if d.family == "firms_above")

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
