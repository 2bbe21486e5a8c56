"""Public investment in logistics infrastructure: hubs, delivery to villages, cold chains."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from ecomsim.agents.firms import SECTORS, Sector
from ecomsim.model.instruments.base import Instrument, Proposal, spread_over_year
from ecomsim.model.ranges import Days, Money, Parcels, ProgrammeCount, Share

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel
    from ecomsim.scenarios.schema import PolicyDesign, Scenario


class LogisticsInvestment(Instrument):
    """Co-funded logistics projects, each changing a provider's network when approved.

    One class covers the documents' infrastructure instruments by what a project does: a hub
    adds ``capacity_gain`` parcels a month and cuts unit cost by ``cost_reduction``; delivery to
    villages raises ``rural_coverage_gain``; faster service cuts ``days_reduction`` days; a cold
    chain lets perishables be sold online, raising sector ceilings (``sector_ceiling_gain``).
    ``projects_per_year`` projects of ``amount`` yuan each are spread over the year and go to the
    named ``provider`` (default: the provider carrying the most parcels at the time). Couture
    et al. (2021) found the gains of China's rural e-commerce programme came mostly through
    lower logistics costs.
    """

    kind: Literal["logistics_investment"]
    projects_per_year: ProgrammeCount
    amount: Money
    provider: str | None = None
    capacity_gain: Parcels = 0.0
    cost_reduction: Share = 0.0
    urban_coverage_gain: Share = 0.0
    rural_coverage_gain: Share = 0.0
    days_reduction: Days = 0.0
    sector_ceiling_gain: dict[Sector, Share] = Field(default_factory=dict)

    summary: ClassVar[str] = "co-funded logistics projects: capacity, cost, coverage, speed"
    size_fields: ClassVar[tuple[str, ...]] = (*Instrument.size_fields, "projects_per_year")

    def references_in(self, donor: PolicyDesign, host: Scenario) -> dict[str, object]:
        """A provider the host lacks becomes the default: the one carrying the most parcels."""
        if self.provider is None or self.provider in host.logistics:
            return {}
        return {"provider": None}

    def propose(self, model: EcommerceModel, name: str) -> Proposal | None:
        """This month's projects, each awarded to the target provider."""
        projects = spread_over_year(self.projects_per_year, model.month)
        if projects == 0 or not model.providers:
            return None
        if self.provider is not None:
            target = next(i for i, p in enumerate(model.providers) if p.name == self.provider)
        else:
            target = int(np.argmax([p.parcels for p in model.providers]))
        return Proposal("provider", np.full(projects, target), np.full(projects, self.amount))

    def on_award(
        self, model: EcommerceModel, name: str, recipients: np.ndarray, amounts: np.ndarray
    ) -> None:
        """Each funded project upgrades its provider (and sector ceilings, for a cold chain)."""
        for k in recipients.tolist():
            model.providers[k].upgrade(
                capacity_gain=self.capacity_gain,
                cost_reduction=self.cost_reduction,
                urban_coverage_gain=self.urban_coverage_gain,
                rural_coverage_gain=self.rural_coverage_gain,
                days_reduction=self.days_reduction,
            )
            for sector, gain in self.sector_ceiling_gain.items():
                ceiling = model.sectors.sales_ceiling
                code = SECTORS.index(sector)
                ceiling[code] = min(1.0, ceiling[code] + gain)
