"""Yearly outcomes: what a year of the model amounts to, for summaries and plan targets.

The model reports indicators monthly (flows per month, stocks at the month's end). Plans and
statistics speak in calendar years, so each outcome says how a year is formed from the months:
``sum`` of a flow over the year's simulated months, ``last`` value of a stock in the year's
last simulated month, or ``ratio`` of two summed flows. ``yearly_outcomes`` applies these to a
run's time series, for the policy run and (columns ending ``_cf``) its paired counterfactual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api.typing import DataFrameGroupBy

from ecomsim.agents.firms import HOUSEHOLD_KINDS, SECTORS, SIZE_CLASSES

CF = "_cf"  # suffix of the counterfactual's columns


@dataclass(frozen=True)
class Outcome:
    """How one yearly outcome is formed from monthly indicator columns."""

    description: str
    unit: Literal["yuan", "share", "count", "parcels", "yuan per adopter"]
    how: Literal["sum", "last", "ratio"]
    column: str
    denominator: str | None = None  # for ``ratio``: the flow divided by


def _adoption(group: str, who: str) -> Outcome:
    return Outcome(f"share of living {who} online at the year's end", "share", "last", group)


OUTCOMES: dict[str, Outcome] = {
    "transaction_volume": Outcome(
        "e-commerce volume (电子商务交易额: B2B + B2C + C2C) over the year: online sales and "
        "purchases of every seller in the city, plus the outside volume of platforms settled "
        "in the city",
        "yuan",
        "sum",
        "transaction_volume",
    ),
    "online_sales": Outcome(
        "online sales of every seller in the city over the year", "yuan", "sum", "online_sales"
    ),
    "online_sales_household": Outcome(
        "online sales of household sellers (self-employed and individuals) over the year",
        "yuan",
        "sum",
        "online_sales_household",
    ),
    "online_purchases": Outcome(
        "online purchases of every seller in the city over the year",
        "yuan",
        "sum",
        "online_purchases",
    ),
    "online_retail": Outcome(
        "online retail (网络零售额, seller side) over the year: sales to consumers by every "
        "seller located in the city, household shops included",
        "yuan",
        "sum",
        "online_retail",
    ),
    "online_retail_share": Outcome(
        "online retail ÷ retail sales of consumer goods over the year",
        "share",
        "ratio",
        "online_retail",
        "retail_sales",
    ),
    "cross_border_sales": Outcome(
        "city firms' sales on cross-border platforms over the year",
        "yuan",
        "sum",
        "cross_border_sales",
    ),
    "parcels": Outcome(
        "express items collected in the city over the year (快递业务量): the e-commerce "
        "parcels of every seller plus the express that is not e-commerce "
        "(economy.non_ecommerce_express_share)",
        "parcels",
        "sum",
        "parcels",
    ),
    "ecommerce_parcels": Outcome(
        "e-commerce parcels sent by every seller in the city over the year",
        "parcels",
        "sum",
        "ecommerce_parcels",
    ),
    "online_shops": Outcome(
        "online shops at the year's end: sellers of every kind that sell online",
        "count",
        "last",
        "online_shops",
    ),
    "online_shops_household": Outcome(
        "online shops of household sellers (self-employed and individuals) at the year's end",
        "count",
        "last",
        "online_shops_household",
    ),
    **{
        f"adoption_rate_{kind}": _adoption(f"adoption_rate_{kind}", f"{kind} household sellers")
        for kind in HOUSEHOLD_KINDS
    },
    "adoption_rate": _adoption("adoption_rate", "enterprises"),
    **{f"adoption_rate_{s}": _adoption(f"adoption_rate_{s}", f"{s} firms") for s in SIZE_CLASSES},
    **{f"adoption_rate_{s}": _adoption(f"adoption_rate_{s}", f"{s} firms") for s in SECTORS},
    "adoption_rate_sme": _adoption("adoption_rate_sme", "micro, small and medium firms"),
    "adoption_rate_above_scale": _adoption("adoption_rate_above_scale", "above-scale firms"),
    **{
        f"online_{kind}_ratio_{group}": Outcome(
            f"online share of {who}' {kind} in December, annualised",
            "share",
            "last",
            f"online_{kind}_ratio_{group}",
        )
        for kind in ("sales", "purchase")
        for group, who in (("large", "large firms"), ("sme", "SMEs"))
    },
    "firms_above_1e9": Outcome(
        "firms with online volume ≥ 10 亿 over the last 12 months, year end",
        "count",
        "last",
        "firms_above_1e9",
    ),
    "firms_above_1e10": Outcome(
        "firms with online volume ≥ 100 亿 over the last 12 months, year end",
        "count",
        "last",
        "firms_above_1e10",
    ),
    "platforms_above_1e11": Outcome(
        "platforms settled in the city with volume ≥ 1000 亿 a year, year end",
        "count",
        "last",
        "platforms_above_1e11",
    ),
    "listed_firms": Outcome(
        "living firms listed on an exchange, year end", "count", "last", "listed_firms"
    ),
    "demonstration_firms": Outcome(
        "living recognised demonstration firms, year end", "count", "last", "demonstration_firms"
    ),
    "park_firms": Outcome("living firms in a park, year end", "count", "last", "park_firms"),
    "trained_firms": Outcome(
        "living firms whose staff were trained, year end", "count", "last", "trained_firms"
    ),
    "fund_spent": Outcome("money paid from the fund during the year", "yuan", "sum", "fund_spent"),
    "tax_expenditure": Outcome(
        "tax relief granted during the year", "yuan", "sum", "tax_expenditure"
    ),
}

#: Outcomes with a policy effect, derived when a run is paired with its counterfactual.
EFFECT_OUTCOMES: dict[str, str] = {
    "additional_adopters": "adopters with the policy minus without, at the year's end",
    "additional_volume": "yearly volume with the policy minus without, yuan",
    "cost_per_additional_adopter": "cumulative fiscal cost ÷ additional adopters, year end, yuan",
    "deadweight_share": "cumulative deadweight spending ÷ cumulative spending that has a "
    "firm-level counterfactual test, year end",
}

#: Monthly indicators the counterfactual keeps beside the policy run's (suffix ``_cf``).
#: Money columns are left out: the counterfactual spends nothing.
PAIRED_INDICATORS: tuple[str, ...] = tuple(
    sorted(
        ({o.column for o in OUTCOMES.values()} | {"adopters", "retail_sales"})
        - {"fund_spent", "tax_expenditure"}
    )
)


def _yearly(grouped: DataFrameGroupBy, last: pd.DataFrame, suffix: str) -> dict[str, pd.Series]:
    out: dict[str, pd.Series] = {}
    for name, outcome in OUTCOMES.items():
        column = outcome.column + suffix
        if column not in last:
            continue
        if outcome.how == "last":
            out[name + suffix] = last[column]
        elif outcome.how == "sum":
            out[name + suffix] = grouped[column].sum()
        else:
            denominator = grouped[outcome.denominator + suffix].sum()
            out[name + suffix] = grouped[column].sum() / denominator.where(denominator > 0)
    return out


def yearly_outcomes(timeseries: pd.DataFrame) -> pd.DataFrame:
    """One row per replication × calendar year: every outcome, its counterfactual and effects.

    ``months`` gives how many months of the year were simulated (a plan starting in October
    has a three-month first year).
    """
    frame = timeseries.assign(year=timeseries["date"].str[:4].astype(int))
    grouped = frame.groupby(["replication", "year"], sort=True)
    last = grouped.tail(1).set_index(["replication", "year"])
    columns: dict[str, pd.Series] = {"months": grouped.size()}
    columns.update(_yearly(grouped, last, ""))
    columns["fiscal_cost"] = columns["fund_spent"] + columns["tax_expenditure"]
    if "additional_adopters" in last:
        columns.update(_yearly(grouped, last, CF))
        columns["additional_adopters"] = last["additional_adopters"]
        columns["additional_volume"] = (
            columns["transaction_volume"] - columns["transaction_volume" + CF]
        )
        columns["cost_per_additional_adopter"] = last["cost_per_additional_adopter"]
        tested = last["tested_spending_cumulative"]
        columns["deadweight_share"] = last["deadweight_spending_cumulative"] / tested.where(
            tested > 0
        )
    out = pd.DataFrame(columns)
    return out.replace([np.inf, -np.inf], np.nan).reset_index()
