"""The funder's ledger: every payment, with month, recipient, instrument and amount."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

COLUMNS = (
    "step",
    "instrument",
    "recipient_kind",
    "recipient",
    "amount",
    "paid_from",
    "approved_step",
)


class Ledger:
    """Payments in the order they were made; stored in columns, read as a DataFrame."""

    def __init__(self) -> None:
        self._batches: list[dict[str, np.ndarray]] = []
        self.paid_by_instrument: dict[str, float] = defaultdict(float)
        self.paid_by_source: dict[str, float] = defaultdict(float)

    def record(
        self,
        *,
        step: int,
        instrument: str,
        recipient_kind: str,
        recipients: np.ndarray,
        amounts: np.ndarray,
        paid_from: str,
        approved_step: int,
    ) -> None:
        """Book a batch of payments made at ``step``."""
        n = len(recipients)
        if n == 0:
            return
        self._batches.append(
            {
                "step": np.full(n, step, dtype=np.int32),
                "instrument": np.full(n, instrument, dtype=object),
                "recipient_kind": np.full(n, recipient_kind, dtype=object),
                "recipient": np.asarray(recipients, dtype=np.int64),
                "amount": np.asarray(amounts, dtype=float),
                "paid_from": np.full(n, paid_from, dtype=object),
                "approved_step": np.full(n, approved_step, dtype=np.int32),
            }
        )
        total = float(np.sum(amounts))
        self.paid_by_instrument[instrument] += total
        self.paid_by_source[paid_from] += total

    def total(self, paid_from: str | None = None) -> float:
        """Total paid so far, from the fund, as tax relief, or both (``None``)."""
        if paid_from is None:
            return float(sum(self.paid_by_source.values()))
        return float(self.paid_by_source.get(paid_from, 0.0))

    def to_frame(self) -> pd.DataFrame:
        """All payments, one row each."""
        if not self._batches:
            return pd.DataFrame(
                {
                    c: pd.Series(dtype=d)
                    for c, d in zip(
                        COLUMNS,
                        ("int32", "object", "object", "int64", "float64", "object", "int32"),
                        strict=True,
                    )
                }
            )
        return pd.DataFrame({c: np.concatenate([b[c] for b in self._batches]) for c in COLUMNS})
