"""The Model: a city's e-commerce ecosystem, stepped month by month.

``EcommerceModel`` owns the clock, the random streams and the agents: the firm population (arrays),
platforms and logistics providers (Mesa agents) and the government funder (a Mesa agent holding
the policy portfolio). One month runs in fixed stages:

1. firms scheduled to enter or exit this month do so; the funder opens the budget year and
   pays what falls due;
2. instruments in force set this month's effects (anticipation, attraction, rebates,
   priority; ``model/effects.py``);
3. platforms update their buyers and may settle in the city;
4. logistics providers set cost and delivery time from last month's load, and invest;
5. relocation candidates may move in; firms grow, decide to go online, give up, switch
   platform, deepen, sell, and may list on an exchange;
6. platforms and providers book the month's sales and parcels;
7. the funder turns instruments' proposals into awards;
8. indicators are computed and the DataCollector records them.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import mesa
import numpy as np

from ecomsim.agents import firm_rules as rules
from ecomsim.agents.firm_kernel import PARCELS
from ecomsim.agents.firms import SECTORS, FirmPopulation, MarketConditions, SectorTable
from ecomsim.agents.funder import GovernmentFunder
from ecomsim.agents.logistics import LogisticsProvider
from ecomsim.agents.platform import Platform
from ecomsim.model.calendar import Month, check_horizon
from ecomsim.model.effects import InstrumentEffects
from ecomsim.model.indicators import compute_indicators, make_datacollector
from ecomsim.model.streams import RandomStreams

if TYPE_CHECKING:
    from ecomsim.scenarios.schema import Scenario


class EcommerceModel(mesa.Model):
    """A city's firms, platforms, logistics providers and government funder.

    Args:
        scenario: the validated scenario (``ecomsim.scenarios.load_scenario(...).spec``).
        rng: seed of the model's one random generator (Mesa 3 ``rng``).
        policy: ``False`` builds the same economy with every instrument switched off: the
            counterfactual a policy run is compared with.
        until: last month to simulate (default: the plan's end), at most
            ``calendar.MAX_RUN_YEARS`` years from the start.
        keep_policy: keep instruments in force after the plan's end when ``until`` extends
            the run (by default they stop at the plan's end).
        scale: simulate this fraction of the city's firms (a random sample); every count,
            sum, slot and payment is weighted back to the whole city (default: the
            scenario's ``sample``, 1 unless it says otherwise).

    Example:
        >>> from ecomsim.scenarios import load_scenario
        >>> model = EcommerceModel(load_scenario("demo").spec, rng=1)
        >>> model.run()
        >>> frame = model.datacollector.get_model_vars_dataframe()
        >>> frame["adoption_rate"].iloc[-1]  # doctest: +SKIP

    """

    def __init__(
        self,
        scenario: Scenario,
        rng: int | None = None,
        *,
        policy: bool = True,
        until: Month | None = None,
        keep_policy: bool = False,
        scale: float | None = None,
    ) -> None:
        super().__init__(rng=rng)
        scale = scenario.scenario.scale_for(scale)
        if not 0.0 < scale <= 1.0:
            raise ValueError(f"scale must be in (0, 1], got {scale}")
        self.spec = scenario  # Mesa reserves ``scenario`` for its own experimental class
        #: The outcomes of families the scenario's targets declare, computed monthly beside
        #: the fixed indicators (``model.outcomes.OUTCOME_FAMILIES``).
        self.declared_outcomes = scenario.declared_outcomes()
        self.policy = policy
        self.start = scenario.scenario.start
        self.plan_start = scenario.scenario.policy_start
        self.plan_end = scenario.scenario.end
        self.last_month = until or self.plan_end
        check_horizon(self.start, self.last_month, "until")
        self.policy_end = max(self.plan_end, self.last_month) if keep_policy else self.plan_end
        self.n_steps = self.start.months_until(self.last_month) + 1
        self.month = self.start
        self.step_index = 0
        self.year_end = False
        self.streams = RandomStreams(self.rng)
        self.sectors = SectorTable(scenario)
        self.platforms = [
            Platform(self, name, spec, k)
            for k, (name, spec) in enumerate(scenario.platforms.items())
        ]
        self.providers = [
            LogisticsProvider(self, name, spec, k)
            for k, (name, spec) in enumerate(scenario.logistics.items())
        ]
        self.funder = GovernmentFunder(self, scenario.funder, scenario.instruments)
        self.funder.in_force = policy
        self.firms = FirmPopulation(
            scenario, self.sectors, self.streams, self.n_steps, len(self.platforms), scale
        )
        self.effects = InstrumentEffects(self.firms.size, len(self.platforms))
        self.settlement_draws = np.zeros(len(self.platforms))
        self.firms.seed_history(self.market_conditions())
        self._book_month()
        for platform in self.platforms:  # the month before the start is not part of a year
            platform.volume_this_year = 0.0
        self.indicators: dict[str, float] = {}
        self.datacollector = make_datacollector(self)

    # ------------------------------------------------------------------ helpers
    def month_at(self, step: int) -> Month:
        """Calendar month simulated at 0-based step ``step``."""
        return self.start.plus(step)

    def relocation_group(self, name: str) -> int:
        """Group code of the candidate firms of HQ-attraction instrument ``name``."""
        return self.spec.relocation_group(name)

    def years_at(self, step: int) -> float:
        """Time at the beginning of month ``step``, in years (2011.0 is the start of 2011)."""
        return self.start.year + (self.start.month - 1 + step) / 12.0

    def shopper_index(self, step: int) -> float:
        """The country's online shoppers at month ``step``, relative to the start (1: no series)."""
        shoppers = self.spec.economy.online_shoppers
        if shoppers is None:
            return 1.0
        return shoppers.at(self.years_at(step)) / shoppers.at(self.years_at(0))

    def shopper_growth(self, step: int) -> float:
        """Yearly (continuous) growth of the country's online shoppers in month ``step`` (or 0)."""
        return 12.0 * float(np.log(self.shopper_index(step + 1) / self.shopper_index(step)))

    def retail_sales_per_month(self) -> float:
        """City retail sales of consumer goods this month (exogenous trend), yuan.

        A twelfth of the year's total, which grows by ``retail_sales_growth`` from year to year
        (``retail_sales`` is the start year's total, as statistics report it), so a simulated
        year's retail sales equal the yearly figure they are compared with.
        """
        economy = self.spec.economy
        years = self.month.year - self.start.year
        return economy.retail_sales * (1.0 + economy.retail_sales_growth) ** years / 12.0

    def market_conditions(self) -> MarketConditions:
        """What firms see this month of platforms, logistics and expected support."""
        platforms = self.platforms
        buyers = np.array([p.buyers for p in platforms], dtype=float)
        cost, days = self._delivery_terms()
        one_off, yearly = self.funder.expected_support()
        return MarketConditions(
            platform_buyers=buyers,
            platform_uplift=rules.platform_uplift(self.spec.adoption.reach_gain, buyers),
            platform_commission=np.array([p.commission for p in platforms], dtype=float),
            platform_rebate=np.broadcast_to(
                self.effects.get("commission_rebate"), len(platforms)
            ).astype(float),
            platform_local=np.array([p.local for p in platforms], dtype=bool),
            platform_serves=np.array([p.serves for p in platforms], dtype=bool).reshape(
                len(platforms), len(SECTORS)
            ),
            parcel_cost=cost,
            delivery_days=days,
            expected_one_off=one_off,
            expected_annual=yearly,
            listing_multiplier=self.effects.get("listing_multiplier"),
            relocation_extra=self.effects.get("relocation_hazard"),
            sales_push=self.effects.get("sales_push"),
            setup_discount=self.effects.get("setup_discount"),
            cluster_peer_multiplier=self.effects.get("cluster_peer_multiplier"),
            extra_reach=self.effects.get("extra_reach"),
        )

    def _provider_shares(self) -> np.ndarray:
        """Providers carry the city's parcels in proportion to their capacity.

        (Shares that chase last month's price oscillate: the cheaper network fills up,
        congests and empties again. Capacity shares are stable and let congestion show.)
        """
        capacity = np.array([p.capacity for p in self.providers])
        return capacity / capacity.sum()

    def _delivery_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """Market-share-weighted cost per parcel and delivery days, urban and rural."""
        if not self.providers:
            return np.zeros(2), np.zeros(2)
        shares = self._provider_shares()
        cost = np.array([[p.area_cost(rural) for rural in (False, True)] for p in self.providers])
        days = np.array([[p.area_days(rural) for rural in (False, True)] for p in self.providers])
        return shares @ cost, shares @ days

    def _book_month(self) -> None:
        """Platforms and providers book this month's sales, sellers and parcels."""
        firms = self.firms
        totals = firms.totals
        for p in self.platforms:
            p.record_month(
                float(totals.platform_sales[p.index]),
                round(float(totals.platform_sellers[p.index])),
                float(totals.local_seller_sales[p.index]),
            )
        if self.providers:
            total = firms.totals.city[PARCELS]
            for p, share in zip(self.providers, self._provider_shares(), strict=True):
                p.record_month(total * share)

    def _each(self, agent_type: type[mesa.Agent], method: str) -> None:
        if agent_type in self.agents_by_type:
            self.agents_by_type[agent_type].do(method)

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Simulate one month (see the module docstring for the stages)."""
        self.step_index = self.steps - 1
        self.month = self.month_at(self.step_index)
        self.year_end = self.month.month == 12
        self.effects.reset()  # instruments in force set this month's effects again
        self.settlement_draws = self.streams.settlement.random(len(self.platforms))

        self.sectors.demand_growth = self.shopper_growth(self.step_index)
        self.firms.begin_month(self.step_index, self.month)
        self._each(GovernmentFunder, "start_month")
        self.funder.prepare()
        self._each(Platform, "step")
        self._each(LogisticsProvider, "step")
        self.firms.step(self.step_index, self.month, self.market_conditions(), self.streams)
        self._book_month()
        self._each(GovernmentFunder, "step")
        self.indicators = compute_indicators(self)
        self.datacollector.collect(self)
        self.running = self.steps < self.n_steps

    def run(self) -> None:
        """Simulate every month from the start to ``until`` (or the plan's end)."""
        while self.running:
            self.step()

    def run_until(self, month: Month) -> None:
        """Simulate the months before ``month`` (or to the end, if that comes first)."""
        while self.running and self.month_at(self.steps) < month:
            self.step()

    def without_policy(self) -> EcommerceModel:
        """A copy of this model, as it stands, with the plan's instruments switched off.

        Before the plan starts a policy run and its counterfactual are the same model (same
        state, same draws), so the counterfactual can branch off at the plan's start instead
        of simulating the pre-plan years again.
        """
        twin = copy.deepcopy(self)
        twin.policy = False
        twin.funder.in_force = False
        return twin
