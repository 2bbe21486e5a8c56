"""Tax relief: revenue the government forgoes rather than money it pays from the fund."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from ecomsim.model.instruments.base import FirmInstrument, Proposal
from ecomsim.model.ranges import Share

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel


class TaxRelief(FirmInstrument):
    """Yearly relief of property and land-use tax for eligible e-commerce firms.

    Guangzhou (九.2): key e-commerce firms in difficulty may be relieved of property and urban
    land-use tax. Relief is ``rate`` × revenue a year, up to ``cap``, granted each December to
    the firms eligible then. It is recorded as tax expenditure (``paid_from = tax``), outside
    the fund's budget. Firms that would qualify once online count it as a yearly benefit.
    """

    kind: Literal["tax_relief"]
    rate: Share  # of revenue, a year

    summary: ClassVar[str] = "yearly property/land tax relief for eligible firms (not the fund)"
    #: Deadweight if the firm went online in the no-policy run as well.
    deadweight_test: ClassVar[str | None] = "ever_adopted"

    def pays_from_fund(self) -> bool:
        """Relief is tax expenditure, outside the fund."""
        return False

    def relief_for(self, model: EcommerceModel, firm_ids: np.ndarray) -> np.ndarray:
        """Relief each of ``firm_ids`` would receive this year."""
        return self.capped(self.rate * model.firms.revenue[firm_ids])

    def expected_support(self, model: EcommerceModel, name: str) -> tuple[object, object]:
        """Yearly relief for firms that qualify, or would once online."""
        firms = model.firms
        ids = np.flatnonzero(self.eligible(firms, assume_adopted=True))
        yearly = np.zeros(firms.size)
        yearly[ids] = self.relief_for(model, ids)
        return 0.0, yearly

    def propose(self, model: EcommerceModel, name: str) -> Proposal | None:
        """In December, every eligible firm is relieved."""
        if not model.year_end:
            return None
        ids = self.order(model, np.flatnonzero(self.eligible(model.firms)))
        return Proposal("firm", ids, self.relief_for(model, ids), paid_from="tax")
