"""``ecomsim compare``: several scenarios side by side, over replications.

Every scenario runs the same replication seeds (common random numbers), each replication a
policy run paired with its no-policy run. The results folder keeps, per run, every outcome in
the scenario's last year and the monthly series the comparison figure draws; the comparison
table gives the median and 90 % interval of the headline outcomes per scenario, and the targets
table the probability of meeting each of the plan's level targets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomsim import __version__
from ecomsim.experiments.batch import Batch, describe_scenario
from ecomsim.experiments.jobs import RunJob
from ecomsim.experiments.runner import replication_seeds
from ecomsim.experiments.summary import spread
from ecomsim.scenarios import LoadedScenario
from ecomsim.scenarios.schema import meets

#: Monthly series a comparison keeps (and its figure draws), in panel order.
COMPARE_SERIES = (
    "adoption_rate",
    "transaction_volume_12m",
    "online_retail_share_12m",
    "fund_spent_cumulative",
    "cost_per_additional_adopter",
    "deadweight_share",
)

#: Outcomes in the comparison table, in column order.
HEADLINE_OUTCOMES = (
    "adoption_rate",
    "transaction_volume",
    "online_retail_share",
    "fund_spent_total",
    "additional_adopters",
    "cost_per_additional_adopter",
    "deadweight_share",
    "additional_adopters_per_yi",
)


def compare_batch(
    scenarios: list[LoadedScenario], replications: int, seed: int, scale: float | None = None
) -> Batch:
    """The runs of a comparison: ``replications`` of each scenario, run ``s × R + r``."""
    seeds = replication_seeds(seed, replications)

    def job(index: int) -> RunJob:
        loaded, replication = scenarios[index // replications], index % replications
        return RunJob(
            scenario=loaded.spec,
            seed=seeds[replication],
            replication=replication,
            year=loaded.spec.scenario.end.year,
            labels={"scenario": loaded.name},
            series=COMPARE_SERIES,
            scale=scale,
        )

    identity = {
        "kind": "compare",
        "ecomsim_version": __version__,
        "scenarios": {s.name: s.spec_sha256 for s in scenarios},
        "replications": replications,
        "seed": seed,
        "scale": scale,
    }
    about = {
        "scenarios": [describe_scenario(s) for s in scenarios],
        "seed": seed,
        "replications": replications,
        "replication_seeds": seeds,
        "scale": scale,
        "plan_starts": {s.name: str(s.spec.scenario.policy_start) for s in scenarios},
    }
    name = "-".join(s.name for s in scenarios)
    return Batch("compare", name, len(scenarios) * replications, job, identity, about)


def compare_table(runs: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Tidy table: one row per scenario × headline outcome with median, p5, p95, n."""
    rows = []
    for scenario in order:
        mine = runs[runs["scenario"] == scenario]
        for outcome in HEADLINE_OUTCOMES:
            rows.append({"scenario": scenario, "outcome": outcome, **spread(mine[outcome])})
    return pd.DataFrame(rows)


def target_rows(scenarios: list[LoadedScenario]) -> pd.DataFrame:
    """The scorable targets of each scenario (outcome, year, comparison, threshold)."""
    rows = [
        {
            "scenario": loaded.name,
            "target": name,
            "description": target.description or name,
            "outcome": target.outcome_name,
            "unit": target.definition.unit,
            "year": target.year,
            "measure": target.measure,
            "sign": target.comparison[0],
            "threshold": target.comparison[1],
        }
        for loaded in scenarios
        for name, target in loaded.spec.targets.items()
        if target.not_modelled is None
    ]
    columns = ["scenario", "target", "description", "outcome", "unit", "year", "measure", "sign"]
    return pd.DataFrame(rows, columns=[*columns, "threshold"])


def score_level_targets(
    runs: pd.DataFrame, targets: pd.DataFrame, years: dict[str, int]
) -> pd.DataFrame:
    """P(met) of every level target set for a scenario's outcome year, from the runs' rows.

    Targets for other years, or on growth, need the yearly series and are scored by
    ``ecomsim run``; they are left out here.
    """
    rows = []
    for target in targets.itertuples():
        if target.measure != "level" or target.year != years.get(target.scenario):
            continue
        values = runs.loc[runs["scenario"] == target.scenario, target.outcome].to_numpy(float)
        met = meets(values, target.sign, target.threshold)
        rows.append(
            {
                "scenario": target.scenario,
                "target": target.target,
                "description": target.description,
                "outcome": target.outcome,
                "unit": target.unit,
                "year": target.year,
                "sign": target.sign,
                "threshold": target.threshold,
                **spread(values),
                "p_met": float(met.mean()) if values.size else np.nan,
            }
        )
    return pd.DataFrame(rows)
