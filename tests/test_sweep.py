"""``ecomsim sweep`` as a user runs it: the folder, kill -9 and resume, and a Dask cluster."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from support import GRANT_POLICY, assert_figures_readable, write_scenario

from ecomsim.experiments import cli

EXPERIMENT = """
[experiment]
name = "levers"
scenario = "city.toml"
seed = 4
replications = 2
outcomes = ["adoption_rate", "additional_adopters", "cost_per_additional_adopter"]

[sampler]
method = "lhs"
samples = {samples}

[parameters.amount]
path = "instruments.grant.amount"
low = 5e3
high = 5e4
source = "assumption: test range"

[parameters.slots]
path = "instruments.grant.slots_per_year"
low = 20
high = 400
integer = true

[parameters.budget]
path = "instruments.fund.budget_per_year"
low = 1e6
high = 2e7
log = true

[parameters.imitation]
path = "adoption.imitation"
low = 0.1
high = 0.5
"""


def experiment_file(tmp_path, samples=6, firms=2000):
    write_scenario(tmp_path / "city.toml", {**GRANT_POLICY, "firms": {"count": firms}})
    path = tmp_path / "levers.toml"
    path.write_text(EXPERIMENT.format(samples=samples), encoding="utf-8")
    return path


def sweep(capsys, path, out, *extra):
    code = cli.main(["sweep", str(path), "-o", str(out), "-q", *extra])
    printed, errors = capsys.readouterr()
    assert code == 0, errors
    (folder,) = out.iterdir()
    return folder, printed


def tables(folder):
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in ("runs", "timeseries")}


def assert_same_results(a, b):
    for name in ("runs", "timeseries"):
        pd.testing.assert_frame_equal(tables(a)[name], tables(b)[name])


def test_a_sweep_writes_a_complete_folder_and_prints_each_outcome(capsys, tmp_path):
    folder, printed = sweep(capsys, experiment_file(tmp_path), tmp_path / "out", "-w", "1")
    assert folder.name.startswith("sweep-levers-")
    assert "levers: 6 design points × 2 replications of unit, outcomes in 2016" in printed
    assert "additional_adopters" in printed and "figures:" in printed
    files = {p.name for p in folder.iterdir()}
    for name in ("points", "runs", "design", "timeseries", "timings"):
        assert f"{name}.parquet" in files
    assert "parts" not in files
    runs = pd.read_parquet(folder / "runs.parquet")
    assert len(runs) == 12 and runs["run"].tolist() == list(range(12))
    assert set(runs["replication"]) == {0, 1}
    # Common random numbers: every point's replication r has the same seed.
    assert runs.groupby("replication")["seed"].nunique().eq(1).all()
    design = pd.read_parquet(folder / "design.parquet")
    assert len(design) == 6 and "adoption_rate:mean" in design
    series = pd.read_parquet(folder / "timeseries.parquet")
    assert len(series) == 12 * 24
    assert {"adoption_rate", "additional_adopters", "cost_per_additional_adopter"} <= set(series)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["experiment_file_sha256"] and manifest["scenario_sha256"]
    assert manifest["replication_seeds"] == sorted(
        set(runs["seed"]), key=runs["seed"].tolist().index
    )
    assert (folder / "figures" / "sweep.png").stat().st_size > 10_000
    assert (folder / "figures" / "sweep.svg").exists()
    assert_figures_readable(folder)  # the figures' tick labels are readable


def test_results_do_not_depend_on_the_number_of_workers(capsys, tmp_path):
    path = experiment_file(tmp_path)
    one, _ = sweep(capsys, path, tmp_path / "one", "-w", "1")
    two, _ = sweep(capsys, path, tmp_path / "two", "-w", "2")
    assert_same_results(one, two)


def test_a_sweep_killed_with_sigkill_resumes_to_the_results_of_an_uninterrupted_one(
    capsys, tmp_path
):
    path = experiment_file(tmp_path, samples=8, firms=20_000)
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "ecomsim", "sweep", str(path), "-o", str(out), "-w", "1", "-q"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        parts = list(out.glob("*/parts/run-*.parquet"))
        if len(parts) >= 3:
            break
        time.sleep(0.02)
    assert process.poll() is None, process.stderr.read().decode()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    (folder,) = out.iterdir()
    assert not (folder / "runs.parquet").exists()  # it really was cut off
    finished = len(list((folder / "parts").glob("run-*.parquet")))
    assert 3 <= finished < 16

    resumed, printed = sweep(capsys, path, out, "-w", "2")
    assert resumed == folder
    assert f"resumed: {finished} of 16 runs were already finished" in printed
    whole, _ = sweep(capsys, path, tmp_path / "whole", "-w", "1")
    assert_same_results(resumed, whole)
    sessions = json.loads((folder / "manifest.json").read_text())["sessions"]
    assert [s.get("ended") for s in sessions] == [None, "complete"]  # the killed one never ended


def test_ctrl_c_stops_a_pooled_sweep_with_its_runs_kept_and_a_second_call_finishes_it(
    capsys, tmp_path
):
    path = experiment_file(tmp_path, samples=8, firms=20_000)
    out = tmp_path / "interrupted"
    command = [sys.executable, "-m", "ecomsim", "sweep", str(path), "-o", str(out), "-w", "2", "-q"]
    # A new session, so the signal can go to the whole group, as a terminal's Ctrl-C does.
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if len(list(out.glob("*/parts/run-*.parquet"))) >= 3:
            break
        time.sleep(0.02)
    assert process.poll() is None, process.stderr.read().decode()
    os.killpg(process.pid, signal.SIGINT)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130
    last = errors.decode().strip().splitlines()[-1]
    assert last.startswith("ecomsim: interrupted; ") and "run the same command again" in last
    (folder,) = out.iterdir()
    assert json.loads((folder / "manifest.json").read_text())["status"] == "incomplete"
    resumed, printed = sweep(capsys, path, out, "-w", "1")
    assert "resumed:" in printed
    whole, _ = sweep(capsys, path, tmp_path / "whole", "-w", "2")
    assert_same_results(resumed, whole)


@pytest.mark.slow
def test_a_sweep_on_a_dask_cluster_gives_the_local_results(capsys, tmp_path):
    distributed = pytest.importorskip("distributed")
    path = experiment_file(tmp_path)
    local, _ = sweep(capsys, path, tmp_path / "local", "-w", "2")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote, _ = sweep(capsys, path, tmp_path / "dask", "--scheduler", cluster.scheduler_address)
    assert_same_results(local, remote)
    manifest = json.loads((remote / "manifest.json").read_text())
    backend = manifest["sessions"][0]["backend"]
    assert backend["backend"] == "dask" and backend["dask_workers"] == 2
    timings = pd.read_parquet(remote / "timings.parquet")
    assert timings["worker"].nunique() == 2  # both worker processes ran runs


def test_bad_experiment_input_is_one_line_and_exit_2(capsys, tmp_path):
    path = experiment_file(tmp_path)
    path.write_text(path.read_text().replace('method = "lhs"', 'method = "random"'))
    code = cli.main(["sweep", str(path), "-o", str(tmp_path / "out"), "-q"])
    _, errors = capsys.readouterr()
    assert code == 2
    assert errors.startswith(f"ecomsim: error: {path}: sampler.method") and errors.count("\n") == 1
    assert not (tmp_path / "out").exists()
