"""Yearly summaries across replications: what ``summary.json`` holds and ``ecomsim run`` prints.

``yearly_outcomes`` turns the monthly time series of every replication into one row per
replication and calendar year; ``summarise`` gives the median and 5th/95th percentiles of each
outcome across replications. Flows are summed over the months of the year that were simulated
(a plan starting in October has a three-month first year: ``months`` says so); stocks are read
at the year's last simulated month.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: Outcomes per calendar year, with how each is formed from the monthly series.
YEARLY_OUTCOMES = {
    "transaction_volume": "e-commerce volume over the year: firms' online sales and purchases "
    "plus outside volume of platforms settled in the city, yuan",
    "online_retail": "sum of monthly online retail sales, yuan",
    "online_retail_share": "online retail ÷ retail sales of consumer goods over the year",
    "adoption_rate": "share of living firms online at the year's end",
    "fund_spent": "money paid from the fund during the year, yuan",
    "fiscal_cost": "fund payments plus tax relief during the year, yuan",
    "additional_adopters": "adopters with the policy minus without, at the year's end",
    "additional_volume": "yearly volume with the policy minus without, yuan",
    "cost_per_additional_adopter": "cumulative fiscal cost ÷ additional adopters, year end, yuan",
    "deadweight_share": "cumulative deadweight spending ÷ cumulative spending that has a "
    "firm-level counterfactual test, year end",
}


def yearly_outcomes(timeseries: pd.DataFrame) -> pd.DataFrame:
    """One row per replication × calendar year with the outcomes of ``YEARLY_OUTCOMES``."""
    frame = timeseries.assign(year=timeseries["date"].str[:4].astype(int))
    grouped = frame.groupby(["replication", "year"], sort=True)
    flows = grouped[
        ["transaction_volume", "online_retail", "retail_sales", "fund_spent", "tax_expenditure"]
    ].sum()
    last = grouped.tail(1).set_index(["replication", "year"])
    out = pd.DataFrame(index=flows.index)
    out["months"] = grouped.size()
    out["transaction_volume"] = flows["transaction_volume"]
    out["online_retail"] = flows["online_retail"]
    out["online_retail_share"] = flows["online_retail"] / flows["retail_sales"].where(
        flows["retail_sales"] > 0
    )
    out["adoption_rate"] = last["adoption_rate"]
    out["fund_spent"] = flows["fund_spent"]
    out["fiscal_cost"] = flows["fund_spent"] + flows["tax_expenditure"]
    if "additional_adopters" in last:
        out["additional_adopters"] = last["additional_adopters"]
        out["additional_volume"] = (
            flows["transaction_volume"] - grouped["transaction_volume_cf"].sum()
        )
        out["cost_per_additional_adopter"] = last["cost_per_additional_adopter"]
        tested = last["tested_spending_cumulative"]
        out["deadweight_share"] = last["deadweight_spending_cumulative"] / tested.where(tested > 0)
    return out.reset_index()


def _stats(values: pd.Series) -> dict[str, float | None]:
    clean = values.dropna().to_numpy(dtype=float)
    if clean.size == 0:
        return {"median": None, "p5": None, "p95": None, "n": 0}
    p5, median, p95 = np.percentile(clean, [5, 50, 95])
    return {"median": float(median), "p5": float(p5), "p95": float(p95), "n": int(clean.size)}


def summarise(yearly: pd.DataFrame) -> dict[str, dict[str, object]]:
    """Median and 5th/95th percentiles across replications, per year and outcome."""
    out: dict[str, dict[str, object]] = {}
    for year, rows in yearly.groupby("year", sort=True):
        entry: dict[str, object] = {"months": int(rows["months"].max())}
        for outcome in YEARLY_OUTCOMES:
            if outcome in rows:
                entry[outcome] = _stats(rows[outcome])
        out[str(year)] = entry
    return out


def _fmt(value: float | None, scale: float, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value / scale:,.{digits}f}"


#: Columns of the printed table: outcome, heading, divisor, decimals.
TABLE_COLUMNS = (
    ("transaction_volume", "volume 亿", 1e8, 1),
    ("online_retail", "online retail 亿", 1e8, 1),
    ("online_retail_share", "online share %", 0.01, 1),
    ("adoption_rate", "adoption %", 0.01, 1),
    ("fund_spent", "fund spent 万", 1e4, 0),
    ("additional_adopters", "extra adopters", 1, 0),
    ("cost_per_additional_adopter", "cost/extra adopter 万", 1e4, 1),
)


def format_table(summary: dict[str, dict[str, object]], replications: int) -> str:
    """The summary as a plain-text table: median [5th–95th percentile] per cell.

    Outcomes that are zero or undefined in every year (no money in a scenario without a fund,
    say) are left out.
    """

    def informative(outcome: str) -> bool:
        return any(
            (row.get(outcome) or {}).get("p95") or (row.get(outcome) or {}).get("p5")
            for row in summary.values()
        )

    columns = [c for c in TABLE_COLUMNS if informative(c[0])]
    header = ["year"] + [c[1] for c in columns]
    rows = []
    for year, entry in summary.items():
        label = year if entry["months"] == 12 else f"{year} ({entry['months']} mo)"
        cells = [label]
        for outcome, _, scale, digits in columns:
            stats = entry.get(outcome)
            if not stats or stats["median"] is None:
                cells.append("–")
            elif replications > 1:
                cells.append(
                    f"{_fmt(stats['median'], scale, digits)} "
                    f"[{_fmt(stats['p5'], scale, digits)}–"
                    f"{_fmt(stats['p95'], scale, digits)}]"
                )
            else:
                cells.append(_fmt(stats["median"], scale, digits))
        rows.append(cells)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]
    ]
    note = (
        f"median [5th–95th percentile] across {replications} replications"
        if replications > 1
        else "one replication"
    )
    return "\n".join([*lines, f"({note}; money in yuan: 亿 = 1e8, 万 = 1e4)"])
