"""``ecomsim compare`` and ``ecomsim plot`` as a user runs them."""

import json

import numpy as np
import pandas as pd
import pytest
from support import GRANT_POLICY, assert_figures_readable, assert_readable_ticks, write_scenario

from ecomsim.experiments import cli, figures
from ecomsim.experiments.compare import COMPARE_SERIES, HEADLINE_OUTCOMES

TARGETS = {
    "targets": {
        "adoption": {"outcome": "adoption_rate", "year": 2016, "at_least": 0.2},
        "unreachable": {"outcome": "adoption_rate", "year": 2016, "at_least": 0.99},
        "later": {"outcome": "adoption_rate", "year": 2015, "at_least": 0.1},
        "vague": {"year": 2016, "not_modelled": "no figure"},
    }
}


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compare")
    city = write_scenario(tmp / "city.toml", {**GRANT_POLICY, **TARGETS}, name="city")
    out = tmp / "out"
    code = cli.main(["compare", "demo", str(city), "-r", "3", "-w", "2", "-q", "-o", str(out)])
    assert code == 0
    (folder,) = out.iterdir()
    return folder, city, out


def test_compare_prints_the_table_and_the_targets(compared, capsys):
    _, city, out = compared
    code = cli.main(["compare", "demo", str(city), "-r", "3", "-q", "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "all 6 runs were already finished" in printed  # the same command finds its folder
    lines = printed.splitlines()
    assert lines[1].split()[:3] == ["outcome", "demo", "city"]
    for outcome in HEADLINE_OUTCOMES:
        assert any(line.startswith(outcome) for line in lines)
    assert "median [5th–95th percentile] across 3 replications" in printed
    assert "unreachable" in printed and "0%" in printed
    assert "later" not in printed  # a target for another year is scored by ecomsim run


def test_compare_writes_tables_figures_and_a_manifest(compared):
    folder, _, _ = compared
    assert folder.name.startswith("compare-demo-city-")
    for name in ("runs", "timeseries", "compare", "targets", "target_scores"):
        assert (folder / f"{name}.parquet").exists()
    assert (folder / "compare.csv").read_text().startswith("scenario,outcome,median,p5,p95,n")
    runs = pd.read_parquet(folder / "runs.parquet")
    assert runs.groupby("scenario").size().to_dict() == {"city": 3, "demo": 3}
    assert runs.groupby("replication")["seed"].nunique().eq(1).all()  # same seeds for all
    series = pd.read_parquet(folder / "timeseries.parquet")
    assert set(COMPARE_SERIES) <= set(series)
    scores = pd.read_parquet(folder / "target_scores.parquet")
    scores = scores[scores["scenario"] == "city"].set_index("target")
    assert scores.loc["unreachable", "p_met"] == 0.0
    assert set(scores.index) == {"adoption", "unreachable"}
    # Outcomes only the demo's targets declare are scored for it, and null for the city.
    assert runs.loc[runs["scenario"] == "city", "firms_above_1yi"].isna().all()
    demo = pd.read_parquet(folder / "target_scores.parquet").query("scenario == 'demo'")
    declared = demo.set_index("target").loc["large_sellers"]
    assert declared["outcome"] == "firms_above_1yi" and declared["unit"] == "count"
    assert declared["median"] > 0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["replications"] == 3
    assert [s["name"] for s in manifest["scenarios"]] == ["demo", "city"]
    assert all(s["scenario_sha256"] for s in manifest["scenarios"])
    assert manifest["plan_starts"] == {"demo": "2015-01", "city": "2015-07"}
    assert (folder / "figures" / "compare.png").stat().st_size > 50_000


def test_plot_redraws_every_figure_from_the_data(compared, capsys):
    folder, _, _ = compared
    for figure in (folder / "figures").iterdir():
        figure.unlink()
    assert cli.main(["plot", str(folder)]) == 0
    assert "compare.png" in capsys.readouterr().out
    assert {p.name for p in (folder / "figures").iterdir()} == {"compare.png", "compare.svg"}


def test_plot_redraws_the_figure_of_a_run_folder(tmp_path, capsys):
    assert cli.main(["run", "demo", "-r", "2", "-q", "-o", str(tmp_path)]) == 0
    (folder,) = tmp_path.iterdir()
    figure = folder / "figures" / "run.png"
    assert figure.stat().st_size > 50_000
    figure.unlink()
    capsys.readouterr()
    assert cli.main(["plot", str(folder)]) == 0
    assert "run.png" in capsys.readouterr().out and figure.exists()
    assert_figures_readable(folder)


def test_the_comparison_figure_has_readable_ticks(compared):
    """Three years of months on a panel a third of a page wide; log panels within a decade."""
    assert_figures_readable(compared[0])


def _trajectories(months: int, low: float, high: float) -> pd.DataFrame:
    """Two runs of every compared series, rising from ``low`` to ``high`` over ``months``."""
    dates = [str(d.date()) for d in pd.date_range("2015-01-01", periods=months, freq="MS")]
    rise = np.geomspace(low, high, months)
    rows = [
        {"run": run, "date": date, **{name: value * (1 + 0.01 * run) for name in COMPARE_SERIES}}
        for run in (0, 1)
        for date, value in zip(dates, rise, strict=True)
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("months", "low", "high"),
    [
        (6, 0.2, 0.3),  # half a year: month labels
        (36, 2e7, 8e7),  # log panels within one decade (no power of ten in view)
        (72, 1.1e5, 1.9e5),  # narrower than one 1-2-5 step
        (240, 1e3, 1e10),  # the longest run, seven decades
    ],
)
def test_time_and_log_axes_label_any_span_readably(months, low, high):
    runs = pd.DataFrame({"run": [0, 1], "scenario": ["a", "b"]})
    targets = pd.DataFrame(columns=["scenario", "outcome", "year", "measure", "sign", "threshold"])
    figure = figures.compare_figure(
        _trajectories(months, low, high), runs, targets, ["a", "b"], {"a": "2015-03"}
    )
    assert_readable_ticks(figure)
    log_panels = [ax for ax in figure.axes if ax.get_yscale() == "log"]
    assert len(log_panels) == len(set(figures.LOG_PANELS) & set(figures.COMPARE_SERIES))


@pytest.mark.parametrize(
    ("low", "high"), [(20, 80), (55, 95), (11, 19), (300, 1500), (5, 200), (1, 1e9)]
)
def test_a_log_axis_always_has_labels_in_view(low, high):
    ticks = figures.ReadableLogLocator().tick_values(low, high)
    shown = ticks[(ticks >= low) & (ticks <= high)]
    assert 2 <= len(shown) <= 10


def test_tick_labels_are_plain_numbers():
    labels = [figures.plain_number(v) for v in (0.05, 250, 12_500, 3e6, 2.5e9, 0)]
    assert labels == ["0.05", "250", "12,500", "3M", "2.5bn", "0"]


def test_plot_refuses_folders_that_are_not_finished_experiments(tmp_path, capsys):
    assert cli.main(["plot", str(tmp_path)]) == 2
    assert "not a results folder of ecomsim" in capsys.readouterr().err
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "sweep", "status": "running"}))
    assert cli.main(["plot", str(tmp_path)]) == 2
    assert "the experiment is not finished" in capsys.readouterr().err


def test_compare_refuses_a_scenario_named_twice(capsys):
    assert cli.main(["compare", "demo", "demo", "-q"]) == 2
    assert "named twice" in capsys.readouterr().err


def test_every_experiment_command_has_help(capsys):
    for command in ("compare", "transplant", "sweep", "sensitivity", "plot"):
        with pytest.raises(SystemExit) as done:
            cli.main([command, "--help"])
        assert done.value.code == 0
        assert f"usage: ecomsim {command}" in capsys.readouterr().out


def test_compare_refuses_a_scenario_longer_than_the_longest_run(tmp_path, capsys):
    city = write_scenario(tmp_path / "city.toml", {"scenario": {"end": "2036-01"}}, name="city")
    out = tmp_path / "out"
    assert cli.main(["compare", "demo", str(city), "-q", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "city.toml: scenario: end 2036-01 is past the longest run, 20 years" in err
    assert err.count("\n") == 1 and not out.exists()
