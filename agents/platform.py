"""Platforms: two-sided marketplaces on which the city's firms sell."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ecomsim.agents import firm_rules as rules
from ecomsim.agents.firms import NEVER, SECTORS

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel
    from ecomsim.scenarios.schema import PlatformSpec


class Platform(mesa.Agent):
    """An e-commerce platform, local or external, with buyers on one side and sellers on the other.

    Buyers follow a target that grows with an exogenous national trend and, through the
    two-sided network effect, with the platform's sellers: ``target = buyers₀ · e^{g·t} ·
    ((city sellers + outside sellers) / reference sellers)^η``; each month buyers close a share
    of the gap. More buyers raise the reach a seller gets (its sales uplift), which draws more
    sellers (Rochet & Tirole 2003). An external platform with a national buyer base therefore
    out-competes a small local one for the city's sellers unless something tips the balance.

    A platform's volume is its city sellers' online sales plus its outside volume (which scales
    with its buyers). Only a platform *settled* in the city books its outside volume there;
    local platforms are settled, external ones may settle (spontaneously, or attracted).
    """

    def __init__(self, model: EcommerceModel, name: str, spec: PlatformSpec, index: int) -> None:
        super().__init__(model)
        self.name = name
        self.index = index
        self.kind = spec.kind
        self.local = spec.local
        self.settled = spec.settled or spec.local
        self.settled_step = -1 if self.settled else int(NEVER)
        self.commission = spec.commission
        self.initial_buyers = spec.buyers
        self.base_buyers = spec.buyers
        self.buyers = spec.buyers
        self.spec = spec
        self.serves = np.array([s in spec.sectors_served() for s in SECTORS])
        self.city_sellers = 0
        self.local_seller_sales = 0.0
        self.city_sales = 0.0
        self.monthly_volume = 0.0
        self.outside_volume = 0.0
        self.volume_this_year = 0.0

    @property
    def annual_volume(self) -> float:
        """This month's volume at a yearly rate, yuan."""
        return 12.0 * self.monthly_volume

    def target_buyers(self, months_elapsed: int) -> float:
        """Buyers the platform tends to: national trend times the network effect of sellers.

        The trend is the country's online shoppers relative to the start
        (``buyer_trend = "online_shoppers"``), or a constant yearly ``buyer_growth``.
        """
        spec = self.spec
        if spec.buyer_trend == "online_shoppers":
            trend = self.model.shopper_index(months_elapsed)
        else:
            trend = float(np.exp(spec.buyer_growth * months_elapsed * rules.MONTH))
        target = self.base_buyers * trend
        if spec.network_elasticity > 0:
            sellers = self.city_sellers + spec.external_sellers
            target *= (max(sellers, 1.0) / spec.reference_sellers) ** spec.network_elasticity
        return float(target)

    def step(self) -> None:
        """Update buyers toward their target, and settle in the city with the month's hazard."""
        model = self.model
        if model.month.month == 1:
            self.volume_this_year = 0.0
        target = self.target_buyers(model.step_index)
        self.buyers += self.spec.adjustment_rate * (target - self.buyers)
        if not self.settled:
            hazard = self.spec.settlement_rate + model.effects.of("settlement_hazard", self.index)
            if model.settlement_draws[self.index] < rules.monthly_probability(hazard):
                self.settled = True
                self.settled_step = model.step_index

    def acquire_buyers(self, money: float) -> None:
        """Spend money on acquiring buyers, who stay (no effect without an acquisition cost)."""
        if self.spec.buyer_acquisition_cost is not None:
            gained = money / self.spec.buyer_acquisition_cost
            self.base_buyers += gained
            self.buyers += gained

    def record_month(self, city_sales: float, city_sellers: int, local_seller_sales: float) -> None:
        """Book this month's sales by city sellers and the outside volume."""
        self.city_sales = city_sales
        self.city_sellers = city_sellers
        self.local_seller_sales = local_seller_sales
        growth = self.buyers / self.initial_buyers if self.initial_buyers > 0 else 1.0
        self.outside_volume = self.spec.external_volume * rules.MONTH * growth
        self.monthly_volume = city_sales + self.outside_volume
        self.volume_this_year += self.monthly_volume
