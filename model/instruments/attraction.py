"""Attraction: rewards that bring a platform's settlement centre or a firm's headquarters in."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from ecomsim.agents.firms import Sector
from ecomsim.model.instruments.base import Instrument, Proposal, RevenueDraw
from ecomsim.model.ranges import Money, ProgrammeCount, Rate, Share

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel
    from ecomsim.scenarios.schema import PolicyDesign, Scenario


class PlatformAttraction(Instrument):
    """A reward to an outside platform that settles its volume (or moves its HQ) in the city.

    Tianjin attracted settlement centres of Alibaba, Amazon, Suning and others; Guangzhou
    rewards top-50 national e-commerce firms that move registration and tax. While offered,
    each targeted platform not yet settled settles with yearly hazard ``relocation_rate`` on
    top of its own ``settlement_rate`` (what would happen anyway); once settled its whole
    volume counts toward the city's e-commerce volume. The reward is paid on settling.
    """

    kind: Literal["platform_attraction"]
    reward: Money
    relocation_rate: Rate
    platforms: list[str] | None = None

    summary: ClassVar[str] = "reward to an outside platform that settles in the city"
    #: Deadweight if the platform settled in the no-policy run as well.
    deadweight_test: ClassVar[str | None] = "platform_settled"

    def references_in(self, donor: PolicyDesign, host: Scenario) -> dict[str, object]:
        """Named targets become the host's platforms of the same kinds (possibly none)."""
        if self.platforms is None:
            return {}
        kinds = {donor.platforms[name] for name in self.platforms}
        return {"platforms": [name for name, p in host.platforms.items() if p.kind in kinds]}

    def _targets(self, model: EcommerceModel) -> list[int]:
        return [
            k
            for k, p in enumerate(model.platforms)
            if not p.settled and (self.platforms is None or p.name in self.platforms)
        ]

    def prepare(self, model: EcommerceModel, name: str) -> None:
        """Targeted platforms feel the pull while slots remain."""
        if model.funder.slots_left(name, self, model.month.year) == 0:
            return
        model.effects.apply("settlement_hazard", self.relocation_rate, rows=self._targets(model))

    def propose(self, model: EcommerceModel, name: str) -> Proposal:
        """Targeted platforms that settled this month claim the reward."""
        settled = [
            k
            for k, p in enumerate(model.platforms)
            if p.settled_step == model.step_index
            and (self.platforms is None or p.name in self.platforms)
        ]
        return Proposal(
            "platform", np.array(settled, dtype=np.int64), np.full(len(settled), self.reward)
        )


class HeadquartersAttraction(Instrument):
    """A reward to an outside e-commerce firm that moves its headquarters into the city.

    ``candidates`` firms of the given sector and revenue, already selling ``online_share`` of
    their sales online, live outside the city (in the counterfactual too). Each moves in with
    yearly hazard ``spontaneous_rate`` anyway, plus ``relocation_rate`` while the reward is
    offered; on arrival it becomes a city firm and claims the reward.
    """

    kind: Literal["hq_attraction"]
    candidates: ProgrammeCount  # each is a firm row, in the counterfactual too
    sector: Sector
    revenue: RevenueDraw
    online_share: Share
    reward: Money
    relocation_rate: Rate
    spontaneous_rate: Rate = 0.0

    summary: ClassVar[str] = "reward to an outside e-commerce firm that moves its HQ in"
    #: Deadweight if the firm moved in during the no-policy run as well.
    deadweight_test: ClassVar[str | None] = "relocated"

    def prepare(self, model: EcommerceModel, name: str) -> None:
        """Candidates of this instrument feel the pull while slots remain."""
        if model.funder.slots_left(name, self, model.month.year) == 0:
            return
        mine = np.flatnonzero(model.firms.relocation_group == model.relocation_group(name))
        model.effects.apply("relocation_hazard", self.relocation_rate, rows=mine)

    def propose(self, model: EcommerceModel, name: str) -> Proposal:
        """Candidates that moved in this month claim the reward."""
        firms = model.firms
        arrived = (firms.relocation_step == model.step_index) & (
            firms.relocation_group == model.relocation_group(name)
        )
        ids = np.flatnonzero(arrived)
        return Proposal("firm", ids, np.full(ids.size, self.reward))
