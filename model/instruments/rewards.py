"""Rewards judged on results: growth prizes for firms and ranking awards for platforms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np

from ecomsim.model.calendar import Month
from ecomsim.model.instruments.base import (
    FirmInstrument,
    Instrument,
    Proposal,
    not_yet_received,
)
from ecomsim.model.ranges import GROWTH, PROGRAMME, Money, Multiple, Share, Years

if TYPE_CHECKING:
    from ecomsim.model.counterfactual import CounterfactualRecord
    from ecomsim.model.ecosystem import EcommerceModel


def meets_growth_streak(
    annual_volume: np.ndarray,
    last_year: int,
    years: int,
    threshold: float,
    min_base_volume: float,
) -> np.ndarray:
    """Firms whose yearly volume grew by ``threshold`` or more in each of ``years`` years.

    The years are those ending with row ``last_year`` of ``annual_volume`` (years × firms);
    the base year before them must show at least ``min_base_volume`` and be positive.
    """
    first = last_year - years
    if first < 0 or not 0 <= last_year < annual_volume.shape[0]:
        return np.zeros(annual_volume.shape[1], dtype=bool)
    base = annual_volume[first]
    meets = (base > 0) & (base >= min_base_volume)
    for year in range(first + 1, last_year + 1):
        meets &= annual_volume[year] >= (1.0 + threshold) * annual_volume[year - 1]
    return meets


class PerformanceReward(FirmInstrument):
    """A one-off prize to a firm whose e-commerce volume grew fast for several years running.

    Guangzhou (一.3): 200 万 to a recognised demonstration firm whose volume grew ≥ 30 % a year
    over the last three years, 50 firms. Judged each December on calendar-year volumes; the
    winner becomes a demonstration firm.

    Anticipation: a prize paid after the fact changes behaviour only if firms expect it. Each
    month, an aware firm (a share ``awareness`` of firms) that could win at this year's
    evaluation, and would fall short of the threshold without extra effort but reach it with
    effort, pushes: its online sales grow an extra ``effort_growth`` a year at a cost of
    ``effort_cost`` per yuan of online sales. It pushes only if the prize times its chance of
    winning (slots left ÷ firms on track) exceeds that cost. Firms already on track do not
    push, and firms far below cannot reach it, so how much of the prize is additional is an
    outcome of the model.
    """

    kind: Literal["performance_reward"]
    amount: Money
    growth_threshold: Annotated[float, GROWTH.at_least(0)]
    years: Years
    min_base_volume: Money = 0.0
    awareness: Share
    effort_growth: Annotated[float, GROWTH.at_least(0)] = 0.0
    effort_cost: Multiple = 0.0  # per yuan of online sales
    selection: Literal["first_come", "ranked"] = "ranked"
    rank_by: Literal["online_volume", "revenue", "volume_growth"] = "volume_growth"

    summary: ClassVar[str] = "one-off prize for sustained growth of online volume"

    def prepare(self, model: EcommerceModel, name: str) -> None:
        """Decide which aware firms push for the prize this month."""
        if self.effort_growth == 0 or self.awareness == 0:
            return
        year_end = Month(model.month.year, 12)
        if not self.is_active(year_end, model.plan_start, model.policy_end):
            return
        slots_left = model.funder.slots_left(name, self, model.month.year)
        if slots_left == 0:
            return
        firms = model.firms
        last_year = firms.year_index_of_last_complete
        if last_year < 0:  # no completed year yet (and no back-cast history)
            return
        # Only firms whose earlier years already meet the test can win: work on those rows.
        earlier_years_ok = meets_growth_streak(
            firms.annual_volume,
            last_year,
            self.years - 1,
            self.growth_threshold,
            self.min_base_volume,
        )
        last = firms.annual_volume[last_year]
        ids = np.flatnonzero(
            earlier_years_ok
            & (last > 0)
            & self.eligible(firms)
            & not_yet_received(firms, model, name)
        )
        months_left = 13 - model.month.month  # this month included
        # Effort grows online sales (not purchases); flows are last month's.
        sales = firms.online_sales[ids]
        monthly = sales + firms.online_purchases[ids]
        growth_path = np.exp(self.effort_growth * np.arange(1, months_left + 1) / 12.0).sum()
        without = firms.volume_to_date[ids] + months_left * monthly
        with_effort = without + (growth_path - months_left) * sales
        target = (1.0 + self.growth_threshold) * last[ids]
        on_track = with_effort >= target
        # Contenders are counted as city firms, in a sampled run too.
        weight = firms.weight[ids] if firms.weight is not None else 1.0
        contenders = max(1.0, float(np.sum(on_track * weight)))
        chance = 1.0 if slots_left is None else min(1.0, slots_left / contenders)
        effort_cost = self.effort_cost * growth_path * sales
        push = (
            on_track
            & (without < target)
            & (firms.awareness[ids] < self.awareness)
            & (self.amount * chance > effort_cost)
        )
        model.effects.apply("sales_push", self.effort_growth, rows=ids[push])

    def propose(self, model: EcommerceModel, name: str) -> Proposal | None:
        """In December, every eligible firm whose streak ends this year is a candidate."""
        if not model.year_end:
            return None
        firms = model.firms
        winners = meets_growth_streak(
            firms.annual_volume,
            firms.year_index_of_last_complete,
            self.years,
            self.growth_threshold,
            self.min_base_volume,
        )
        ids = self.applicants(model, name, winners)
        return Proposal("firm", ids, self.capped(np.full(ids.size, self.amount)))

    def on_award(
        self, model: EcommerceModel, name: str, recipients: np.ndarray, amounts: np.ndarray
    ) -> None:
        """Winners are recognised as demonstration firms."""
        model.firms.demonstration[recipients] = True

    def deadweight(
        self,
        recipients: np.ndarray,
        approved_steps: np.ndarray,
        counterfactual: CounterfactualRecord,
        model: EcommerceModel,
    ) -> np.ndarray:
        """Deadweight if the firm met the same growth test, same years, without the policy."""
        firms = model.firms
        out = np.zeros(recipients.size, dtype=bool)
        for step in np.unique(approved_steps):
            rows = approved_steps == step
            column = model.month_at(int(step)).year - firms.first_year
            out[rows] = meets_growth_streak(
                counterfactual.annual_volume[:, recipients[rows]],
                column,
                self.years,
                self.growth_threshold,
                self.min_base_volume,
            )
        return out


class PlatformAward(Instrument):
    """A yearly award shared by the city's platforms that rank in the top ``top_k`` by volume.

    Guangzhou (一.2(6)): 500 万 in total a year for platforms ranked in the national top 3.
    Each December platforms are ranked by their volume over the year; winners settled in the
    city get ``total_per_year / top_k`` each and spend it on acquiring buyers (at their
    ``buyer_acquisition_cost``), which feeds the two-sided network effect.
    """

    kind: Literal["platform_award"]
    total_per_year: Money
    top_k: Annotated[int, PROGRAMME.at_least(1)]

    summary: ClassVar[str] = "yearly award to the top-ranked platforms settled in the city"

    def propose(self, model: EcommerceModel, name: str) -> Proposal | None:
        """In December: settled platforms among the top ``top_k`` by yearly volume."""
        if not model.year_end or not model.platforms:
            return None
        volumes = np.array([p.volume_this_year for p in model.platforms])
        ranked = np.argsort(-volumes, kind="stable")[: self.top_k]
        winners = np.array(
            [k for k in ranked if model.platforms[k].settled and volumes[k] > 0], dtype=np.int64
        )
        share = self.total_per_year / self.top_k
        return Proposal("platform", winners, np.full(winners.size, share))

    def on_award(
        self, model: EcommerceModel, name: str, recipients: np.ndarray, amounts: np.ndarray
    ) -> None:
        """Winners turn the award into buyers."""
        for k, amount in zip(recipients, amounts, strict=True):
            model.platforms[int(k)].acquire_buyers(float(amount))
