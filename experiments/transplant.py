"""``ecomsim transplant``: every economy run under every policy design, and under none.

A *policy design* is what a city's document decides: its funder's rules and its instrument
portfolio. An *economy* is everything else in a scenario: calendar, firms, sectors, behaviour,
platforms, logistics. ``transplant(host, donor)`` puts the donor's design into the host's
economy by one documented rule (ODD 7.24):

1. the host keeps its calendar; the design acts over the host's plan period, and instruments
   with their own start or end move by the months between the two plans' starts;
2. the design's size follows the host's size: each instrument's ``size_fields`` (yearly
   budgets and earmarks, slots, courses, projects, parks) are multiplied by the ratio of the
   host's to the donor's number of enterprises at the start (``--size-by firms``; or by the
   start-year retail sales, ``--size-by retail_sales``; or not at all, ``--size-by none``).
   Per-award terms (grant amounts, caps, cost shares, eligibility) are the design and stay;
3. names of the donor's agents are remapped: a logistics project for a provider the host lacks
   goes to the host's busiest provider; an attraction reward aimed at named platforms aims at
   the host's platforms of the same kinds.

A design is a full scenario's policy part (``Scenario.design()``) or a *policy design file*
(``[design]``: the reference designs ``suichang`` and ``lishui`` of the Quzhou speech), which
declares the size of economy its programmes are written for instead of an economy of its own.

Each cell runs the same replication seeds, so the host's no-policy counterfactual is the same
in every column and differences between columns are the designs' alone. Scores: extra adopters
and extra e-commerce volume per 亿 of fiscal cost, at the end of the host's plan.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from ecomsim import __version__
from ecomsim.experiments.batch import Batch, describe_scenario
from ecomsim.experiments.jobs import RunJob
from ecomsim.experiments.runner import replication_seeds
from ecomsim.experiments.summary import spread
from ecomsim.scenarios import LoadedDesign, LoadedScenario, ScenarioError, validate_values
from ecomsim.scenarios.schema import FunderSpec, PolicyDesign, Scenario

SizeRule = Literal["firms", "retail_sales", "none"]
SIZE_RULES: tuple[SizeRule, ...] = ("firms", "retail_sales", "none")
NO_POLICY = "none"

#: Outcomes of the transplant table, in order.
TRANSPLANT_OUTCOMES = (
    "additional_adopters_per_yi",
    "additional_volume_per_yi",
    "additional_adopters",
    "additional_volume_total",
    "fiscal_cost_total",
    "adoption_rate",
    "transaction_volume",
)


Donor = Scenario | PolicyDesign


def _design(donor: Donor) -> PolicyDesign:
    return donor.design() if isinstance(donor, Scenario) else donor


def size_factor(host: Scenario, donor: Donor, rule: SizeRule) -> float:
    """How much larger the host economy is than the one the donor's design was written for."""
    size = _design(donor).design
    if rule == "firms":
        return host.firms.count / size.firms
    if rule == "retail_sales":
        if size.retail_sales <= 0 or host.economy.retail_sales <= 0:
            raise ScenarioError(
                f"{host.scenario.name}/{_design(donor).name}",
                "economy.retail_sales",
                "--size-by retail_sales needs retail sales in both scenarios "
                "(a design file gives them as design.retail_sales)",
            )
        return host.economy.retail_sales / size.retail_sales
    return 1.0


def transplant(host: Scenario, donor: Donor | None, rule: SizeRule = "firms") -> Scenario:
    """The host's economy under the donor's policy design (``None``: under no policy).

    The donor is a full scenario (its policy part is taken) or a policy design on its own.
    """
    if donor is None:
        name, document = f"{host.scenario.name}~{NO_POLICY}", "no policy"
        funder, instruments = FunderSpec(), {}
    else:
        design = _design(donor)
        factor = size_factor(host, design, rule)
        start = design.policy_start
        later = 0 if start is None else start.months_until(host.scenario.policy_start)
        name, document = f"{host.scenario.name}~{design.name}", design.scenario.document
        funder = design.funder
        instruments = {
            key: instrument.transplanted(factor, later, design, host)
            for key, instrument in design.instruments.items()
        }
    info = host.scenario.model_copy(
        update={
            "name": name,
            "description": f"{host.scenario.name}'s economy under "
            f"{_design(donor).name if donor else 'no'} policy design",
            "document": document,
        }
    )
    composed = host.model_copy(
        update={"scenario": info, "funder": funder, "instruments": instruments, "calibration": None}
    )
    # Validate the composition as a whole, as a scenario file would be.
    return validate_values(composed.model_dump(), f"transplant {name}")


def transplant_batch(
    economies: list[LoadedScenario],
    policies: list[LoadedScenario | LoadedDesign],
    replications: int,
    seed: int,
    rule: SizeRule = "firms",
    scale: float | None = None,
) -> Batch:
    """Runs of the matrix: economy ``e`` × (policies, then no policy) × replication."""
    seeds = replication_seeds(seed, replications)
    columns: list[LoadedScenario | LoadedDesign | None] = [*policies, None]
    cells = {
        (e, p): transplant(economy.spec, policy.spec if policy else None, rule)
        for e, economy in enumerate(economies)
        for p, policy in enumerate(columns)
    }
    factors = {
        (e, p): size_factor(economy.spec, policy.spec, rule) if policy else 1.0
        for e, economy in enumerate(economies)
        for p, policy in enumerate(columns)
    }

    def job(index: int) -> RunJob:
        cell, replication = divmod(index, replications)
        e, p = divmod(cell, len(columns))
        policy = columns[p]
        return RunJob(
            scenario=cells[(e, p)],
            seed=seeds[replication],
            replication=replication,
            year=economies[e].spec.scenario.end.year,
            labels={
                "economy": economies[e].name,
                "policy": policy.name if policy else NO_POLICY,
                "size_factor": factors[(e, p)],
            },
            series=("adoption_rate", "transaction_volume_12m", "fiscal_cost_cumulative"),
            scale=scale,
        )

    identity = {
        "kind": "transplant",
        "ecomsim_version": __version__,
        "economies": {s.name: s.spec_sha256 for s in economies},
        "policies": {s.name: s.spec_sha256 for s in policies},
        "size_by": rule,
        "replications": replications,
        "seed": seed,
        "scale": scale,
    }
    about = {
        "economies": [s.name for s in economies],
        "policies": [s.name for s in policies],
        "scenarios": [
            describe_scenario(s) for s in {s.name: s for s in [*economies, *policies]}.values()
        ],
        "size_by": rule,
        "size_factors": {
            f"{economies[e].name}~{columns[p].name if columns[p] else NO_POLICY}": factor
            for (e, p), factor in factors.items()
        },
        "seed": seed,
        "replications": replications,
        "replication_seeds": seeds,
        "scale": scale,
    }
    size = len(economies) * len(columns) * replications
    return Batch("transplant", "matrix", size, job, identity, about)


def transplant_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Tidy table: one row per economy × policy × outcome, median and 90 % interval."""
    rows = []
    for (economy, policy), cell in runs.groupby(["economy", "policy"], sort=False):
        for outcome in TRANSPLANT_OUTCOMES:
            rows.append(
                {
                    "economy": economy,
                    "policy": policy,
                    "size_factor": float(cell["size_factor"].iloc[0]),
                    "outcome": outcome,
                    **spread(cell[outcome]),
                }
            )
    return pd.DataFrame(rows)
