"""The run store: finished runs survive a crash, and an experiment resumes where it stopped."""

import operator

import numpy as np
import pandas as pd

from ecomsim.experiments.runner import execute
from ecomsim.experiments.store import RunStore


def series(index, months=3):
    return pd.DataFrame({"step": np.arange(1, months + 1), "adopters": np.arange(months) + index})


def test_runs_come_back_in_run_order_whatever_order_they_finished_in(tmp_path):
    store = RunStore(tmp_path / "experiment")
    for index in (2, 0, 1):
        store.write(index, {"amount": 10.0 * index, "adopters_2017": 100 + index}, series(index))
    assert store.done() == {0, 1, 2}
    runs, timeseries = store.collect()
    assert runs["run"].tolist() == [0, 1, 2]
    assert runs["amount"].tolist() == [0.0, 10.0, 20.0]
    assert timeseries["run"].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert timeseries.loc[timeseries["run"] == 2, "adopters"].tolist() == [2, 3, 4]


def test_a_column_some_runs_lack_is_null_in_theirs_once_consolidated(tmp_path):
    store = RunStore(tmp_path / "experiment")
    store.write(0, {"adoption_rate": 0.5, "firms_above_100yi": 3.0}, series(0))
    store.write(1, {"adoption_rate": 0.4}, series(1))  # another scenario declares no line
    store.consolidate()
    runs, _ = store.collect()
    assert runs["firms_above_100yi"].tolist()[0] == 3.0 and runs["firms_above_100yi"].isna()[1]


def test_a_run_cut_off_while_being_written_counts_as_not_done(tmp_path):
    store = RunStore(tmp_path / "experiment")
    store.write(0, {"x": 1.0}, series(0))
    # A crash after the time series and before the summary row, and a stray temporary file.
    series(1).assign(run=1).to_parquet(store.parts / "timeseries-000001.parquet")
    (store.parts / ".run-000002.parquet.999.tmp").write_bytes(b"half a file")
    assert store.done() == {0}
    runs, timeseries = store.collect()
    assert runs["run"].tolist() == [0] and set(timeseries["run"]) == {0}


def test_a_reopened_store_resumes_and_ends_like_an_uninterrupted_one(tmp_path):
    def experiment(folder, stop_after=None):
        store = RunStore(folder)
        for index in range(5):
            if index in store.done():
                continue
            if stop_after is not None and index == stop_after:
                return  # interrupted
            store.write(index, {"value": index**2}, series(index))

    experiment(tmp_path / "resumed", stop_after=3)
    assert RunStore(tmp_path / "resumed").done() == {0, 1, 2}
    experiment(tmp_path / "resumed")
    experiment(tmp_path / "whole")
    resumed, resumed_series = RunStore(tmp_path / "resumed").collect()
    whole, whole_series = RunStore(tmp_path / "whole").collect()
    pd.testing.assert_frame_equal(resumed, whole)
    pd.testing.assert_frame_equal(resumed_series, whole_series)


def test_an_empty_store_collects_empty_tables(tmp_path):
    runs, timeseries = RunStore(tmp_path / "nothing").collect()
    assert runs.empty and timeseries.empty


def test_execute_streams_keyed_results_into_a_store_and_skips_finished_runs(tmp_path):
    store = RunStore(tmp_path / "experiment")
    store.write(1, {"product": 7}, series(1))  # finished in an earlier, interrupted session
    jobs = {i: ((i, 10), {}) for i in range(4) if i not in store.done()}
    for key, product in execute(operator.mul, jobs, workers=2, progress=False):
        store.write(key, {"product": product}, series(key))
    runs, _ = store.collect()
    assert runs["run"].tolist() == [0, 1, 2, 3]
    assert runs["product"].tolist() == [0, 7, 20, 30]  # run 1 was not run again
