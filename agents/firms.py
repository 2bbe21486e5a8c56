"""Firms: every enterprise of the city, one row per firm in NumPy arrays.

A city has 10^5–10^6 firms, so firms are not Mesa ``Agent`` objects (one Python object per firm
would be two orders of magnitude slower; see ``benchmarks/``). ``FirmPopulation`` holds one array
per state variable and steps all firms each month with the rules of ``firm_rules``, applied by
the compiled passes of ``firm_kernel``. A firm is still an individual: row ``i`` has its own
size, sector, revenue, skill, adoption history, platform and subsidies, and
``FirmPopulation.record(i)`` returns them.

Randomness: every monthly draw is made for every active row (born so far, or a candidate),
whatever its state, so a policy run and its no-policy counterfactual consume identical random
numbers (common random numbers). Entry, exit and relocation candidates are generated up front
for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Literal

import numpy as np

from ecomsim.agents import firm_kernel as kernel
from ecomsim.agents import firm_rules as rules

if TYPE_CHECKING:
    from ecomsim.model.calendar import Month
    from ecomsim.model.streams import RandomStreams
    from ecomsim.scenarios.schema import Scenario

SizeClass = Literal["micro", "small", "medium", "large"]
Sector = Literal["manufacturing", "trade", "agriculture", "services", "bulk_commodities"]
SIZE_CLASSES: tuple[SizeClass, ...] = ("micro", "small", "medium", "large")
HouseholdKind = Literal["self_employed", "individual"]
#: Household sellers: self-employed households (个体工商户) and individuals with no business.
HOUSEHOLD_KINDS: tuple[HouseholdKind, ...] = ("self_employed", "individual")
SellerKind = Literal["enterprise", "self_employed", "individual"]
SELLER_KINDS: tuple[SellerKind, ...] = ("enterprise", *HOUSEHOLD_KINDS)
#: A row's seller class (the ``size_class`` array): an enterprise size class, or a household
#: kind. Class codes index the kernel's per-class tables and the month's tallies.
SELLER_CLASSES: tuple[str, ...] = (*SIZE_CLASSES, *HOUSEHOLD_KINDS)
SECTORS: tuple[Sector, ...] = (
    "manufacturing",
    "trade",
    "agriculture",
    "services",
    "bulk_commodities",
)

NEVER = np.iinfo(np.int32).max  # step of an event that does not happen
#: Which rows a derived view covers: every row, or the rows given (an index array).
Rows = slice | np.ndarray
ALL_ROWS = slice(None)
NO_PLATFORM = kernel.NO_PLATFORM  # selling online through the firm's own channel
NO_DRAWS = np.empty(0, dtype=np.float32)  # the month before the start decides nothing
NO_WEIGHTS = np.empty(0)  # every row is one firm


class SectorTable:
    """Per-sector parameters as arrays indexed by sector code (see ``SECTORS``).

    Online-sales ceilings can change during a run (a cold chain opens perishables to online
    sale), so the table is state, owned by the model. Household sellers take their sector's
    values except where their kind has its own (``arrays``).
    """

    def __init__(self, spec: Scenario) -> None:
        params = [spec.sector(name) for name in SECTORS]
        self.households = spec.households.kinds()

        def column(field: str) -> np.ndarray:
            return np.array([getattr(p, field) for p in params], dtype=float)

        self.sales_ceiling = column("online_sales_ceiling")
        self.purchase_ceiling = column("online_purchase_ceiling")
        self.purchase_share = column("purchase_share")
        self.retail_fraction = column("retail_fraction")
        self.parcel_value = column("parcel_value")
        self.margin = column("margin")
        self.revenue_growth = column("revenue_growth")
        self.rural_share = column("rural_share")
        self.above_scale_revenue = np.array(
            [np.inf if p.above_scale_revenue is None else p.above_scale_revenue for p in params]
        )
        self.new_business = np.zeros(len(SECTORS))  # an enterprise moves its sales online
        #: Yearly growth of the country's online shoppers this month (set by the model).
        self.demand_growth = 0.0

    def arrays(self) -> kernel.SectorArrays:
        """The tables the compiled firm kernel reads, ``[seller class, sector]`` (current values).

        Enterprise size classes have their sector's values; a household kind has its own
        online-sales ceiling, retail fraction, parcel value, share of new business and (if it
        gives one) margin, no above-scale line, and buys online only if its kind says so.
        """
        n_enterprise = len(SIZE_CLASSES)

        def by_class(name: str) -> np.ndarray:
            return np.repeat(getattr(self, name)[None, :], len(SELLER_CLASSES), axis=0)

        tables = {name: by_class(name) for name in kernel.SectorArrays._fields}
        for code, kind in enumerate(self.households.values(), start=n_enterprise):
            tables["sales_ceiling"][code] = kind.online_sales_ceiling
            tables["retail_fraction"][code] = kind.retail_fraction
            tables["parcel_value"][code] = kind.parcel_value
            tables["above_scale_revenue"][code] = np.inf
            tables["new_business"][code] = kind.new_business
            tables["revenue_growth"][code] += kind.demand_elasticity * self.demand_growth
            if kind.margin is not None:
                tables["margin"][code] = kind.margin
            if not kind.purchases_online:
                tables["purchase_ceiling"][code] = 0.0
                tables["purchase_share"][code] = 0.0
        return kernel.SectorArrays(**tables)


@dataclass
class MarketConditions:
    """What firms see of platforms, logistics and policy this month (built by the model)."""

    platform_buyers: np.ndarray  # (K,) buyers reached, persons
    platform_uplift: np.ndarray  # (K,) extra sales share from reach
    platform_commission: np.ndarray  # (K,) commission rate
    platform_rebate: np.ndarray  # (K,) share of commission rebated to local sellers
    platform_local: np.ndarray  # (K,) bool
    platform_serves: np.ndarray  # (K, S) bool: platform k sells for sector s
    parcel_cost: np.ndarray  # (2,) yuan per parcel: urban, rural
    delivery_days: np.ndarray  # (2,) days: urban, rural
    expected_one_off: np.ndarray | float = 0.0  # per firm, yuan, if it goes online
    expected_annual: np.ndarray | float = 0.0  # per firm, yuan per year, if it goes online
    listing_multiplier: np.ndarray | float = 1.0
    relocation_extra: np.ndarray | float = 0.0  # yearly hazard added for relocation candidates
    sales_push: np.ndarray | float = 0.0  # yearly growth of online sales pushed by effort
    setup_discount: np.ndarray | float = 0.0  # share of the set-up cost a programme bears
    cluster_peer_multiplier: np.ndarray | float = 1.0  # weight of a seller's own cluster
    extra_reach: np.ndarray | float = 0.0  # extra share of online sales from a brand's buyers

    @property
    def n_platforms(self) -> int:
        """Number of platforms in the market."""
        return len(self.platform_buyers)


class FirmPopulation:
    """State of every firm of the city (rows) and the monthly rules that change it."""

    def __init__(
        self,
        spec: Scenario,
        sectors: SectorTable,
        streams: RandomStreams,
        n_steps: int,
        n_platforms: int,
        scale: float = 1.0,
    ) -> None:
        """Draw the city's firms, their future entrants and relocation candidates.

        Everything here depends only on the scenario and the population stream, never on
        policy, so a run and its counterfactual start from the same economy. With ``scale``
        below one, a random sample of the city's firms is drawn (entrants follow from it) and
        each sampled row stands for ``weight`` firms in every total (``total``, ``share``).
        """
        self.sectors = sectors
        self.params = spec.adoption
        firms = spec.firms
        self.listing = firms.listing
        #: Yearly online volumes the month counts sellers at (``MonthTotals.above_volume``):
        #: the lines of the scenario's ``firms_above`` outcomes, in declaration order.
        self.volume_lines = np.array(spec.firm_volume_lines(), dtype=float)
        self._rule_parameters = _rule_parameters(spec, n_platforms)
        self._class_arrays = _class_arrays(spec)
        kinds = spec.households.kinds().values()
        self._setup_base = np.array(
            [spec.adoption.setup_cost.get(s, 0.0) for s in SIZE_CLASSES]
            + [kind.setup_cost for kind in kinds]
        )
        self.first_year = spec.scenario.start.year - firms.history.years
        self.n_years = spec.scenario.start.plus(n_steps - 1).year - self.first_year + 1
        self.start_year_index = firms.history.years
        self.months_before_start = spec.scenario.start.month - 1
        self._current_year_index = self.start_year_index

        count = _sampled(firms.count, scale)
        birth, exit_step = _demography(
            count, firms.entry_rate, firms.exit_rate, n_steps, streams.demography
        )
        n_native = birth.size
        candidates = spec.relocation_candidates()
        n = n_native + sum(c.candidates for c in candidates)
        self.size = n
        self.n_native = n_native
        # Each sampled city row stands for count/firms.count of the city's firms; candidates
        # (named outside firms) always stand for themselves.
        self.weight: np.ndarray | None = None
        if count != firms.count:
            self.weight = np.ones(n)
            self.weight[:n_native] = firms.count / count

        draw = _row_draws(streams.population, n_native, n)
        size_codes = draw("size", lambda g, k: _draw_codes(g, firms.size_shares, SIZE_CLASSES, k))
        sector_codes = draw("sector", lambda g, k: _draw_codes(g, firms.sector_shares, SECTORS, k))
        median = np.array([firms.revenue_of(s).median for s in SIZE_CLASSES])[size_codes]
        spread = np.array([firms.revenue_of(s).dispersion for s in SIZE_CLASSES])[size_codes]

        # Relocation candidates (firms an HQ-attraction instrument may bring in) live outside
        # the city as dormant rows, in the counterfactual too: only their hazard differs. They
        # are large firms of the instrument's sector, set before any other attribute is drawn
        # so that skill and location follow from what they are.
        self.dormant = np.zeros(n, dtype=bool)
        self.dormant[n_native:] = True
        self.relocation_rate = np.zeros(n)
        self.relocation_group = np.full(n, -1, dtype=np.int16)
        self.candidate_share = np.zeros(n)
        first_row = n_native
        for group, cand in enumerate(candidates):
            rows = slice(first_row, first_row + cand.candidates)
            size_codes[rows] = SIZE_CLASSES.index("large")
            sector_codes[rows] = SECTORS.index(cand.sector)
            median[rows], spread[rows] = cand.revenue.median, cand.revenue.dispersion
            self.relocation_rate[rows] = cand.spontaneous_rate
            self.relocation_group[rows] = group
            self.candidate_share[rows] = cand.online_share
            first_row += cand.candidates

        self.size_class = size_codes.astype(np.int8)
        self.sector = sector_codes.astype(np.int8)
        self.revenue = median * np.exp(spread * draw("revenue", _normal))
        skill_mean = np.array([firms.skill_mean.get(s, 0.0) for s in SIZE_CLASSES])[size_codes]
        self.skill = draw(
            "skill",
            lambda g, k, rows: _draw_skill(g, skill_mean[rows], firms.skill_concentration),
            by_rows=True,
        )
        self.rural = draw("rural", _uniform) < sectors.rural_share[sector_codes]
        self.in_park = (draw("park", _uniform) < firms.park_share) & ~self.dormant
        self.local = (draw("local", _uniform) < firms.local_share) & ~self.dormant
        dispersion = spec.adoption.propensity_dispersion
        self.propensity = np.exp(dispersion * draw("propensity", _normal) - dispersion**2 / 2)
        self.taste = draw("taste", lambda g, k: g.gumbel(size=(k, n_platforms))).astype(np.float32)
        self.awareness = draw("awareness", _uniform)
        prior_growth = firms.history.growth + firms.history.dispersion * draw("history", _normal)
        shares = np.array([firms.initial_adoption.get(s, 0.0) for s in SIZE_CLASSES])
        initially_online = draw("initial_online", _uniform) < shares[size_codes]
        initially_online[count:] = False  # entrants and candidates start offline
        depth = np.full(n, firms.initial_depth)
        self.birth_step = np.concatenate([birth, np.full(n - n_native, NEVER)]).astype(np.int32)
        self.exit_step = np.concatenate([exit_step, np.full(n - n_native, NEVER)]).astype(np.int32)
        self.cluster = np.full(n, -1, dtype=np.int32)
        # City rows are in order of birth: rows born by each step are a prefix of the rows.
        self._born_by_step = np.searchsorted(birth, np.arange(n_steps), side="right")
        self._group_masks: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}

        # Household sellers follow the candidates, in their own order of birth.
        block = HouseholdBlock(spec, streams.households, n_steps, n_platforms, scale)
        self.n_candidates = n - n_native
        self.households_start = n
        self._households_born_by_step = block.born_by_step
        if block.size and block.weight is not None and self.weight is None:
            self.weight = np.ones(n)
        n += block.size
        self.size = n
        self.n_households = block.size
        self._n_clusters = spec.households.clusters.count
        self.cluster_weight = block.cluster_weight

        def extend(values: np.ndarray, household_values: np.ndarray | float) -> np.ndarray:
            tail = np.broadcast_to(household_values, (block.size, *values.shape[1:]))
            return np.concatenate([values, tail.astype(values.dtype)])

        self.size_class = extend(self.size_class, block.seller_class)
        self.sector = extend(self.sector, block.sector)
        self.revenue = extend(self.revenue, block.revenue)
        self.skill = extend(self.skill, block.skill)
        self.rural = extend(self.rural, block.rural)
        self.in_park = extend(self.in_park, False)
        self.local = extend(self.local, True)  # a household sells from where it lives
        self.propensity = extend(
            self.propensity, np.exp(dispersion * block.propensity_normal - dispersion**2 / 2)
        )
        self.taste = extend(self.taste, block.taste)
        self.awareness = extend(self.awareness, block.awareness)
        prior_growth = extend(
            prior_growth, firms.history.growth + firms.history.dispersion * block.history_normal
        )
        initially_online = extend(initially_online, block.initially_online)
        depth = extend(depth, block.initial_depth)
        self.birth_step = extend(self.birth_step, block.birth_step)
        self.exit_step = extend(self.exit_step, block.exit_step)
        self.cluster = extend(self.cluster, block.cluster)
        self.dormant = extend(self.dormant, False)
        self.relocation_rate = extend(self.relocation_rate, 0.0)
        self.relocation_group = extend(self.relocation_group, -1)
        self.candidate_share = extend(self.candidate_share, 0.0)
        if self.weight is not None:
            self.weight = extend(self.weight, 1.0 if block.weight is None else block.weight)

        self.alive = np.zeros(n, dtype=bool)
        self.adopted = initially_online.copy()
        self.adoption_step = np.where(initially_online, -1, NEVER).astype(np.int32)
        self.first_adoption_step = self.adoption_step.copy()
        self.abandon_count = np.zeros(n, dtype=np.int16)
        tables = sectors.arrays()
        self.online_share = np.where(
            initially_online, depth * tables.sales_ceiling[self.size_class, self.sector], 0.0
        )
        self.purchase_share = np.where(
            initially_online, depth * tables.purchase_ceiling[self.size_class, self.sector], 0.0
        )
        self.platform = np.full(n, NO_PLATFORM, dtype=np.int16)
        self.push = np.ones(n)
        self.demonstration = np.zeros(n, dtype=bool)
        self.listed = np.zeros(n, dtype=bool)
        self.listing_step = np.full(n, NEVER, dtype=np.int32)
        self.relocation_step = np.full(n, NEVER, dtype=np.int32)
        self.trained = np.zeros(n, dtype=np.int16)
        self.subsidy_total = np.zeros(n)
        self.subsidy_count = np.zeros(n, dtype=np.int32)
        self.subsidy_mask = np.zeros(n, dtype=np.int64)
        self.revenue_year_ago = self.revenue.copy()

        self.online_sales = np.zeros(n)
        self.online_purchases = np.zeros(n)
        self.volume_to_date = np.zeros(n)  # this calendar year, yuan
        self.annual_volume = np.zeros((self.n_years, n))  # years × firms: a year is contiguous
        self._prior_growth = prior_growth

    # ---------------------------------------------------------------- city totals
    def total(self, values: np.ndarray, mask: np.ndarray | None = None) -> float:
        """City total of per-firm ``values`` (a count, for a boolean array) over ``mask``."""
        if self.weight is None:
            if values.dtype == bool:  # a count: count_nonzero is the fast path
                return float(np.count_nonzero(values if mask is None else values & mask))
            return float(values.sum(where=mask) if mask is not None else values.sum())
        weighted = values * self.weight
        return float(weighted.sum(where=mask) if mask is not None else weighted.sum())

    def share(self, numerator: np.ndarray, denominator: np.ndarray) -> float:
        """City share of firms in ``denominator`` that are also in ``numerator`` (0 if none)."""
        count = self.total(denominator)
        return self.total(numerator & denominator) / count if count else 0.0

    def sample_count(self, city_count: float, rng: np.random.Generator) -> int:
        """How many sampled rows stand for ``city_count`` city firms (rounded at random)."""
        if self.weight is None:
            return int(city_count)
        return sampled_units(city_count, float(self.weight[0]), rng)

    def sample_cluster_count(self, city_count: float, rng: np.random.Generator) -> int:
        """How many kept clusters stand for ``city_count`` city clusters (rounded at random)."""
        if self.cluster_weight == 1.0:
            return int(city_count)
        return sampled_units(city_count, self.cluster_weight, rng)

    # ---------------------------------------------------------------- clusters
    @property
    def n_clusters(self) -> int:
        """Villages and market clusters of the household sellers (``households.clusters``)."""
        return self._n_clusters

    def cluster_members(self, clusters: np.ndarray) -> np.ndarray:
        """Rows of the living household sellers whose cluster is one of ``clusters``."""
        rows = slice(self.households_start, self.size)
        inside = np.isin(self.cluster[rows], clusters) & self.alive[rows]
        return self.households_start + np.flatnonzero(inside)

    def cluster_totals(
        self, online: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per cluster: living household sellers, online shops, yearly online sales.

        Counted as the Taobao-village criteria count a village (its shops and their sales).
        The figures are one cluster's own: in a sample, a kept cluster has about its full
        membership and stands for ``cluster_weight`` clusters, so a row counts its weight
        divided by that. ``online`` replaces who is online (the counterfactual's sellers at its
        end, say); sales are this month's, at a yearly rate.
        """
        rows = slice(self.households_start, self.size)
        cluster = self.cluster[rows]
        living = self.alive[rows] & (cluster >= 0)
        weight = np.ones(cluster.size) if self.weight is None else self.weight[rows]
        weight = weight / self.cluster_weight
        shops = living & (self.adopted[rows] if online is None else online[rows])
        n = self._n_clusters

        def tally(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
            return np.bincount(cluster[mask], weights=values[mask], minlength=n)[:n]

        sales = 12.0 * self.online_sales[rows] * weight
        return tally(living, weight), tally(shops, weight), tally(shops, sales)

    # ---------------------------------------------------------------- derived views
    def in_size_classes(self, names: Iterable[str]) -> np.ndarray:
        """Firms whose size class is one of ``names`` (read-only; size classes never change)."""
        return self._group_mask("size", tuple(names), SELLER_CLASSES, self.size_class)

    def of_kinds(self, kinds: Iterable[str]) -> np.ndarray:
        """Sellers of the given kinds (``SELLER_KINDS``; read-only, kinds never change)."""
        classes = [c for c in SELLER_CLASSES if _kind_of_class(c) in tuple(kinds)]
        return self._group_mask("size", tuple(classes), SELLER_CLASSES, self.size_class)

    def in_sectors(self, names: Iterable[str]) -> np.ndarray:
        """Firms whose sector is one of ``names`` (read-only; sectors never change)."""
        return self._group_mask("sector", tuple(names), SECTORS, self.sector)

    def _group_mask(
        self, kind: str, names: tuple[str, ...], all_names: tuple[str, ...], codes: np.ndarray
    ) -> np.ndarray:
        # Instruments ask for the same groups every month: build each mask once.
        key = (kind, names)
        if key not in self._group_masks:
            wanted = np.zeros(len(all_names), dtype=bool)
            wanted[[all_names.index(n) for n in names]] = True
            mask = wanted[codes]
            mask.setflags(write=False)
            self._group_masks[key] = mask
        return self._group_masks[key]

    def above_scale(self, rows: Rows = ALL_ROWS) -> np.ndarray:
        """Firms at or above their sector's 'above designated size' (规模以上) revenue line."""
        line = self.sectors.above_scale_revenue[self.sector[rows]]
        # Household sellers are not enterprises: no 规模以上 line applies to them.
        return (self.revenue[rows] >= line) & (self.size_class[rows] < len(SIZE_CLASSES))

    def revenue_declining(self, rows: Rows = ALL_ROWS) -> np.ndarray:
        """Firms whose revenue is below its level at the end of last year ('in difficulty')."""
        return self.revenue[rows] < self.revenue_year_ago[rows]

    def annual_online_volume(self, rows: Rows = ALL_ROWS) -> np.ndarray:
        """This month's e-commerce volume (sales + purchases) at a yearly rate, yuan."""
        return 12.0 * (self.online_sales[rows] + self.online_purchases[rows])

    def volume_growth(self) -> np.ndarray:
        """Growth of e-commerce volume in the last completed year (0 where undefined)."""
        col = self.year_index_of_last_complete
        if col < 1:
            return np.zeros(self.size)
        last, before = self.annual_volume[col], self.annual_volume[col - 1]
        return np.divide(last, before, out=np.ones(self.size), where=before > 0) - 1.0

    def setup_cost(self, ids: np.ndarray | None = None) -> np.ndarray:
        """One-off cost of going online of firms ``ids`` (default: all firms).

        By size class, lower for skilled firms and in parks (``rules.setup_cost``).
        """
        rows = slice(None) if ids is None else ids
        return rules.setup_cost(
            self._setup_base[self.size_class[rows]],
            self.skill[rows],
            self.in_park[rows],
            self.params.skill_cost_discount,
            self.params.park.setup_discount,
        )

    def score(self, name: str) -> np.ndarray:
        """Ranking score used by competitive instruments."""
        if name == "online_volume":
            return self.annual_online_volume()
        if name == "revenue":
            return self.revenue
        if name == "volume_growth":
            return self.volume_growth()
        raise ValueError(f"unknown ranking score {name!r}")

    def record(self, i: int) -> dict[str, object]:
        """Everything known about firm ``i``, as plain Python values."""
        fields = [
            "size_class",
            "sector",
            "revenue",
            "skill",
            "rural",
            "in_park",
            "local",
            "alive",
            "adopted",
            "adoption_step",
            "first_adoption_step",
            "online_share",
            "purchase_share",
            "platform",
            "demonstration",
            "listed",
            "trained",
            "subsidy_total",
            "subsidy_count",
            "birth_step",
            "exit_step",
        ]
        out = {f: getattr(self, f)[i].item() for f in fields}
        out["size_class"] = SIZE_CLASSES[out["size_class"]]
        out["sector"] = SECTORS[out["sector"]]
        out["above_scale"] = bool(self.above_scale()[i])
        out["annual_volume"] = dict(
            zip(
                range(self.first_year, self.first_year + self.n_years),
                self.annual_volume[:, i].tolist(),
                strict=True,
            )
        )
        return out

    # ---------------------------------------------------------------- initial state
    def seed_history(self, market: MarketConditions) -> None:
        """Give initial adopters a platform and a pre-start volume history.

        Years before the start are back-cast from the first month's volume with each firm's
        own pre-plan growth (``firms.history``), so a performance reward that looks back
        several years can be judged from the first plan year on.
        """
        self.alive = (self.birth_step <= 0) & (self.exit_step > 0) & ~self.dormant
        ids = np.flatnonzero(self.adopted & self.alive)
        self.platform[ids] = self.choose_platform(ids, market)
        self._flow_month(0, self.active_rows(0), self.market_arrays(market), NO_DRAWS, False)
        yearly = 12.0 * (self.online_sales + self.online_purchases)
        growth = np.maximum(self._prior_growth, -0.9)
        for back in range(1, self.start_year_index + 1):
            self.annual_volume[self.start_year_index - back] = yearly * (1 + growth) ** (-back)
        # Months of the start year before the run began, at the first month's rate. The
        # flows stay as "the month before the start": providers price month 1 from them.
        self.volume_to_date = self.months_before_start * yearly / 12.0

    # ---------------------------------------------------------------- the monthly rules
    @property
    def year_index_of_last_complete(self) -> int:
        """Row of ``annual_volume`` holding the last completed calendar year."""
        return self._current_year_index - 1

    def begin_month(self, step: int, month: Month) -> None:
        """Entries and exits scheduled for this month, before anyone looks at the firms."""
        self._current_year_index = month.year - self.first_year
        if month.month == 1:
            self.revenue_year_ago = self.revenue.copy()
        self.alive = (self.birth_step <= step) & (step < self.exit_step) & ~self.dormant

    def active_rows(self, step: int) -> kernel.ActiveRows:
        """Rows that can act in month ``step``: city rows born by then, and the candidates.

        City rows are in order of birth, so the born ones are a prefix; rows not yet born have
        no state to step and no draws to make.
        """
        return kernel.ActiveRows(
            int(self._born_by_step[step]),
            self.n_native,
            self.households_start,
            int(self._households_born_by_step[step]) if self.n_households else 0,
        )

    def step(
        self, step: int, month: Month, market: MarketConditions, streams: RandomStreams
    ) -> None:
        """Advance every firm by one month: arrivals, decisions, deepening, flows.

        ``begin_month`` must have been called for this month (the model does so before the
        instruments set their incentives). The rules run in the compiled ``firm_kernel``;
        platform choice for the firms choosing this month runs here.
        """
        active = self.active_rows(step)
        n_candidates = self.n_candidates
        draws = partial(
            streams.monthly_rows,
            step=step,
            counts=(active.born, n_candidates, active.households_born),
        )
        if n_candidates:
            self._relocate(step, market, draws("relocation", counts=(0, n_candidates, 0)))

        firm = self.arrays()
        sectors = self.sectors.arrays()
        terms = self.market_arrays(market)
        events = draws("events")
        n_clusters = self._n_clusters
        new_rows, switch_rows = kernel.decide(
            step,
            active,
            firm,
            sectors,
            self._class_arrays,
            self._rule_parameters,
            terms,
            kernel.peer_groups(active, firm, self._class_arrays, len(SECTORS), n_clusters),
            draws("revenue", normal=True),
            events,
        )
        self.platform[switch_rows] = self.choose_platform(switch_rows, market)
        self.platform[new_rows] = self.choose_platform(new_rows, market)
        self._flow_month(step, active, terms, events, True)
        if month.month == 12:
            self.annual_volume[self._current_year_index] = self.volume_to_date
            self.volume_to_date = np.zeros(self.size)
            self._current_year_index += 1

    def _flow_month(
        self,
        step: int,
        active: kernel.ActiveRows,
        terms: kernel.MarketArrays,
        events: np.ndarray,
        advance: bool,
    ) -> None:
        """Deepen, book this month's flows and tally the city totals (``kernel.flow_month``)."""
        self.totals = kernel.MonthTotals(
            *kernel.flow_month(
                step,
                active,
                self.arrays(),
                self.sectors.arrays(),
                self._class_arrays,
                self._rule_parameters,
                terms,
                events,
                self.volume_lines,
                advance,
            )
        )

    def _relocate(self, step: int, market: MarketConditions, draws: np.ndarray) -> None:
        """Dormant candidates move into the city with their relocation hazard."""
        candidates = slice(self.n_native, self.households_start)
        extra = np.asarray(market.relocation_extra, dtype=float)
        # One entry per row, or a single one that holds for every row (no reward on offer).
        hazard = self.relocation_rate[candidates] + (extra[candidates] if extra.size > 1 else extra)
        moving = self.n_native + np.flatnonzero(
            self.dormant[candidates] & (draws < rules.monthly_probability(hazard))
        )
        if moving.size == 0:
            return
        self.dormant[moving] = False
        self.birth_step[moving] = step
        self.relocation_step[moving] = step
        self.alive[moving] = True
        self.adopted[moving] = True
        self.adoption_step[moving] = step
        self.first_adoption_step[moving] = np.minimum(self.first_adoption_step[moving], step)
        self.online_share[moving] = self.candidate_share[moving]
        self.purchase_share[moving] = self.sectors.purchase_ceiling[self.sector[moving]]
        self.platform[moving] = self.choose_platform(moving, market)

    # ---------------------------------------------------------------- kernel views
    def arrays(self) -> kernel.FirmArrays:
        """The state arrays the compiled kernel steps (the same arrays, not copies)."""
        state = {name: getattr(self, name) for name in kernel.FirmArrays._fields}
        if self.weight is None:
            state["weight"] = NO_WEIGHTS
        return kernel.FirmArrays(**state)

    def market_arrays(self, market: MarketConditions) -> kernel.MarketArrays:
        """This month's market terms in the form the compiled kernel reads."""

        def per_firm(value: np.ndarray | float) -> np.ndarray:
            return np.atleast_1d(np.asarray(value, dtype=float))

        # Commission net of the rebate a local platform gives local sellers: [k, local].
        rebate = market.platform_rebate * market.platform_local
        commission = market.platform_commission[:, None] * (1.0 - np.outer(rebate, [0.0, 1.0]))
        return kernel.MarketArrays(
            uplift=market.platform_uplift.astype(float),
            commission=np.ascontiguousarray(commission, dtype=float),
            best_platform=self._best_platform_by_group(market),
            parcel_cost=market.parcel_cost.astype(float),
            delivery_days=market.delivery_days.astype(float),
            setup_base=self._setup_base,
            expected_one_off=per_firm(market.expected_one_off),
            expected_annual=per_firm(market.expected_annual),
            listing_multiplier=per_firm(market.listing_multiplier),
            sales_push=per_firm(market.sales_push),
            setup_discount=per_firm(market.setup_discount),
            cluster_peer_multiplier=per_firm(market.cluster_peer_multiplier),
            extra_reach=per_firm(market.extra_reach),
        )

    def _best_platform_by_group(self, market: MarketConditions) -> np.ndarray:
        """Platform a typical firm of each (sector, local) group would pick; −1 if none."""
        best = np.full((len(SECTORS), 2), NO_PLATFORM, dtype=np.int16)
        if market.n_platforms == 0:
            return best
        choice = self.params.platform_choice
        for is_local in (0, 1):
            utility = rules.choice_utility(
                buyers=market.platform_buyers,
                commission=market.platform_commission
                * (1.0 - market.platform_rebate * (market.platform_local & bool(is_local))),
                platform_local=market.platform_local,
                firm_local=np.array([bool(is_local)]),
                buyers_weight=choice.buyers_weight,
                commission_weight=choice.commission_weight,
                local_preference=choice.local_preference,
            )[0]
            allowed = market.platform_serves.T  # (S, K)
            scored = np.where(allowed, utility[None, :], -np.inf)
            pick = np.argmax(scored, axis=1)
            best[:, is_local] = np.where(allowed.any(axis=1), pick, NO_PLATFORM)
        return best

    def choose_platform(self, ids: np.ndarray, market: MarketConditions) -> np.ndarray:
        """Platform each of the firms ``ids`` joins: best utility plus its own taste."""
        if ids.size == 0 or market.n_platforms == 0:
            return np.full(ids.size, NO_PLATFORM, dtype=np.int16)
        choice = self.params.platform_choice
        local = self.local[ids]
        rebate = market.platform_rebate[None, :] * (local[:, None] & market.platform_local[None, :])
        commission = market.platform_commission[None, :] * (1.0 - rebate)
        utility = (
            choice.buyers_weight * np.log1p(market.platform_buyers / rules.BUYERS_UNIT)
            - choice.commission_weight * commission
            + choice.local_preference * (local[:, None] & market.platform_local[None, :])
            + choice.taste_scale * self.taste[ids]
        )
        allowed = market.platform_serves[:, self.sector[ids]].T
        utility = np.where(allowed, utility, -np.inf)
        pick = np.argmax(utility, axis=1).astype(np.int16)
        return np.where(allowed.any(axis=1), pick, NO_PLATFORM).astype(np.int16)


class HouseholdBlock:
    """The household sellers of a city: their rows' attributes, births and exits, drawn up front.

    Each household kind (``HOUSEHOLD_KINDS``) has its own demography and its own attribute
    streams, spawned from the ``households`` stream, so a kind's rows get the same values
    whatever the other kind holds and however long the horizon. The kinds' rows are then
    merged in order of birth (stable, so a longer horizon only adds rows at the end): rows born
    by each step are a prefix of the block, as for enterprises. With ``scale`` below one each
    kind is sampled and weighted back, like the enterprises.
    """

    def __init__(
        self,
        spec: Scenario,
        stream: np.random.Generator,
        n_steps: int,
        n_platforms: int,
        scale: float,
    ) -> None:
        households = spec.households
        cluster_stream, *kind_streams = stream.spawn(1 + len(HOUSEHOLD_KINDS))
        n_clusters = households.clusters.count
        sizes = np.exp(
            households.clusters.size_dispersion * cluster_stream.standard_normal(n_clusters)
        )
        # A sample keeps whole clusters (each with probability ``scale``), not scattered
        # members: a kept cluster has about its full membership, so its peer share and its
        # count of shops against the Taobao-village line are a real cluster's, and each kept
        # cluster stands for ``cluster_weight`` clusters of the city.
        kept = np.ones(n_clusters, dtype=bool)
        if scale != 1.0:
            kept = cluster_stream.random(n_clusters) < scale
            kept[np.argmax(sizes)] |= not kept.any()
        self.cluster_weight = n_clusters / int(kept.sum())
        cluster_odds = np.where(kept, sizes, 0.0) / sizes[kept].sum()
        parts: list[dict[str, np.ndarray]] = []
        for code, (kind, rng) in enumerate(
            zip(households.kinds().values(), kind_streams, strict=True), start=len(SIZE_CLASSES)
        ):
            count = _sampled(kind.count, scale)
            demography, attributes = rng.spawn(2)
            birth, exit_step = _demography(
                count, kind.entry_rate, kind.exit_rate, n_steps, demography
            )
            k = birth.size
            streams = attributes.spawn(len(HOUSEHOLD_STREAMS))
            draw = dict(zip(HOUSEHOLD_STREAMS, streams, strict=True))
            sector = _draw_codes(draw["sector"], kind.sector_shares, SECTORS, k)
            initially_online = draw["initial_online"].random(k) < kind.initial_adoption
            initially_online[count:] = False  # entrants start offline
            clustered = draw["clustered"].random(k) < kind.clustered_share
            cluster = draw["cluster"].choice(cluster_odds.size, size=k, p=cluster_odds)
            parts.append(
                {
                    "birth_step": birth,
                    "exit_step": exit_step,
                    "seller_class": np.full(k, code),
                    "sector": sector,
                    "revenue": kind.revenue.median
                    * np.exp(kind.revenue.dispersion * draw["revenue"].standard_normal(k)),
                    "skill": _draw_skill(
                        draw["skill"], np.full(k, kind.skill_mean), kind.skill_concentration
                    ),
                    "rural": draw["rural"].random(k) < kind.rural_share,
                    "propensity_normal": draw["propensity"].standard_normal(k),
                    "taste": draw["taste"].gumbel(size=(k, n_platforms)),
                    "awareness": draw["awareness"].random(k),
                    "history_normal": draw["history"].standard_normal(k),
                    "initially_online": initially_online,
                    "initial_depth": np.full(k, kind.initial_depth),
                    "cluster": np.where(clustered, cluster, -1),
                    "weight": np.full(k, kind.count / count if count else 1.0),
                }
            )
        merged = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
        order = np.argsort(merged["birth_step"], kind="stable")
        for name, values in merged.items():
            setattr(self, name, values[order])
        self.size = int(order.size)
        self.born_by_step = np.searchsorted(self.birth_step, np.arange(n_steps), side="right")
        self.exit_step = np.minimum(self.exit_step, NEVER)
        sampled = any(kind.count and scale != 1.0 for kind in households.kinds().values())
        if not sampled:
            self.weight = None

    birth_step: np.ndarray
    exit_step: np.ndarray
    seller_class: np.ndarray
    sector: np.ndarray
    revenue: np.ndarray
    skill: np.ndarray
    rural: np.ndarray
    propensity_normal: np.ndarray
    taste: np.ndarray
    awareness: np.ndarray
    history_normal: np.ndarray
    initially_online: np.ndarray
    initial_depth: np.ndarray
    cluster: np.ndarray
    weight: np.ndarray | None
    cluster_weight: float


#: Attributes drawn per household-seller row, each from its own stream (``HouseholdBlock``).
HOUSEHOLD_STREAMS = (
    "sector",
    "revenue",
    "skill",
    "rural",
    "propensity",
    "taste",
    "awareness",
    "history",
    "initial_online",
    "clustered",
    "cluster",
)


def _class_arrays(spec: Scenario) -> kernel.ClassArrays:
    """Behaviour by seller class: ``[adoption]`` for every size class, then each household kind."""
    adoption = spec.adoption
    enterprise = {
        "kind": 0,
        "innovation": adoption.innovation,
        "imitation": adoption.imitation,
        "market_weight": adoption.peer_weights.market,
        "sector_weight": adoption.peer_weights.sector,
        "cluster_weight": adoption.peer_weights.cluster,
        "abandonment_rate": adoption.abandonment_rate,
    }
    rows = [enterprise] * len(SIZE_CLASSES)
    for code, kind in enumerate(spec.households.kinds().values(), start=1):
        rows.append(
            {
                "kind": code,
                "innovation": kind.innovation,
                "imitation": kind.imitation,
                "market_weight": kind.peer_weights.market,
                "sector_weight": 0.0,
                "cluster_weight": kind.peer_weights.cluster,
                "abandonment_rate": kind.abandonment_rate,
            }
        )
    return kernel.ClassArrays(
        **{
            name: np.array([row[name] for row in rows], dtype=np.int8 if name == "kind" else float)
            for name in kernel.ClassArrays._fields
        }
    )


def _rule_parameters(spec: Scenario, n_platforms: int) -> kernel.RuleParameters:
    """The scenario's scalar parameters of firm behaviour, for the compiled kernel."""
    adoption, listing = spec.adoption, spec.firms.listing
    # Re-choosing needs a second platform to choose.
    switch_rate = adoption.switch_rate if n_platforms > 1 else 0.0
    return kernel.RuleParameters(
        park_peer_multiplier=adoption.park.peer_multiplier,
        benefit_sensitivity=adoption.benefit_sensitivity,
        switch_probability=float(rules.monthly_probability(switch_rate)),
        payback_years=adoption.payback_years,
        skill_cost_discount=adoption.skill_cost_discount,
        park_setup_discount=adoption.park.setup_discount,
        park_delivery_discount=adoption.park.delivery_discount,
        channel_saving=adoption.channel_saving,
        purchase_saving=adoption.purchase_saving,
        delivery_time_cost=adoption.delivery_time_cost,
        deepening_rate=adoption.deepening_rate,
        delivery_delay_drag=adoption.delivery_delay_drag,
        revenue_volatility=spec.firms.revenue_volatility,
        listing_rate=listing.rate,
        listing_min_volume=listing.min_annual_volume,
    )


#: Attributes drawn per firm row, each from its own stream (see ``_row_draws``).
ATTRIBUTE_STREAMS = (
    "size",
    "sector",
    "revenue",
    "skill",
    "rural",
    "park",
    "local",
    "propensity",
    "taste",
    "awareness",
    "history",
    "initial_online",
)


def _kind_of_class(seller_class: str) -> SellerKind:
    """The seller kind of a seller class: enterprise for a size class, else the household kind."""
    return seller_class if seller_class in HOUSEHOLD_KINDS else "enterprise"  # type: ignore[return-value]


def sampled_units(city_count: float, stands_for: float, rng: np.random.Generator) -> int:
    """Sampled units (rows, clusters) that stand for ``city_count``, each for ``stands_for``.

    Rounded at random, so the expected count is exact.
    """
    expected = max(0.0, city_count) / stands_for
    whole = int(expected)
    return whole + int(rng.random() < expected - whole)


def _sampled(count: int, scale: float) -> int:
    """Rows drawn for ``count`` sellers in a sample of ``scale`` (at least one, if any)."""
    return count if scale == 1.0 or count == 0 else max(1, round(count * scale))


def _uniform(rng: np.random.Generator, k: int) -> np.ndarray:
    return rng.random(k)


def _normal(rng: np.random.Generator, k: int) -> np.ndarray:
    return rng.standard_normal(k)


def _row_draws(population: np.random.Generator, n_native: int, n: int) -> Callable[..., np.ndarray]:
    """A function drawing one attribute for every row, from that attribute's own streams.

    The city's firms (initial ones, then entrants in order of arrival) and the relocation
    candidates draw from separate streams, and each attribute from its own, so the value a row
    gets does not depend on how many rows there are: a longer horizon (more entrants) leaves
    every existing row's attributes as they were.
    """
    native = dict(zip(ATTRIBUTE_STREAMS, population.spawn(len(ATTRIBUTE_STREAMS)), strict=True))
    outside = dict(zip(ATTRIBUTE_STREAMS, population.spawn(len(ATTRIBUTE_STREAMS)), strict=True))
    groups = ((native, slice(0, n_native)), (outside, slice(n_native, n)))

    def draw(name: str, make: Callable[..., np.ndarray], by_rows: bool = False) -> np.ndarray:
        parts = []
        for streams, rows in groups:
            k = rows.stop - rows.start
            parts.append(make(streams[name], k, rows) if by_rows else make(streams[name], k))
        return np.concatenate(parts)

    return draw


def _draw_codes(
    rng: np.random.Generator, shares: dict[str, float], names: tuple[str, ...], n: int
) -> np.ndarray:
    """Category codes drawn with the given shares (names missing from ``shares`` get none)."""
    p = np.array([shares.get(name, 0.0) for name in names])
    return rng.choice(len(names), size=n, p=p / p.sum())


def _draw_skill(rng: np.random.Generator, mean: np.ndarray, concentration: float) -> np.ndarray:
    """Digital skill in [0, 1]: Beta with the given mean; ``concentration = 0`` means no spread."""
    if concentration == 0:
        return mean.astype(float)
    inner = (mean > 0) & (mean < 1)
    safe = np.clip(mean, 1e-9, 1 - 1e-9)
    draws = rng.beta(safe * concentration, (1 - safe) * concentration)
    return np.where(inner, draws, mean)


def _demography(
    count: int, entry_rate: float, exit_rate: float, n_steps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Birth and exit steps of the initial firms and of every firm entering during the run.

    Exits are geometric with the monthly exit probability ``1 − e^(−exit_rate/12)``; entrants
    each month are Poisson with mean ``(1 − e^(−entry_rate/12))`` times the living firms.
    Generated before the run so that entry and exit never depend on policy.
    """
    p_exit = float(rules.monthly_probability(exit_rate))
    births = [np.zeros(count, dtype=np.int64)]
    alive_now = count
    exits_by_step = np.zeros(n_steps + 1, dtype=np.int64)

    def exits_for(n_new: int, born: int) -> np.ndarray:
        if p_exit == 0:
            return np.full(n_new, NEVER, dtype=np.int64)
        steps = born + rng.geometric(p_exit, size=n_new)
        inside = steps[steps <= n_steps]
        np.add.at(exits_by_step, inside, 1)
        return steps

    exits = [exits_for(count, 0)]
    for step in range(1, n_steps):
        alive_now -= exits_by_step[step]
        n_new = rng.poisson(float(rules.monthly_probability(entry_rate)) * alive_now)
        if n_new:
            births.append(np.full(n_new, step, dtype=np.int64))
            exits.append(exits_for(n_new, step))
            alive_now += n_new
    birth = np.concatenate(births)
    exit_step = np.minimum(np.concatenate(exits), NEVER)
    return birth, exit_step
