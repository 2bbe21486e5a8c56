"""``ecomsim compare`` and ``ecomsim plot`` as a user runs them."""

import json

import pandas as pd
import pytest
from support import GRANT_POLICY, write_scenario

from ecomsim.experiments import cli
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
