"""Scoring a plan's own targets: the simulated value, the odds of meeting it, the policy's part.

For each target of a scenario (``[targets.NAME]``), ``score_targets`` takes the target year's
outcome in every replication and reports its median and 5th/95th percentiles, the share of
replications that meet the target (the probability of meeting it), the same for the paired
no-policy counterfactual, and the policy effect (policy minus counterfactual, replication by
replication). ``format_targets`` prints this as the table ``ecomsim run`` shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomsim.experiments.tables import format_value, render
from ecomsim.model.outcomes import CF
from ecomsim.scenarios.schema import TargetSpec


def _stats(values: np.ndarray) -> dict[str, float] | None:
    clean = values[~np.isnan(values)]
    if clean.size == 0:
        return None
    p5, median, p95 = np.percentile(clean, [5, 50, 95])
    return {"median": float(median), "p5": float(p5), "p95": float(p95)}


def _values(yearly: pd.DataFrame, target: TargetSpec, column: str) -> np.ndarray | None:
    """The target's measure per replication, or ``None`` if the year was not simulated."""
    by_year = yearly.set_index(["year", "replication"])[column]
    if target.year not in by_year.index.get_level_values("year"):
        return None
    level = by_year.loc[target.year].sort_index().to_numpy(dtype=float)
    if target.measure == "level":
        return level
    if target.year - 1 not in by_year.index.get_level_values("year"):
        return None
    months = yearly.set_index(["year", "replication"])["months"]
    before = by_year.loc[target.year - 1].sort_index().to_numpy(dtype=float)
    if target.definition.how != "last" and (months.loc[target.year - 1] < 12).any():
        return None  # growth over a part-year of flows would be meaningless
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before > 0, level / before - 1.0, np.nan)


def score_targets(targets: dict[str, TargetSpec], yearly: pd.DataFrame) -> list[dict[str, object]]:
    """Score every target on the yearly outcomes of all replications (``yearly_outcomes``).

    ``yearly`` must hold the outcomes the targets declare (``Scenario.declared_outcomes()``);
    each entry names its outcome's column (``firms_above_100yi``) and unit.
    """
    scored: list[dict[str, object]] = []
    for name, target in targets.items():
        entry: dict[str, object] = {
            "target": name,
            "description": target.description,
            "outcome": target.outcome_name,
            "year": target.year,
            "measure": target.measure,
        }
        scored.append(entry)
        if target.not_modelled is not None:
            entry["status"] = f"not modelled: {target.not_modelled}"
            continue
        sign, threshold = target.comparison
        column = str(target.outcome_name)
        entry.update({"comparison": sign, "threshold": threshold, "unit": target.definition.unit})
        values = _values(yearly, target, column)
        if values is None:
            entry["status"] = "not simulated (the run does not cover the year it needs)"
            continue
        entry["status"] = "scored"
        entry["simulated"] = _stats(values)
        entry["probability"] = float(target.met(values).mean())
        if column + CF in yearly:
            without = _values(yearly, target, column + CF)
            entry["counterfactual"] = _stats(without)
            entry["probability_counterfactual"] = float(target.met(without).mean())
            entry["effect"] = _stats(values - without)
    return scored


def _number(value: float, unit: str, measure: str) -> str:
    return format_value(value, "share" if measure == "growth" else unit)


def _interval(stats: dict[str, float] | None, unit: str, measure: str, spread: bool) -> str:
    if stats is None:
        return "–"
    median = _number(stats["median"], unit, measure)
    if not spread:
        return median
    low, high = (_number(stats[k], unit, measure).split(" ")[0] for k in ("p5", "p95"))
    return f"{median} [{low}–{high}]"


LABEL_WIDTH = 44  # characters of a target's description in the table
STATUS_WIDTH = 100  # characters of why a target is not scored (summary.json has it whole)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_targets(scored: list[dict[str, object]], replications: int) -> str:
    """The scored targets as a plain-text table."""
    if not scored:
        return ""
    header = ["target", "year", "goal", "simulated", "P(met)", "no policy", "P(met)", "effect"]
    rows = []
    for entry in scored:
        label = _shorten(str(entry["description"] or entry["target"]), LABEL_WIDTH)
        if entry["status"] != "scored":
            status = _shorten(str(entry["status"]), STATUS_WIDTH)
            rows.append([label, str(entry["year"]), status])
            continue
        unit = str(entry["unit"])
        measure = str(entry["measure"])
        goal = f"{entry['comparison']} {_number(entry['threshold'], unit, measure)}"
        if measure == "growth":
            goal += "/yr"
        spread = replications > 1
        rows.append(
            [
                label,
                str(entry["year"]),
                goal,
                _interval(entry["simulated"], unit, measure, spread),
                f"{entry['probability']:.0%}",
                _interval(entry.get("counterfactual"), unit, measure, spread),
                f"{entry['probability_counterfactual']:.0%}"
                if "probability_counterfactual" in entry
                else "–",
                _interval(entry.get("effect"), unit, measure, spread),
            ]
        )
    lines = render([header, *rows], "<>>>>>>>")  # unscored targets: status in one cell
    note = (
        f"P(met): share of {replications} replications meeting the target; "
        "effect: policy minus its paired no-policy run"
    )
    return "\n".join([*lines, f"({note})"])
