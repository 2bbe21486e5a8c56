"""Plan targets: parsing, scoring on synthetic yearly outcomes, and the printed table.

Also the outcomes targets declare with a parameter (a line, a group of size classes): their
names, their monthly values, and the declarations refused.
"""

import numpy as np
import pandas as pd
import pytest
from support import make_spec, merge, refused

from ecomsim.experiments import cli
from ecomsim.experiments.targets import format_targets, score_targets
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.model.outcomes import OUTCOME_FAMILIES, DeclaredOutcome, yearly_outcomes
from ecomsim.model.run import run_scenario
from ecomsim.scenarios import validate_values
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


def declaring(**targets: dict) -> dict:
    """Scenario changes adding targets for 2016, each ``at_least = 0``, with these fields."""
    return {"targets": {name: {"year": 2016, "at_least": 0, **t} for name, t in targets.items()}}


@pytest.mark.parametrize(
    ("declared", "name"),
    [
        (DeclaredOutcome("firms_above", 1e10), "firms_above_100yi"),
        (DeclaredOutcome("firms_above", 1e9), "firms_above_10yi"),
        (DeclaredOutcome("firms_above", 2.5e8), "firms_above_2p5yi"),
        (DeclaredOutcome("firms_above", 5e6), "firms_above_500wan"),
        (DeclaredOutcome("firms_above", 300), "firms_above_300yuan"),
        (DeclaredOutcome("platforms_above", 1e11), "platforms_above_1000yi"),
        (
            DeclaredOutcome("online_sales_ratio", size_classes=("large",)),
            "online_sales_ratio_large",
        ),
        (
            DeclaredOutcome("online_purchase_ratio", size_classes=("micro", "small", "medium")),
            "online_purchase_ratio_sme",
        ),
        (
            DeclaredOutcome("online_sales_ratio", size_classes=("small", "large")),
            "online_sales_ratio_small_large",
        ),
    ],
)
def test_declared_outcomes_get_readable_names(declared, name):
    assert declared.name == name


def test_a_group_is_the_same_outcome_however_the_file_lists_it():
    spec = make_spec(
        declaring(
            a={"outcome": "online_sales_ratio", "size_classes": ["medium", "micro", "small"]},
            b={"outcome": "online_sales_ratio", "size_classes": ["micro", "small", "medium"]},
        )
    )
    assert [d.name for d in spec.declared_outcomes()] == ["online_sales_ratio_sme"]
    assert spec.targets["a"].outcome_name == "online_sales_ratio_sme"


def test_a_declared_line_sets_which_firms_are_counted():
    lines = {"firms_above_100wan": 1e6, "firms_above_1000wan": 1e7}
    spec = make_spec(
        declaring(
            low={"outcome": "firms_above", "line": 1e6},
            high={"outcome": "firms_above", "line": 1e7},
            group={"outcome": "online_sales_ratio", "size_classes": ["large", "micro"]},
        )
    )
    model = EcommerceModel(spec, rng=3)
    for _ in range(6):
        model.step()
    firms = model.firms
    online = firms.alive & firms.adopted
    volume = firms.annual_online_volume()
    counts = {name: model.indicators[name] for name in lines}
    for name, line in lines.items():
        assert counts[name] == firms.total(online & (volume >= line))
    assert counts["firms_above_100wan"] > counts["firms_above_1000wan"] > 0
    # The group is every firm of this city (micro and large): its sales ÷ its revenue.
    share = 12 * firms.online_sales[firms.alive].sum() / firms.revenue[firms.alive].sum()
    assert model.indicators["online_sales_ratio_micro_large"] == pytest.approx(share)


def test_a_declared_line_sets_which_platforms_are_counted(demo):
    changes = declaring(
        low={"outcome": "platforms_above", "line": 1e9},
        high={"outcome": "platforms_above", "line": 1e11},
    )
    model = EcommerceModel(validate_values(merge(demo.values, changes), "demo.toml"), rng=1)
    for _ in range(30):
        model.step()
    for name, line in (("platforms_above_10yi", 1e9), ("platforms_above_1000yi", 1e11)):
        expected = sum(p.settled and p.annual_volume >= line for p in model.platforms)
        assert model.indicators[name] == expected
    assert model.indicators["platforms_above_10yi"] > model.indicators["platforms_above_1000yi"]


def test_declared_outcomes_are_yearly_outcomes_scored_under_their_names():
    spec = make_spec(declaring(big={"outcome": "firms_above", "line": 1e7, "at_least": 1}))
    timeseries = run_scenario(spec, 1).timeseries
    assert "firms_above_1000wan" in timeseries
    yearly = yearly_outcomes(timeseries, spec.declared_outcomes())
    (scored,) = score_targets(spec.targets, yearly)
    assert scored["outcome"] == "firms_above_1000wan" and scored["unit"] == "count"
    expected = timeseries.loc[timeseries["date"] == "2016-12", "firms_above_1000wan"].iloc[0]
    assert scored["simulated"]["median"] == expected
    assert "firms_above_1000wan" not in yearly_outcomes(timeseries)  # only those declared


def test_a_scenario_computes_only_the_outcomes_its_targets_declare():
    plain = run_scenario(make_spec(), 1, counterfactual=False).timeseries
    assert not [c for c in plain if c.startswith(tuple(OUTCOME_FAMILIES))]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"outcome": "firms_above"}, "line: outcome 'firms_above' needs a line: a yearly volume"),
        ({"outcome": "platforms_above", "line": 0}, "targets.t.line: must be above 0"),
        (
            {"outcome": "adoption_rate", "line": 1e9},
            "line: outcome 'adoption_rate' takes no line (only firms_above and platforms_above do)",
        ),
        (
            {"outcome": "firms_above", "line": 1e9, "size_classes": ["large"]},
            "size_classes: outcome 'firms_above' takes no size_classes (only online_sales_ratio",
        ),
        (
            {"outcome": "online_sales_ratio"},
            "size_classes: outcome 'online_sales_ratio' needs size_classes: the group's size "
            "classes, some of micro, small, medium, large",
        ),
        ({"outcome": "online_sales_ratio", "size_classes": []}, "needs size_classes"),
        (
            {"outcome": "online_purchase_ratio", "size_classes": ["huge"]},
            "targets.t.size_classes.0: Input should be 'micro', 'small', 'medium' or 'large'",
        ),
        (
            {"outcome": "firms_above_1e10"},
            "outcome 'firms_above_1e10' is not a yearly outcome; declare it as "
            "outcome = 'firms_above' with a line",
        ),
        # A target outside the model may still declare an outcome, so it must be a good one.
        ({"outcome": "firms_above", "not_modelled": "no number"}, "needs a line"),
    ],
)
def test_bad_declarations_are_refused_in_one_line_with_what_is_allowed(fields, problem):
    message = refused({"targets": {"t": {"year": 2016, "at_least": 1, **fields}}})
    assert message.startswith("city.toml: targets.t") and problem in message


def test_show_outcomes_lists_what_the_scenario_declares(capsys):
    assert cli.main(["show", "tianjin", "--outcomes"]) == 0
    printed = capsys.readouterr().out
    rows = {line.split()[0]: line for line in printed.splitlines()[1:] if line.strip()}
    assert "≥ 100 亿" in rows["firms_above_100yi"] and "≥ 10 亿" in rows["firms_above_10yi"]
    assert "transaction_volume" in rows and "online_sales_ratio_sme" not in rows
    assert cli.main(["show", "jining", "--outcomes", "--format", "csv"]) == 0
    printed = capsys.readouterr().out
    assert 'online_sales_ratio_sme,share,last,"online share of the sales of SMEs' in printed
    assert "firms_above" not in printed


def test_tables_align_chinese_text_by_terminal_columns():
    from ecomsim.experiments.tables import display_width, render

    assert display_width("亿") == 2 and display_width("a 亿") == 4
    lines = render([["a", "1"], ["亿亿", "22"], ["note that runs on"]], "<>")
    assert lines[0] == "a      1" and lines[1] == "亿亿  22"
    assert lines[2] == "note that runs on"
