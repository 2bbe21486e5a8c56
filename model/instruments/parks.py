"""E-commerce parks and clusters: places for firms, and subsidies to the parks' operators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np

from ecomsim.model.instruments.base import FirmInstrument, Proposal
from ecomsim.model.ranges import PROGRAMME, FirmCount, Money

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel


class Park(FirmInstrument):
    """A set of e-commerce parks with places for firms (agglomeration).

    Guangzhou's "1+1+9" plan, Jining's ≥ 3 parks, Quzhou's two-then-three parks. Each month
    vacant places (``parks × places_per_park``, less members still alive) are filled with
    eligible firms outside parks, first come or ranked. Park members enjoy the agglomeration
    effects declared in ``adoption.park`` (lower set-up and delivery costs, stronger peer
    influence). Each year every park's operator receives ``subsidy_per_park_per_year``, unless
    nobody in the city is eligible for a place. With ``eligibility.seller_kinds`` a park is an
    incubator for household sellers (people starting an online shop).
    """

    kind: Literal["park"]
    parks: Annotated[int, PROGRAMME.at_least(1)]
    places_per_park: FirmCount
    subsidy_per_park_per_year: Money = 0.0

    summary: ClassVar[str] = "park places for firms (agglomeration) and subsidies to operators"
    size_fields: ClassVar[tuple[str, ...]] = (*FirmInstrument.size_fields, "parks")

    def prepare(self, model: EcommerceModel, name: str) -> None:
        """Fill vacant places before firms decide."""
        firms = model.firms
        memory = model.funder.memory(name)
        members = memory.get("members", np.empty(0, dtype=np.int64))
        # Places held by members still alive (city firms, in a sampled run too).
        living = firms.alive[members]
        occupied = float(living.sum() if firms.weight is None else firms.weight[members] @ living)
        vacancies = self.parks * self.places_per_park - occupied
        if vacancies <= 0:
            return
        rows = firms.sample_count(vacancies, model.streams.selection)
        admitted = self.order(
            model, np.flatnonzero(self.eligible(firms) & ~firms.in_park), limit=rows
        )
        firms.in_park[admitted] = True
        memory["members"] = np.concatenate([members, admitted])

    def propose(self, model: EcommerceModel, name: str) -> Proposal | None:
        """Once a year, the operator subsidy for each park."""
        memory = model.funder.memory(name)
        if self.subsidy_per_park_per_year == 0 or memory.get("last_year") == model.month.year:
            return None
        memory["last_year"] = model.month.year
        if not self.eligible(model.firms).any():
            return None  # no park for nobody (an incubator in a city without household sellers)
        return Proposal(
            "park", np.arange(self.parks), np.full(self.parks, self.subsidy_per_park_per_year)
        )
