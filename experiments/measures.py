"""What an experiment keeps of each run: one row of outcomes and a few monthly series.

A run of the model (``run_scenario``) returns a monthly time series of every indicator. An
experiment of hundreds of runs keeps much less, as the EMA Workbench does with its
*outcomes*: for each run one number per outcome, read at the end of an outcome year (by
default the plan's last year), and the monthly series the figures draw.

Outcomes are the yearly outcomes of ``model.outcomes`` in the outcome year (``adoption_rate``,
``transaction_volume``, ``additional_adopters``, ``cost_per_additional_adopter``, …) and the
plan's totals up to the end of that year:

- ``fund_spent_total``, ``fiscal_cost_total``: money paid from the fund, and fund plus tax
  relief, since the plan started (yuan);
- ``additional_volume_total``: extra e-commerce volume (policy minus its paired no-policy
  run) summed over the same months (yuan);
- ``additional_adopters_per_yi``: extra adopters at the year's end per 亿 (1e8 yuan) of fiscal
  cost; ``additional_volume_per_yi``: extra volume per yuan of fiscal cost (亿 per 亿).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecomsim.model.outcomes import EFFECT_OUTCOMES, OUTCOMES, DeclaredOutcome, yearly_outcomes

YI = 1e8  # 亿 yuan


@dataclass(frozen=True)
class Unit:
    """How a quantity is shown.

    Tables divide by ``scale`` and write ``symbol`` (the customary 亿 and 万); figures divide
    by ``plot_scale`` and write ``plot_symbol`` (figure fonts have no CJK glyphs).
    """

    symbol: str
    scale: float
    digits: int
    plot_symbol: str
    plot_scale: float


UNITS: dict[str, Unit] = {
    "yuan": Unit("亿 yuan", YI, 1, "million yuan", 1e6),
    "yuan a year": Unit("亿 yuan a year", YI, 1, "billion yuan a year", 1e9),
    "share": Unit("%", 0.01, 1, "%", 0.01),
    "count": Unit("", 1.0, 0, "", 1.0),
    "parcels": Unit("万 parcels", 1e4, 0, "m parcels", 1e6),
    "yuan per adopter": Unit("万 yuan per adopter", 1e4, 1, "thousand yuan per adopter", 1e3),
    "adopters per 亿": Unit("adopters per 亿 yuan", 1.0, 1, "adopters per 100 m yuan", 1.0),
    "yuan per yuan": Unit("yuan per yuan", 1.0, 2, "yuan of volume per yuan of cost", 1.0),
}


@dataclass(frozen=True)
class Measure:
    """A named quantity of a run: a short label (plain ASCII, for figures) and its unit."""

    label: str
    unit: str

    def axis_label(self) -> str:
        """Label for a figure axis: what it is, and its unit in brackets."""
        symbol = UNITS[self.unit].plot_symbol
        return f"{self.label} ({symbol})" if symbol else self.label

    def unit_label(self) -> str:
        """The unit alone, for an axis whose title says what it is."""
        return UNITS[self.unit].plot_symbol or "number"

    def for_plot(self, values: object) -> object:
        """Values divided into the figure's unit."""
        return values / UNITS[self.unit].plot_scale


_EFFECT_UNITS = {
    "additional_adopters": "count",
    "additional_volume": "yuan",
    "cost_per_additional_adopter": "yuan per adopter",
    "deadweight_share": "share",
}

_TOTALS: dict[str, Measure] = {
    "fund_spent_total": Measure("fund spent since the plan started", "yuan"),
    "fiscal_cost_total": Measure("fiscal cost since the plan started", "yuan"),
    "additional_volume_total": Measure("extra e-commerce volume since the plan started", "yuan"),
    "additional_adopters_per_yi": Measure("extra adopters for the money", "adopters per 亿"),
    "additional_volume_per_yi": Measure("extra volume for the money", "yuan per yuan"),
}

#: Short figure labels of yearly outcomes (others are labelled by their name).
_LABELS = {
    "transaction_volume": "e-commerce volume",
    "online_retail": "online retail sales",
    "online_retail_share": "online share of retail sales",
    "adoption_rate": "firms online",
    "adoption_rate_sme": "SMEs online",
    "fund_spent": "fund spent in the year",
    "fiscal_cost": "fiscal cost in the year",
    "additional_adopters": "extra adopters (policy - no policy)",
    "additional_volume": "extra e-commerce volume in the year",
    "cost_per_additional_adopter": "cost per extra adopter",
    "deadweight_share": "deadweight share of tested spending",
}

#: Every outcome an experiment can keep, by name.
OUTCOME_MEASURES: dict[str, Measure] = {
    **{
        name: Measure(_LABELS.get(name, name.replace("_", " ")), o.unit)
        for name, o in OUTCOMES.items()
    },
    "fiscal_cost": Measure(_LABELS["fiscal_cost"], "yuan"),
    **{name: Measure(_LABELS[name], _EFFECT_UNITS[name]) for name in EFFECT_OUTCOMES},
    **_TOTALS,
}


@dataclass(frozen=True)
class Series:
    """A monthly series an experiment keeps for its figures, computed from a run's months."""

    measure: Measure
    compute: Callable[[pd.DataFrame], np.ndarray]


def _column(name: str) -> Callable[[pd.DataFrame], np.ndarray]:
    return lambda months: months[name].to_numpy(dtype=float)


def _trailing_year(name: str) -> Callable[[pd.DataFrame], np.ndarray]:
    """Sum of a monthly flow over the last 12 months (annualised while fewer have passed).

    In December it equals the calendar year's total, so it meets yearly targets exactly.
    """

    def compute(months: pd.DataFrame) -> np.ndarray:
        flow = months[name].to_numpy(dtype=float)
        window = np.convolve(flow, np.ones(12))[: flow.size]
        seen = np.minimum(np.arange(1, flow.size + 1), 12)
        return window * 12.0 / seen

    return compute


def _trailing_share(part: str, whole: str) -> Callable[[pd.DataFrame], np.ndarray]:
    numerator, denominator = _trailing_year(part), _trailing_year(whole)

    def compute(months: pd.DataFrame) -> np.ndarray:
        below = denominator(months)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(below > 0, numerator(months) / below, np.nan)

    return compute


def _deadweight_share(months: pd.DataFrame) -> np.ndarray:
    tested = months["tested_spending_cumulative"].to_numpy(dtype=float)
    deadweight = months["deadweight_spending_cumulative"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tested > 0, deadweight / tested, np.nan)


#: Monthly series by name. ``*_12m`` series are trailing twelve-month totals.
SERIES: dict[str, Series] = {
    "adoption_rate": Series(Measure("firms online", "share"), _column("adoption_rate")),
    "adoption_rate_cf": Series(
        Measure("firms online without the policy", "share"), _column("adoption_rate_cf")
    ),
    "transaction_volume_12m": Series(
        Measure("e-commerce volume, last 12 months", "yuan a year"),
        _trailing_year("transaction_volume"),
    ),
    "transaction_volume_12m_cf": Series(
        Measure("e-commerce volume without the policy, last 12 months", "yuan a year"),
        _trailing_year("transaction_volume_cf"),
    ),
    "online_retail_share_12m": Series(
        Measure("online share of retail sales, last 12 months", "share"),
        _trailing_share("online_retail", "retail_sales"),
    ),
    "online_retail_share_12m_cf": Series(
        Measure("online share of retail sales without the policy, last 12 months", "share"),
        _trailing_share("online_retail_cf", "retail_sales_cf"),
    ),
    "online_retail_12m": Series(
        Measure("online retail, last 12 months", "yuan a year"), _trailing_year("online_retail")
    ),
    "parcels_12m": Series(
        Measure("express items, last 12 months", "parcels"), _trailing_year("parcels")
    ),
    "online_shops": Series(
        Measure("online shops (every seller kind)", "count"), _column("online_shops")
    ),
    "fund_spent_cumulative": Series(
        Measure("fund spent since the start", "yuan"), _column("fund_spent_cumulative")
    ),
    "fiscal_cost_cumulative": Series(
        Measure("fiscal cost since the start", "yuan"), _column("fiscal_cost_cumulative")
    ),
    "additional_adopters": Series(
        Measure("extra adopters (policy - no policy)", "count"), _column("additional_adopters")
    ),
    "cost_per_additional_adopter": Series(
        Measure("cost per extra adopter", "yuan per adopter"),
        _column("cost_per_additional_adopter"),
    ),
    "deadweight_share": Series(
        Measure("deadweight share of tested spending", "share"), _deadweight_share
    ),
}

#: Outcomes whose monthly counterpart a sweep keeps by default (an outcome → its series).
SERIES_OF_OUTCOME = {
    "adoption_rate": "adoption_rate",
    "transaction_volume": "transaction_volume_12m",
    "online_retail_share": "online_retail_share_12m",
    "fund_spent_total": "fund_spent_cumulative",
    "fiscal_cost_total": "fiscal_cost_cumulative",
    "additional_adopters": "additional_adopters",
    "cost_per_additional_adopter": "cost_per_additional_adopter",
    "deadweight_share": "deadweight_share",
}


def run_outcomes(
    months: pd.DataFrame, year: int, declared: tuple[DeclaredOutcome, ...] = ()
) -> dict[str, float]:
    """Every outcome of one run (its ``timeseries``) at the end of ``year``.

    Outcomes a run cannot have (effects of a run without a counterfactual) are NaN. The
    outcomes its scenario declares (``declared``) come after the others, so plan targets on
    them can be scored from the run's row.
    """
    months = months[months["date"].str[:4].astype(int) <= year]
    yearly = yearly_outcomes(months, declared)
    row = yearly[yearly["year"] == year]
    if row.empty:
        raise ValueError(f"the run does not reach {year}")
    values = {
        name: float(row[name].iloc[0]) if name in row else float("nan")
        for name in [*OUTCOME_MEASURES, *(d.name for d in declared)]
        if name not in _TOTALS
    }
    fiscal = float(months["fiscal_cost_cumulative"].iloc[-1])
    values["fund_spent_total"] = float(months["fund_spent_cumulative"].iloc[-1])
    values["fiscal_cost_total"] = fiscal
    extra_volume = (
        float(months["additional_volume"].sum()) if "additional_volume" in months else np.nan
    )
    values["additional_volume_total"] = extra_volume
    per_yi = fiscal / YI
    values["additional_adopters_per_yi"] = (
        values["additional_adopters"] / per_yi if per_yi > 0 else float("nan")
    )
    values["additional_volume_per_yi"] = extra_volume / fiscal if fiscal > 0 else float("nan")
    return values


def run_series(months: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """The monthly series ``names`` of one run, with its ``step`` and ``date``.

    A series whose input columns the run lacks (a counterfactual column of a run without
    policy) is NaN.
    """
    frame = months[["step", "date"]].reset_index(drop=True)
    for name in names:
        try:
            frame[name] = SERIES[name].compute(months)
        except KeyError:
            frame[name] = np.nan
    return frame


def format_measure(value: float | None, unit: str) -> str:
    """A value in its unit's display form, without the unit symbol; ``–`` if missing."""
    if value is None or not np.isfinite(value):
        return "–"
    shown = UNITS[unit]
    return f"{value / shown.scale:,.{shown.digits}f}"
