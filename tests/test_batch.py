"""Running many runs: bounded in flight, resumable, locked, and nothing finished is ever lost."""

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from support import GRANT_POLICY, die_on, make_spec

from ecomsim.experiments import batch as batch_module
from ecomsim.experiments.backends import Backend, open_backend
from ecomsim.experiments.batch import Batch, ExperimentInterrupted, run_batch
from ecomsim.experiments.errors import RunError, UsageError
from ecomsim.experiments.jobs import RunJob
from ecomsim.experiments.runner import execute
from ecomsim.experiments.store import ExperimentFolder, RunStore

SPEC = make_spec(GRANT_POLICY)


def small_batch(size=6, name="small"):
    def job(index):
        return RunJob(
            SPEC,
            seed=100 + index % 3,
            replication=index % 3,
            year=2016,
            labels={"point": index // 3},
            outcomes=("adoption_rate", "additional_adopters"),
            series=("adoption_rate",),
        )

    return Batch("sweep", name, size, job, {"kind": "sweep", "size": size}, {"seed": 0})


def here():
    return Backend(None, 1, {"backend": "this process", "workers": 1})


def test_execute_keeps_only_a_window_of_runs_ahead_of_the_results():
    pulled, lock = [], threading.Lock()

    def jobs():
        for i in range(40):
            with lock:
                pulled.append(i)
            yield i, ((i,), {})

    seen_when_first_result = None
    with ThreadPoolExecutor(2) as pool:
        for n, (key, value) in enumerate(
            execute(lambda x: x * x, jobs(), total=40, executor=pool, window=4, progress=False)
        ):
            assert value == key * key
            if n == 0:
                seen_when_first_result = len(pulled)
    assert seen_when_first_result <= 4 + 1  # the window, topped up by the first result
    assert len(pulled) == 40


def test_a_worker_that_dies_raises_a_run_error_and_results_before_it_are_kept(tmp_path):
    store = RunStore(tmp_path)
    jobs = {i: ((3, i), {}) for i in range(8)}
    with pytest.raises(RunError, match="a worker process died"):
        for key, value in execute(die_on, jobs, workers=2, window=2, progress=False):
            store.write(key, {"value": value}, pd.DataFrame({"step": [1]}))
    runs, _ = store.collect()
    assert (runs["value"] == runs["run"] * 2).all()  # whatever finished was stored whole
    assert 3 not in store.done()


def test_consolidation_streams_parts_into_tables_and_conforms_types(tmp_path):
    store = RunStore(tmp_path)
    series = pd.DataFrame({"step": [1, 2], "date": ["2015-01", "2015-02"], "x": [0.5, 1.5]})
    store.write(1, {"point": 0, "cost": 3.0, "wall_time_seconds": 0.1, "worker": "a"}, series)
    store.write(0, {"point": 0, "cost": None, "wall_time_seconds": 0.2, "worker": "b"}, series)
    store.consolidate()
    assert not store.parts.exists() and store.consolidated
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert runs["run"].tolist() == [0, 1] and "worker" not in runs
    assert np.isnan(runs["cost"][0]) and runs["cost"][1] == 3.0
    timings = pd.read_parquet(tmp_path / "timings.parquet")
    assert timings["worker"].tolist() == ["b", "a"]
    assert pd.read_parquet(tmp_path / "timeseries.parquet")["run"].tolist() == [0, 0, 1, 1]
    assert store.done() == {0, 1}


def test_a_batch_writes_a_manifest_and_tables_and_a_second_call_finds_it_done(tmp_path):
    first = run_batch(small_batch(), tmp_path, here(), argv=["ecomsim", "sweep"], progress=False)
    folder = first.folder
    assert (first.already_done, first.ran) == (0, 6)
    manifest = json.loads(folder.manifest_path.read_text())
    assert manifest["status"] == "complete" and manifest["runs"] == 6
    assert manifest["sessions"][0]["command_line"] == ["ecomsim", "sweep"]
    assert manifest["sessions"][0]["backend"] == {"backend": "this process", "workers": 1}
    for key in ("ecomsim_version", "git_commit", "started", "finished", "identity_sha256"):
        assert key in manifest or key in manifest["sessions"][0]
    runs = folder.read_table("runs")
    assert runs.columns.tolist() == [
        "run",
        "point",
        "replication",
        "seed",
        "adoption_rate",
        "additional_adopters",
    ]
    second = run_batch(small_batch(), tmp_path, here(), argv=["again"], progress=False)
    assert (second.already_done, second.ran) == (6, 0)
    assert len(json.loads(folder.manifest_path.read_text())["sessions"]) == 2


def test_a_different_design_gets_its_own_folder(tmp_path):
    a = run_batch(small_batch(3), tmp_path, here(), argv=[], progress=False).folder
    b = run_batch(small_batch(6), tmp_path, here(), argv=[], progress=False).folder
    assert a.path != b.path and a.path.name.startswith("sweep-small-")


def test_an_interrupted_batch_keeps_its_runs_and_resumes_to_the_same_results(tmp_path, monkeypatch):
    real_write = RunStore.write
    calls = []

    def write_then_interrupt(self, index, summary, series):
        real_write(self, index, summary, series)
        calls.append(index)
        if len(calls) == 4:
            raise KeyboardInterrupt

    monkeypatch.setattr(RunStore, "write", write_then_interrupt)
    with pytest.raises(ExperimentInterrupted, match="4 of 6 runs are kept"):
        run_batch(small_batch(), tmp_path / "resumed", here(), argv=[], progress=False)
    monkeypatch.setattr(RunStore, "write", real_write)
    (folder,) = (tmp_path / "resumed").iterdir()
    assert json.loads((folder / "manifest.json").read_text())["status"] == "incomplete"
    resumed = run_batch(small_batch(), tmp_path / "resumed", here(), argv=[], progress=False)
    assert (resumed.already_done, resumed.ran) == (4, 2)
    whole = run_batch(small_batch(), tmp_path / "whole", Backend(None, 2), argv=[], progress=False)
    for table in ("runs", "timeseries"):
        pd.testing.assert_frame_equal(
            resumed.folder.read_table(table), whole.folder.read_table(table)
        )


def test_fresh_starts_over(tmp_path):
    run_batch(small_batch(), tmp_path, here(), argv=[], progress=False)
    again = run_batch(small_batch(), tmp_path, here(), argv=[], fresh=True, progress=False)
    assert (again.already_done, again.ran) == (0, 6)
    assert len(again.folder.manifest()["sessions"]) == 1


def test_a_folder_in_use_by_another_process_is_refused(tmp_path):
    holder = ExperimentFolder.for_experiment(tmp_path, "sweep", "small", small_batch().identity)
    holder.lock()
    try:
        with pytest.raises(UsageError, match="another ecomsim process is running"):
            run_batch(small_batch(), tmp_path, here(), argv=[], progress=False)
    finally:
        holder.unlock()


def test_an_unreachable_scheduler_is_a_usage_error():
    refused = re.escape("--scheduler tcp://127.0.0.1:9: cannot connect")
    with pytest.raises(UsageError, match=refused), open_backend(None, "tcp://127.0.0.1:9", 4):
        pass


def test_resuming_runs_of_another_commit_warns(tmp_path, monkeypatch):
    monkeypatch.setattr(batch_module, "git_commit", lambda: "a" * 40)
    whole = small_batch()
    real_write = RunStore.write

    def stop_after_two(self, index, summary, series):
        real_write(self, index, summary, series)
        if index == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(RunStore, "write", stop_after_two)
    with pytest.raises(ExperimentInterrupted):
        run_batch(whole, tmp_path, here(), argv=[], progress=False)
    monkeypatch.setattr(RunStore, "write", real_write)
    monkeypatch.setattr(batch_module, "git_commit", lambda: "b" * 40)
    session = run_batch(whole, tmp_path, here(), argv=[], progress=False)
    assert session.warnings == [
        "the finished runs were made by commit aaaaaaaaaa and the rest by bbbbbbbbbb; "
        "use --fresh for one code version"
    ]


def test_a_run_that_fails_is_reported_with_its_traceback_and_the_others_are_kept(tmp_path):
    good = small_batch()

    def job(index):
        made = good.job(index)
        if index == 2:  # an outcome year the run never reaches: run_outcomes raises
            return RunJob(made.scenario, made.seed, made.replication, 2030, made.labels)
        return made

    failing = Batch(good.kind, good.name, good.size, job, good.identity)
    with pytest.raises(RunError, match=r"run 2 failed: ValueError: the run does not reach 2030"):
        run_batch(failing, tmp_path, here(), argv=[], progress=False)
    (folder,) = tmp_path.iterdir()
    log = (folder / "errors.log").read_text()
    assert "Traceback" in log and "run_outcomes" in log
    assert ExperimentFolder(folder).store().done() == {0, 1}
