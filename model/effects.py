"""The month's instrument effects: what the instruments in force change besides paying money.

An instrument acts in two ways: with money (awards the funder accepts and pays) and by changing
what agents face this month — a hazard raised, a commission cut, the order in which a call
serves applicants. The second kind is collected here. Each effect is declared once in
``EFFECTS``: what it applies to (firm rows, platforms or the whole city), its neutral value
(what holds when no instrument sets it) and how the values of several instruments in force
combine (the largest, or the sum). The model resets every effect at the start of each month,
instruments' ``prepare`` hooks apply theirs, and firms, platforms and the funder read them.

A new effect is one declaration here, one ``apply`` in the instrument that causes it and one
read where it acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Scope = Literal["firm", "platform", "city"]
ALL = slice(None)  # every row (or platform) an effect covers


@dataclass(frozen=True)
class Effect:
    """One kind of monthly effect: what it applies to, its neutral value, how values combine."""

    over: Scope
    neutral: float
    combine: Literal["max", "sum"]
    description: str


EFFECTS: dict[str, Effect] = {
    "sales_push": Effect(
        "firm",
        0.0,
        "max",
        "yearly growth rate of online sales a firm adds by effort, to win a prize "
        "(performance_reward); one push at a time, the strongest",
    ),
    "listing_multiplier": Effect(
        "firm",
        1.0,
        "max",
        "multiplier of a firm's yearly listing hazard (listing_grant); the largest offer counts",
    ),
    "relocation_hazard": Effect(
        "firm",
        0.0,
        "sum",
        "yearly hazard added to an outside candidate firm's moving in (hq_attraction); "
        "rewards on offer add up",
    ),
    "settlement_hazard": Effect(
        "platform",
        0.0,
        "sum",
        "yearly hazard added to an outside platform's settling in the city "
        "(platform_attraction); rewards on offer add up",
    ),
    "commission_rebate": Effect(
        "platform",
        0.0,
        "max",
        "share of a local platform's commission rebated to its local sellers (local_emphasis); "
        "the largest rebate counts",
    ),
    "setup_discount": Effect(
        "firm",
        0.0,
        "max",
        "share of a seller's one-off cost of going online that a programme bears in kind: a "
        "supported village's shared shop services (cluster_support); the largest counts",
    ),
    "cluster_peer_multiplier": Effect(
        "firm",
        1.0,
        "max",
        "multiplier of the adopted share of a clustered household seller's own village or "
        "market among its peers (cluster_support); the largest counts",
    ),
    "extra_reach": Effect(
        "firm",
        0.0,
        "sum",
        "extra share of online sales from the buyers a brand line or a pavilion brings "
        "(brand_support), added to the platform's uplift; programmes add up",
    ),
    "local_priority": Effect(
        "city",
        0.0,
        "max",
        "1 while firm-selecting instruments serve local firms first (local_emphasis)",
    ),
}


class InstrumentEffects:
    """This month's value of every declared effect, for each firm row or platform it covers.

    An effect no instrument applied this month is held as its neutral value alone (a
    one-entry array, which the compiled kernel reads as 'the same for every row'), so a month
    without instruments allocates nothing per firm.
    """

    def __init__(self, n_firms: int, n_platforms: int) -> None:
        self._sizes: dict[Scope, int] = {"firm": n_firms, "platform": n_platforms, "city": 1}
        self._values: dict[str, np.ndarray] = {}

    def reset(self) -> None:
        """Every effect back to neutral (the start of a month)."""
        self._values = {}

    def apply(
        self,
        name: str,
        values: np.ndarray | float,
        rows: slice | np.ndarray | list[int] = ALL,
    ) -> None:
        """Combine ``values`` into effect ``name`` for ``rows`` (firm rows or platforms; all)."""
        effect = EFFECTS[name]
        current = self._values.get(name)
        if current is None:
            current = np.full(self._sizes[effect.over], effect.neutral)
            self._values[name] = current
        if effect.combine == "max":
            current[rows] = np.maximum(current[rows], values)
        else:
            current[rows] += values

    def get(self, name: str) -> np.ndarray:
        """Effect ``name`` per row it covers, or a single neutral entry if nobody set it."""
        value = self._values.get(name)
        return value if value is not None else np.array([EFFECTS[name].neutral])

    def of(self, name: str, index: int) -> float:
        """Effect ``name`` for one row or platform (``index``)."""
        value = self.get(name)
        return float(value[index] if value.size > 1 else value[0])

    def is_set(self, name: str) -> bool:
        """Whether some instrument applied effect ``name`` this month."""
        return name in self._values
