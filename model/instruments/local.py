"""Local-firm emphasis: local firms first in every call, and cheaper local platforms."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from ecomsim.model.instruments.base import Instrument, Proposal
from ecomsim.model.ranges import Share

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel


class LocalEmphasis(Instrument):
    """Favour local firms and local platforms (the Dongguan proposal's emphasis).

    With ``local_priority`` every firm-selecting instrument serves local firms before others
    (ranking within each group unchanged). With ``commission_rebate`` the fund reimburses that
    share of a local platform's commission to its local sellers, paid monthly through the
    platform; while money remains, local sellers see the lower commission when they choose a
    platform, which helps a local platform hold out against external ones.
    """

    kind: Literal["local_emphasis"]
    local_priority: bool = True
    commission_rebate: Share = 0.0

    summary: ClassVar[str] = "local firms first in every call; commission rebate on local platforms"

    def pays_from_fund(self) -> bool:
        """Only the commission rebate costs the fund money; priority is free."""
        return self.commission_rebate > 0

    def standing_effects(self) -> dict[str, float]:
        """Local firms first, in every month the emphasis is in force."""
        return {"local_priority": 1.0} if self.local_priority else {}

    def prepare(self, model: EcommerceModel, name: str) -> None:
        """Announce the rebate on local platforms while the fund can pay it."""
        if self.commission_rebate == 0 or model.funder.remaining_budget(name) <= 0:
            return
        local = [k for k, platform in enumerate(model.platforms) if platform.local]
        model.effects.apply("commission_rebate", self.commission_rebate, rows=local)

    def propose(self, model: EcommerceModel, name: str) -> Proposal | None:
        """This month's rebates, one payment per local platform."""
        if self.commission_rebate == 0:
            return None
        ids = [k for k, p in enumerate(model.platforms) if p.local and p.local_seller_sales > 0]
        amounts = [
            self.commission_rebate
            * model.platforms[k].commission
            * model.platforms[k].local_seller_sales
            for k in ids
        ]
        return Proposal("rebate", np.array(ids, dtype=np.int64), np.array(amounts))
