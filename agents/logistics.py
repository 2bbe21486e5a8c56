"""Logistics providers: express networks that carry the parcels of online retail."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel
    from ecomsim.scenarios.schema import LogisticsSpec


def _excess(utilisation: float, threshold: float) -> float:
    """How far utilisation is past the congestion threshold, scaled to the room left above it."""
    if threshold >= 1.0:
        return max(0.0, utilisation - 1.0)
    return max(0.0, utilisation - threshold) / (1.0 - threshold)


class LogisticsProvider(mesa.Agent):
    """An express/logistics provider with capacity, unit cost, coverage and delivery time.

    Unit cost falls with volume (economies of scale, ``((load + ref) / 2ref)^−e``, finite at
    zero load) and rises once utilisation passes a threshold (congestion), which also slows
    delivery. Areas the network does not cover pay a surcharge and wait extra days. When
    utilisation stays above ``invest_threshold`` for ``invest_after_months`` months the provider
    multiplies its capacity by ``1 + invest_step``. Public infrastructure projects (``upgrade``)
    add capacity, cut costs, extend coverage and shorten delivery.
    """

    def __init__(self, model: EcommerceModel, name: str, spec: LogisticsSpec, index: int) -> None:
        super().__init__(model)
        self.name = name
        self.index = index
        self.spec = spec
        self.capacity = spec.capacity
        self.base_cost = spec.cost_per_parcel
        self.base_days = spec.delivery_days
        self.urban_coverage = spec.urban_coverage
        self.rural_coverage = spec.rural_coverage
        self.parcels = 0.0
        self.utilisation = 0.0
        self.cost_per_parcel = spec.cost_per_parcel
        self.delivery_days = spec.delivery_days
        self.busy_months = 0
        self.upgrades = 0

    def step(self) -> None:
        """Set this month's cost and delivery time from last month's load; invest if busy."""
        spec = self.spec
        self.utilisation = self.parcels / self.capacity
        scale = 1.0
        if spec.scale_elasticity > 0:
            ref = spec.reference_parcels
            scale = ((self.parcels + ref) / (2.0 * ref)) ** (-spec.scale_elasticity)
        excess = _excess(self.utilisation, spec.congestion_threshold)
        self.cost_per_parcel = self.base_cost * scale * (1.0 + spec.congestion_cost * excess)
        self.delivery_days = self.base_days * (1.0 + spec.congestion_delay * excess)
        self.busy_months = self.busy_months + 1 if self.utilisation > spec.invest_threshold else 0
        if spec.invest_step > 0 and self.busy_months >= spec.invest_after_months:
            self.capacity *= 1.0 + spec.invest_step
            self.busy_months = 0

    def area_cost(self, rural: bool) -> float:
        """Cost per parcel to an urban or a rural address (uncovered areas pay a surcharge)."""
        coverage = self.rural_coverage if rural else self.urban_coverage
        return self.cost_per_parcel * (1.0 + self.spec.uncovered_surcharge * (1.0 - coverage))

    def area_days(self, rural: bool) -> float:
        """Delivery days to an urban or a rural address."""
        coverage = self.rural_coverage if rural else self.urban_coverage
        return self.delivery_days + self.spec.uncovered_extra_days * (1.0 - coverage)

    def upgrade(
        self,
        *,
        capacity_gain: float = 0.0,
        cost_reduction: float = 0.0,
        urban_coverage_gain: float = 0.0,
        rural_coverage_gain: float = 0.0,
        days_reduction: float = 0.0,
    ) -> None:
        """Apply one co-funded infrastructure project."""
        self.capacity += capacity_gain
        self.base_cost *= 1.0 - cost_reduction
        self.urban_coverage = min(1.0, self.urban_coverage + urban_coverage_gain)
        self.rural_coverage = min(1.0, self.rural_coverage + rural_coverage_gain)
        self.base_days = max(0.0, self.base_days - days_reduction)
        self.upgrades += 1

    def record_month(self, parcels: float) -> None:
        """Book the parcels this provider carried this month."""
        self.parcels = parcels
