"""What a no-policy run leaves behind for judging the policy run it is paired with.

The counterfactual is the same economy, seed and random draws with every instrument off.
Comparing firm by firm, a payment is *deadweight* when its recipient did the rewarded thing
(went online, listed, grew fast enough, moved in) without the policy too; adopters with the
policy minus adopters without are the *additional* adopters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecomsim.agents.firms import NEVER
from ecomsim.model.outcomes import paired_indicators

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel


@dataclass
class CounterfactualRecord:
    """Per-firm and per-platform outcomes of a no-policy run, and its paired indicators."""

    ever_adopted: np.ndarray
    online_at_end: np.ndarray  # alive and online in the run's last month
    listed: np.ndarray
    relocated: np.ndarray
    annual_volume: np.ndarray
    platform_settled: np.ndarray
    indicators: pd.DataFrame

    @classmethod
    def from_model(cls, model: EcommerceModel) -> CounterfactualRecord:
        """Extract the record from a finished no-policy model."""
        firms = model.firms
        frame = model.datacollector.get_model_vars_dataframe()
        return cls(
            ever_adopted=firms.first_adoption_step != NEVER,
            online_at_end=firms.alive & firms.adopted,
            listed=firms.listed.copy(),
            relocated=firms.relocation_step != NEVER,
            annual_volume=firms.annual_volume.copy(),
            platform_settled=np.array([p.settled for p in model.platforms], dtype=bool),
            indicators=frame[list(paired_indicators(model.declared_outcomes))].reset_index(
                drop=True
            ),
        )


def label_deadweight(
    model: EcommerceModel, payments: pd.DataFrame, counterfactual: CounterfactualRecord
) -> pd.Series:
    """For each payment: True (deadweight), False (additional) or NA (no firm-level test)."""
    labels = pd.Series(pd.NA, index=payments.index, dtype="boolean")
    for name, rows in payments.groupby("instrument").groups.items():
        instrument = model.funder.portfolio[name]
        subset = payments.loc[rows]
        verdict = instrument.deadweight(
            subset["recipient"].to_numpy(),
            subset["approved_step"].to_numpy(),
            counterfactual,
            model,
        )
        if verdict is not None:
            labels.loc[rows] = verdict
    return labels
