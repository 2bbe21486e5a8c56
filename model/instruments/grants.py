"""Grants paid when a firm does something: go online (project grant) or list on an exchange."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import model_validator

from ecomsim.model.instruments.base import FirmInstrument, Proposal, not_yet_received
from ecomsim.model.ranges import HAZARD_MULTIPLIER, Money, Share

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel


class AdoptionGrant(FirmInstrument):
    """A one-off grant to an eligible firm in the month it goes online (project grant).

    Either a fixed ``amount`` or a ``cost_share`` of the firm's set-up cost, up to ``cap``;
    each firm gets it once. Firms expect it: a non-adopter counts ``amount × approval rate``
    (the share of applications the funder accepted over the last twelve months) against its
    set-up cost, so a grant that runs out of slots or budget stops attracting adopters.
    """

    kind: Literal["adoption_grant"]
    amount: Money | None = None
    cost_share: Share | None = None

    summary: ClassVar[str] = "one-off grant to a firm when it goes online"
    #: Deadweight if the firm went online in the no-policy run as well.
    deadweight_test: ClassVar[str | None] = "ever_adopted"

    @model_validator(mode="after")
    def _one_way_of_paying(self) -> AdoptionGrant:
        if (self.amount is None) == (self.cost_share is None):
            raise ValueError("give exactly one of amount (yuan) or cost_share (0..1)")
        return self

    def grant_for(self, model: EcommerceModel, firm_ids: np.ndarray) -> np.ndarray:
        """Grant each of ``firm_ids`` would receive."""
        if self.amount is not None:
            return self.capped(np.full(firm_ids.size, self.amount))
        # The share is of what the firm pays: less any part a programme bears in kind.
        discount = model.effects.get("setup_discount")
        borne = discount[firm_ids] if discount.size > 1 else discount[0]
        return self.capped(self.cost_share * model.firms.setup_cost(firm_ids) * (1.0 - borne))

    def expected_support(self, model: EcommerceModel, name: str) -> tuple[object, object]:
        """Grant × approval rate for non-adopters that would qualify once online."""
        firms = model.firms
        would_qualify = (
            self.eligible(firms, assume_adopted=True)
            & ~firms.adopted
            & not_yet_received(firms, model, name)
        )
        expected = np.zeros(firms.size)
        ids = np.flatnonzero(would_qualify)
        expected[ids] = self.grant_for(model, ids) * model.funder.approval_rate(name)
        return expected, 0.0

    def propose(self, model: EcommerceModel, name: str) -> Proposal:
        """Every eligible firm that went online this month applies."""
        ids = self.applicants(model, name, model.firms.adoption_step == model.step_index)
        return Proposal("firm", ids, self.grant_for(model, ids))


class ListingGrant(FirmInstrument):
    """A one-off grant to a firm that lists on a stock exchange (Guangzhou 五.3: 300 万).

    Listing itself is an economy process (``firms.listing``): large online firms list with a
    small yearly hazard. Firms that know of the grant list somewhat more readily
    (``hazard_multiplier``), so the grant can be partly additional.
    """

    kind: Literal["listing_grant"]
    amount: Money
    hazard_multiplier: Annotated[float, HAZARD_MULTIPLIER] = 1.0

    summary: ClassVar[str] = "one-off grant to a firm that lists on a stock exchange"
    #: Deadweight if the firm listed in the no-policy run as well.
    deadweight_test: ClassVar[str | None] = "listed"

    def prepare(self, model: EcommerceModel, name: str) -> None:
        """Eligible firms that have not had the grant list faster."""
        if self.hazard_multiplier == 1.0:
            return
        firms = model.firms
        boost = self.eligible(firms, assume_adopted=True) & not_yet_received(firms, model, name)
        boosted = np.flatnonzero(boost)
        model.effects.apply("listing_multiplier", self.hazard_multiplier, rows=boosted)

    def propose(self, model: EcommerceModel, name: str) -> Proposal:
        """Firms that listed this month apply."""
        ids = self.applicants(model, name, model.firms.listing_step == model.step_index)
        return Proposal("firm", ids, self.capped(np.full(ids.size, self.amount)))
