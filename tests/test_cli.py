"""The command line, as a user runs it: output, results folders, errors, interruption."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ecomsim.experiments import cli, commands, results


def run_cli(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_demo_once(capsys, out_dir, *extra):
    """``ecomsim run demo`` with one replication, quietly, into ``out_dir``."""
    return run_cli(capsys, "run", "demo", "-r", "1", "-q", "--out", str(out_dir), *extra)


def test_help_for_the_command_and_every_subcommand(capsys):
    for args in ([], ["run"], ["scenarios"], ["validate"], ["show"]):
        with pytest.raises(SystemExit) as done:
            cli.main([*args, "--help"])
        assert done.value.code == 0
        assert "usage: ecomsim" in capsys.readouterr().out
    assert run_cli(capsys)[0] == 2  # no subcommand: help and exit 2


def test_scenarios_lists_builtins_with_descriptions(capsys):
    code, out, _ = run_cli(capsys, "scenarios")
    assert code == 0
    assert out.splitlines()[0].startswith("bass ") and "identical firms" in out
    assert "\ndemo " in out


def test_run_prints_a_summary_and_writes_a_complete_results_folder(capsys, tmp_path):
    code, out, err = run_cli(
        capsys,
        "run",
        "demo",
        "-r",
        "2",
        "-w",
        "1",
        "--seed",
        "3",
        "--out",
        str(tmp_path),
        "--csv",
        "-q",
    )
    assert code == 0, err
    assert "adoption %" in out and "2016" in out and "cost/extra adopter" in out
    (folder,) = tmp_path.iterdir()
    assert folder.name.startswith("demo-") and folder.name.endswith("-s3")
    files = {p.name for p in folder.iterdir()}
    assert files == {
        "timeseries.parquet",
        "timeseries.csv",
        "platforms.parquet",
        "logistics.parquet",
        "payments.parquet",
        "summary.json",
        "manifest.json",
        "figures",
    }
    assert {p.name for p in (folder / "figures").iterdir()} == {"run.png", "run.svg"}
    ts = pd.read_parquet(folder / "timeseries.parquet")
    assert len(ts) == 2 * 36 and set(ts["replication"]) == {0, 1}
    summary = json.loads((folder / "summary.json").read_text())
    year = summary["years"]["2016"]
    assert year["months"] == 12
    for outcome in (
        "transaction_volume",
        "online_retail",
        "online_retail_share",
        "adoption_rate",
        "fund_spent",
        "cost_per_additional_adopter",
    ):
        assert set(year[outcome]) == {"median", "p5", "p95", "n"}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["seed"] == 3 and len(manifest["replication_seeds"]) == 2
    assert manifest["scenario_file_sha256"] and manifest["scenario_sha256"]
    assert manifest["command_line"][0] == "ecomsim"
    assert manifest["wall_time_seconds"] >= 0 and manifest["ecomsim_version"]


def test_set_overrides_reach_the_run(capsys, tmp_path):
    code, _, err = run_demo_once(
        capsys, tmp_path, "--set", "firms.count=3000", "--set", "scenario.end=2015-06"
    )
    assert code == 0, err
    (folder,) = tmp_path.iterdir()
    ts = pd.read_parquet(folder / "timeseries.parquet")
    assert len(ts) == 6 and ts["firms"].iloc[0] < 4000
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["overrides"] == ["firms.count=3000", "scenario.end=2015-06"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "atlantis"], "unknown scenario; choose one of"),
        (["run", "missing.toml"], "missing.toml: no such scenario file"),
        (["run", "demo", "--set", "firms.count=-5"], "firms.count: must be between 1 and 1e8"),
        (["run", "demo", "--set", "firms.cont=5"], "firms.cont: unknown field"),
        (["run", "demo", "--set", "sectors.trade.margin=1.5"], "between 0 and 1"),
        (["run", "demo", "--set", "instruments.fund.budget_per_year=-1"], "between 0 and 1e14"),
        (["run", "demo", "--set", "adoption.imitation=inf"], "must be a finite number (got inf)"),
        (
            ["run", "demo", "--set", "firms.revenue.micro.dispersion=1e308"],
            "firms.revenue.micro.dispersion: must be between 0 and 5 (got 1e+308)",
        ),
        (
            ["run", "demo", "--set", "logistics.express_a.delivery_days=1e308"],
            "delivery_days: must be between 0 and 60 days (got 1e+308)",
        ),
        (
            ["run", "demo", "--set", "platforms.national_b2c.buyers=1e308"],
            "buyers: must be between 0 and 3e9 persons (got 1e+308)",
        ),
        (["run", "demo", "--set", "scenario.end=2014-01"], "is before the plan starts"),
        (
            ["run", "demo", "--set", "instruments.adoption_grant.kind=free_money"],
            "unknown instrument kind",
        ),
        (["run", "demo", "--replications", "0"], "--replications: must be at least 1"),
        (["run", "demo", "--until", "2014-01"], "--until 2014-01 is before the scenario's start"),
        (["run", "demo", "--until", "2300-01"], "past the longest run, 20 years from the"),
        (["run", "demo", "--set", "scenario.end=2300-12"], "end 2300-12 is past the longest run"),
        (["run", "demo", "--keep-policy"], "--keep-policy needs --until"),
        (["run", "demo", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(capsys, tmp_path, args, expected):
    code, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "out"))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("ecomsim: error: ")
    assert expected in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["run", "demo"],
        ["calibrate", "quzhou"],
        ["compare", "demo"],
        ["transplant", "--economies", "demo", "--policies", "demo"],
        ["sweep", "quzhou-levers"],
        ["sensitivity", "quzhou-levers"],
    ],
)
def test_an_output_folder_that_cannot_be_written_is_refused_before_anything_runs(
    capsys, tmp_path, monkeypatch, command
):
    def never(*args, **kwargs):
        raise AssertionError("nothing may run when the output folder cannot be written")

    monkeypatch.setattr(cli, "run_replications", never)
    monkeypatch.setattr(commands, "run_batch", never)
    in_the_way = tmp_path / "results.txt"
    in_the_way.write_text("a file where a folder should be")
    code, _, err = run_cli(capsys, *command, "--out", str(in_the_way / "out"))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f"argument -o/--out: {in_the_way} is a file, not a folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.txt"]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_an_output_folder_that_cannot_be_created_says_why(capsys):
    code, _, err = run_cli(capsys, "run", "demo", "--out", "/proc/nope")
    assert code == 2 and err.count("\n") == 1
    assert "cannot create the folder /proc/nope (No such file or directory)" in err


def test_checking_the_output_folder_leaves_nothing_behind(capsys, tmp_path):
    """The check makes the folder and a probe file, then removes both (bad input writes nothing)."""
    out = tmp_path / "new" / "deeper"
    code, _, _ = run_cli(capsys, "run", "demo", "--set", "firms.count=-5", "--out", str(out))
    assert code == 2 and list(tmp_path.iterdir()) == []


def test_interrupted_run_leaves_no_folder(capsys, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_replications", interrupted)
    code, _, err = run_cli(capsys, "run", "demo", "-r", "1", "--out", str(tmp_path))
    assert code == 130 and "interrupted" in err
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_leaves_no_partial_folder(capsys, tmp_path, monkeypatch):
    def broken_json(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(results.json, "dumps", broken_json)
    code, _, _ = run_demo_once(capsys, tmp_path, "--set", "scenario.end=2015-02")
    assert code == 130
    assert list(tmp_path.iterdir()) == []


def test_validate_reports_valid_files_and_missing_sources(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "validate", "demo")
    assert code == 0 and "valid" in out and "warning" not in out
    bare = tmp_path / "bare.toml"
    bare.write_text(
        '[scenario]\nname = "x"\ndescription = "d"\nstart = "2015-01"\n'
        'end = "2015-12"\n[firms]\ncount = 100\nsize_shares = { micro = 1.0 }\n'
        "sector_shares = { trade = 1.0 }\n[adoption]\ninnovation = 0.1\n"
        "imitation = 0.2\n"
    )
    code, out, _ = run_cli(capsys, "validate", str(bare))
    assert code == 0 and "warning: 5 number(s) without a source" in out
    code, _, err = run_cli(capsys, "validate", str(bare), "--strict")
    assert code == 2 and "without a source" in err
    bare.write_text(bare.read_text().replace("count = 100", "count = -1"))
    code, _, err = run_cli(capsys, "validate", str(bare))
    assert code == 2 and "bare.toml: firms.count: must be between 1 and 1e8 (got -1)" in err
    bare.write_text(bare.read_text().replace("imitation = 0.2", "imitation = 1e308"))
    code, _, err = run_cli(capsys, "validate", str(bare), "--set", "firms.count=100")
    assert code == 2 and err.count("\n") == 1
    assert "adoption.imitation: must be between 0 and 12 a year (got 1e+308)" in err


def test_show_prints_each_number_with_its_source(capsys):
    code, out, _ = run_cli(capsys, "show", "bass")
    assert code == 0
    line = next(row for row in out.splitlines() if row.startswith("adoption.imitation"))
    assert line.split()[1] == "0.38" and "Sultan, Farley & Lehmann (1990)" in line
    code, out, _ = run_cli(capsys, "show", "demo", "--format", "markdown")
    assert "| `targets.volume.year` | 2017 | demo |" in out
    code, out, _ = run_cli(capsys, "show", "demo", "--format", "csv", "--set", "firms.count=5")
    assert "firms.count,5,command line," in out


def test_console_script_runs_end_to_end(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ecomsim",
            "run",
            "bass",
            "-r",
            "1",
            "-q",
            "--set",
            "firms.count=2000",
            "--set",
            "scenario.end=2001-12",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "results:" in done.stdout


def test_run_says_so_when_a_scenario_declares_no_targets(capsys, tmp_path):
    code, out, err = run_cli(capsys, "run", "bass", "-r", "1", "-w", "1", "-o", str(tmp_path), "-q")
    assert code == 0, err
    assert "targets: none declared (bass.toml has no [targets] table)" in out
