"""Plan targets: parsing, scoring on synthetic yearly outcomes, and the printed table."""

import numpy as np
import pandas as pd
import pytest
from support import make_spec, refused

from ecomsim.experiments.targets import format_targets, score_targets
from ecomsim.model.outcomes import yearly_outcomes
from ecomsim.model.run import run_scenario
from ecomsim.scenarios.schema import TargetSpec


def target(**fields) -> TargetSpec:
    return TargetSpec.model_validate({"year": 2016, **fields})


def synthetic(values: dict[int, list[float]], cf: dict[int, list[float]] | None = None):
    """Yearly outcomes of ``len(values[year])`` replications for the volume outcome."""
    rows = []
    for year, per_rep in values.items():
        for rep, value in enumerate(per_rep):
            row = {"replication": rep, "year": year, "months": 12, "transaction_volume": value}
            if cf is not None:
                row["transaction_volume_cf"] = cf[year][rep]
            rows.append(row)
    return pd.DataFrame(rows)


def test_probability_is_the_share_of_replications_meeting_the_target():
    yearly = synthetic({2016: [5.0, 10.0, 15.0, 20.0]})
    above = score_targets({"v": target(outcome="transaction_volume", above=10.0)}, yearly)[0]
    at_least = score_targets({"v": target(outcome="transaction_volume", at_least=10.0)}, yearly)
    below = score_targets({"v": target(outcome="transaction_volume", below=10.0)}, yearly)
    assert above["probability"] == 0.5
    assert at_least[0]["probability"] == 0.75
    assert below[0]["probability"] == 0.25
    assert above["simulated"]["median"] == 12.5
    assert above["simulated"]["p5"] == pytest.approx(np.percentile([5, 10, 15, 20], 5))


def test_counterfactual_and_effect_are_paired_replication_by_replication():
    yearly = synthetic({2016: [10.0, 30.0]}, cf={2016: [8.0, 10.0]})
    scored = score_targets({"v": target(outcome="transaction_volume", above=9.0)}, yearly)[0]
    assert scored["probability_counterfactual"] == 0.5
    assert scored["effect"]["median"] == pytest.approx(11.0)  # median of (2, 20)
    assert scored["counterfactual"]["median"] == pytest.approx(9.0)


def test_growth_target_scores_growth_over_the_previous_year():
    yearly = synthetic({2015: [10.0, 10.0], 2016: [11.0, 13.0]})
    spec = target(outcome="transaction_volume", measure="growth", at_least=0.2)
    scored = score_targets({"g": spec}, yearly)[0]
    assert scored["simulated"]["median"] == pytest.approx(0.2)
    assert scored["probability"] == 0.5


def test_growth_over_a_part_year_of_flows_is_not_scored():
    yearly = synthetic({2015: [10.0], 2016: [13.0]})
    yearly.loc[yearly["year"] == 2015, "months"] = 3
    spec = target(outcome="transaction_volume", measure="growth", at_least=0.2)
    assert score_targets({"g": spec}, yearly)[0]["status"].startswith("not simulated")


def test_targets_outside_the_run_or_outside_the_model_are_listed_not_scored():
    yearly = synthetic({2015: [1.0]})
    late = target(outcome="transaction_volume", above=0.0)
    unmodelled = target(not_modelled="no payment system in the model")
    scored = score_targets({"late": late, "pay": unmodelled}, yearly)
    assert scored[0]["status"].startswith("not simulated")
    assert scored[1]["status"] == "not modelled: no payment system in the model"
    table = format_targets(scored, 1)
    assert "not modelled: no payment system" in table and "not simulated" in table


def test_table_prints_goal_simulated_interval_and_probability():
    yearly = synthetic({2016: [1e12, 2e12, 3e12]}, cf={2016: [1e12, 1e12, 1e12]})
    spec = target(description="volume", outcome="transaction_volume", above=1.5e12)
    table = format_targets(score_targets({"v": spec}, yearly), 3)
    line = next(row for row in table.splitlines() if row.startswith("volume"))
    assert "> 15,000.0 亿" in line and "20,000.0 亿 [" in line and "67%" in line


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"outcome": "nonsense", "above": 1.0}, "not a yearly outcome"),
        ({"outcome": "transaction_volume"}, "exactly one of"),
        ({"outcome": "transaction_volume", "above": 1.0, "below": 2.0}, "exactly one of"),
    ],
)
def test_bad_targets_are_refused_with_the_rule(fields, problem):
    message = refused({"targets": {"t": {"year": 2016, **fields}}})
    assert "targets.t" in message and problem in message


def test_targets_score_on_a_real_run():
    spec = make_spec(
        {
            "targets": {
                "adoption": {"outcome": "adoption_rate", "year": 2016, "at_least": 0.0},
                "never": {"outcome": "adoption_rate", "year": 2016, "above": 1.0},
            }
        }
    )
    yearly = yearly_outcomes(run_scenario(spec, 1).timeseries)
    scored = score_targets(spec.targets, yearly)
    assert [s["probability"] for s in scored] == [1.0, 0.0]


def test_tables_align_chinese_text_by_terminal_columns():
    from ecomsim.experiments.tables import display_width, render

    assert display_width("亿") == 2 and display_width("a 亿") == 4
    lines = render([["a", "1"], ["亿亿", "22"], ["note that runs on"]], "<>")
    assert lines[0] == "a      1" and lines[1] == "亿亿  22"
    assert lines[2] == "note that runs on"
