"""The run boundary: one scenario and one seed in, one paired result out.

``run_scenario`` is the only way the CLI, the tests and (later) sweeps, the transplant matrix
and the dashboard run the model. It is a plain top-level function of picklable arguments with
no global state, so it can be shipped to worker processes or cluster nodes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecomsim.agents.logistics import LogisticsProvider
from ecomsim.agents.platform import Platform
from ecomsim.model.calendar import Month
from ecomsim.model.counterfactual import CounterfactualRecord, label_deadweight
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.model.outcomes import paired_indicators

if TYPE_CHECKING:
    from ecomsim.scenarios.schema import Scenario


@dataclass
class RunResult:
    """Everything one paired run produced (all tidy DataFrames, picklable)."""

    seed: int
    replication: int
    timeseries: pd.DataFrame  # one row per month: indicators, counterfactual, policy effect
    platforms: pd.DataFrame  # one row per platform × month
    logistics: pd.DataFrame  # one row per provider × month
    payments: pd.DataFrame  # the funder's ledger, one row per payment, with deadweight
    outstanding: float  # committed but not yet paid at the end, yuan
    wall_time: float  # seconds


def run_scenario(
    scenario: Scenario,
    seed: int,
    *,
    replication: int = 0,
    counterfactual: bool = True,
    until: Month | None = None,
    keep_policy: bool = False,
    scale: float | None = None,
) -> RunResult:
    """Run ``scenario`` with ``seed`` and, unless told not to, its no-policy counterfactual.

    The counterfactual (same economy, seed and draws; instruments off) branches off the
    policy run where the plan starts, runs to the end and leaves only a compact record. A
    scenario without instruments is its own counterfactual.
    """
    started = time.perf_counter()
    model = EcommerceModel(scenario, rng=seed, until=until, keep_policy=keep_policy, scale=scale)
    record = None
    if counterfactual and scenario.instruments:
        model.run_until(model.plan_start)
        baseline = model.without_policy()
        baseline.run()
        record = CounterfactualRecord.from_model(baseline)
        del baseline
    model.run()
    if record is None and counterfactual:
        record = CounterfactualRecord.from_model(model)

    timeseries = _timeseries(model, record)
    payments = model.funder.ledger.to_frame()
    payments.insert(1, "date", [str(model.month_at(int(s))) for s in payments["step"]])
    if record is not None:
        payments["deadweight"] = label_deadweight(model, payments, record)
        # Spending with a firm-level test (grants, prizes, relief, attraction) can be judged;
        # the rest (training, parks, logistics, awards to platforms) cannot.
        tested = payments["deadweight"].notna().to_numpy()
        deadweight = payments["deadweight"].fillna(False).to_numpy(dtype=bool)
        timeseries["tested_spending_cumulative"] = _cumulative_by_step(
            payments[tested], len(timeseries)
        )
        timeseries["deadweight_spending_cumulative"] = _cumulative_by_step(
            payments[deadweight], len(timeseries)
        )
    for frame in (timeseries,):
        frame.insert(0, "replication", replication)
    return RunResult(
        seed=seed,
        replication=replication,
        timeseries=timeseries,
        platforms=_agents(model, Platform, replication),
        logistics=_agents(model, LogisticsProvider, replication),
        payments=payments,
        outstanding=model.funder.outstanding,
        wall_time=time.perf_counter() - started,
    )


def _timeseries(model: EcommerceModel, record: CounterfactualRecord | None) -> pd.DataFrame:
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "step", np.arange(1, len(frame) + 1))
    frame.insert(1, "date", [str(model.month_at(i)) for i in range(len(frame))])
    if record is None:
        return frame
    for name in paired_indicators(model.declared_outcomes):
        frame[f"{name}_cf"] = record.indicators[name].to_numpy()
    frame["additional_adopters"] = frame["adopters"] - frame["adopters_cf"]
    frame["additional_volume"] = frame["transaction_volume"] - frame["transaction_volume_cf"]
    additional = frame["additional_adopters"].to_numpy()
    cost = frame["fiscal_cost_cumulative"].to_numpy()
    frame["cost_per_additional_adopter"] = np.where(
        additional > 0, cost / np.maximum(additional, 1), np.nan
    )
    return frame


def _cumulative_by_step(payments: pd.DataFrame, n_steps: int) -> np.ndarray:
    per_step = np.bincount(
        payments["step"].to_numpy(dtype=np.int64),
        weights=payments["amount"].to_numpy(),
        minlength=n_steps,
    )
    return np.cumsum(per_step[:n_steps])


def _agents(model: EcommerceModel, agent_type: type, replication: int) -> pd.DataFrame:
    if agent_type not in model.agents_by_type:
        return pd.DataFrame()
    frame = model.datacollector.get_agenttype_vars_dataframe(agent_type).reset_index()
    frame = frame.rename(columns={"Step": "step"}).drop(columns=["AgentID"])
    frame.insert(0, "replication", replication)
    frame.insert(2, "date", [str(model.month_at(int(s) - 1)) for s in frame["step"]])
    return frame
