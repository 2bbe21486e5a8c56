"""A run store: each finished run of an experiment on disk at once, so nothing finished is lost.

Experiments (compare, transplant, sweeps, sensitivity) are many runs, each identified by its
index in the experiment's design. As a run finishes, its results go into ``parts/`` of the
experiment's folder as two small Parquet files, each written to a temporary name and renamed
into place (an atomic step on one file system). The run's one-row summary is renamed last: its
presence is what marks the run finished, so a crash, a Ctrl-C or a ``kill -9`` between the two
leaves a run that simply counts as not done. Re-running the experiment asks ``done()`` and skips
those runs; memory stays flat because nothing is held in a list.

``collect()`` reads the parts back in run order into ``runs`` (one row per run) and
``timeseries`` (one row per run × month), whichever order the runs finished in.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

RUN_FILE = re.compile(r"^run-(\d+)\.parquet$")


class RunStore:
    """The finished runs of one experiment, kept in ``folder/parts``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.parts = self.folder / "parts"
        self.parts.mkdir(parents=True, exist_ok=True)

    def done(self) -> set[int]:
        """Indices of the runs already finished (their summary row is in place)."""
        return {
            int(match.group(1))
            for path in self.parts.iterdir()
            if (match := RUN_FILE.match(path.name))
        }

    def write(self, index: int, summary: dict[str, object], timeseries: pd.DataFrame) -> None:
        """Store finished run ``index``: its time series, then its summary row (marking it done).

        ``summary`` holds the run's parameters and outcomes; both tables get a ``run`` column.
        """
        frame = timeseries.copy()
        frame.insert(0, "run", index)
        self._write_atomically(frame, self.parts / f"timeseries-{index:06d}.parquet")
        row = pd.DataFrame([{"run": index, **summary}])
        self._write_atomically(row, self.parts / f"run-{index:06d}.parquet")

    def collect(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """All finished runs: one row per run, and one row per run × month, in run order."""
        finished = sorted(self.done())
        runs = [pd.read_parquet(self.parts / f"run-{i:06d}.parquet") for i in finished]
        series = [pd.read_parquet(self.parts / f"timeseries-{i:06d}.parquet") for i in finished]
        return _concat(runs), _concat(series)

    @staticmethod
    def _write_atomically(frame: pd.DataFrame, path: Path) -> None:
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        frame.to_parquet(temporary, index=False)
        os.replace(temporary, path)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
