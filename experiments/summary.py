"""Yearly summaries across replications: what ``summary.json`` holds and ``ecomsim run`` prints.

``summarise`` takes the yearly outcomes of every replication (``model.outcomes``) and gives the
median and 5th/95th percentiles of each across replications, per calendar year;
``format_table`` prints the headline ones.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ecomsim.experiments.tables import render


def spread(values: pd.Series | np.ndarray) -> dict[str, float]:
    """Median, 5th and 95th percentiles and count of the finite values (NaN if there are none)."""
    clean = np.asarray(values, dtype=float)
    clean = clean[np.isfinite(clean)]
    if clean.size == 0:
        return {"median": math.nan, "p5": math.nan, "p95": math.nan, "n": 0}
    p5, median, p95 = np.percentile(clean, [5, 50, 95])
    return {"median": float(median), "p5": float(p5), "p95": float(p95), "n": int(clean.size)}


def _stats(values: pd.Series) -> dict[str, float | None]:
    """``spread`` for JSON: a missing statistic is ``None``."""
    return {k: None if k != "n" and math.isnan(v) else v for k, v in spread(values).items()}


def summarise(yearly: pd.DataFrame) -> dict[str, dict[str, object]]:
    """Median and 5th/95th percentiles across replications, per year and outcome."""
    out: dict[str, dict[str, object]] = {}
    for year, rows in yearly.groupby("year", sort=True):
        entry: dict[str, object] = {"months": int(rows["months"].max())}
        for outcome in rows.columns.drop(["replication", "year", "months"]):
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
    ("deadweight_share", "deadweight %", 0.01, 0),
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
    lines = render([header, *rows], ">" * len(header))
    note = (
        f"median [5th–95th percentile] across {replications} replications"
        if replications > 1
        else "one replication"
    )
    return "\n".join([*lines, f"({note}; money in yuan: 亿 = 1e8, 万 = 1e4)"])
