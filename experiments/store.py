"""Experiment folders on disk: each finished run saved at once, resumable, never half-written.

Experiments (compare, transplant, sweeps, sensitivity) are many runs, each identified by its
index in the experiment's design. As a run finishes, its results go into ``parts/`` of the
experiment's folder as two small Parquet files, each written to a temporary name and renamed
into place (an atomic step on one file system). The run's one-row summary is renamed last: its
presence is what marks the run finished, so a crash, a Ctrl-C or a ``kill -9`` between the two
leaves a run that simply counts as not done. Re-running the experiment asks ``done()`` and skips
those runs; memory stays flat because nothing is held in a list.

When every run is done, ``consolidate()`` streams the parts, in run order, into
``runs.parquet`` (one row per run), ``timeseries.parquet`` (one row per run × month) and
``timings.parquet`` (each run's wall time and worker), then removes ``parts/``.

An ``ExperimentFolder`` is the whole folder: its name is fixed by what the results depend on
(so the same command finds it again and resumes), a lock keeps two processes from writing it at
once, and ``manifest.json`` records every session that worked on it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ecomsim.experiments.errors import UsageError

RUN_FILE = re.compile(r"^run-(\d+)\.parquet$")
#: Columns of a run's summary that describe how it ran, not what it produced.
TIMING_COLUMNS = ("wall_time_seconds", "worker")


def write_atomically(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as Parquet at ``path`` via a temporary name, so it appears whole."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.to_parquet(temporary, index=False)
    os.replace(temporary, path)


def write_text_atomically(text: str, path: Path) -> None:
    """Write ``text`` at ``path`` via a temporary name, so it appears whole."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


class RunStore:
    """The finished runs of one experiment, kept in ``folder/parts`` until consolidated."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.parts = self.folder / "parts"

    @property
    def consolidated(self) -> bool:
        """Whether the runs have been gathered into ``runs.parquet`` (the experiment is done)."""
        return (self.folder / "runs.parquet").exists()

    def done(self) -> set[int]:
        """Indices of the runs already finished (their summary row is in place)."""
        if self.consolidated:
            runs = pq.read_table(self.folder / "runs.parquet", columns=["run"])
            return set(runs.column("run").to_pylist())
        if not self.parts.exists():
            return set()
        return {
            int(match.group(1))
            for path in self.parts.iterdir()
            if (match := RUN_FILE.match(path.name))
        }

    def write(self, index: int, summary: dict[str, object], timeseries: pd.DataFrame) -> None:
        """Store finished run ``index``: its time series, then its summary row (marking it done).

        ``summary`` holds the run's parameters and outcomes; both tables get a ``run`` column.
        """
        self.parts.mkdir(parents=True, exist_ok=True)
        frame = timeseries.copy()
        frame.insert(0, "run", index)
        write_atomically(frame, self.parts / f"timeseries-{index:06d}.parquet")
        row = pd.DataFrame([{"run": index, **summary}])
        write_atomically(row, self.parts / f"run-{index:06d}.parquet")

    def collect(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """All finished runs: one row per run, and one row per run × month, in run order."""
        if self.consolidated:
            return (
                pd.read_parquet(self.folder / "runs.parquet"),
                pd.read_parquet(self.folder / "timeseries.parquet"),
            )
        finished = sorted(self.done())
        runs = [pd.read_parquet(self.parts / f"run-{i:06d}.parquet") for i in finished]
        series = [pd.read_parquet(self.parts / f"timeseries-{i:06d}.parquet") for i in finished]
        return _concat(runs), _concat(series)

    def consolidate(self) -> None:
        """Stream every part, in run order, into the three tables; then drop ``parts/``.

        One part is in memory at a time. Each table is written under a temporary name and
        renamed into place, ``runs.parquet`` last: until it exists the parts are the truth.
        """
        if self.consolidated:
            return
        finished = sorted(self.done())
        run_parts = [self.parts / f"run-{i:06d}.parquet" for i in finished]
        series_parts = [self.parts / f"timeseries-{i:06d}.parquet" for i in finished]
        writers = {
            "runs": _StreamingTable(
                self.folder / "runs.parquet", run_parts, lambda c: c not in TIMING_COLUMNS
            ),
            "timings": _StreamingTable(
                self.folder / "timings.parquet", run_parts, lambda c: c in ("run", *TIMING_COLUMNS)
            ),
            "timeseries": _StreamingTable(self.folder / "timeseries.parquet", series_parts),
        }
        try:
            for index in finished:
                row = pd.read_parquet(self.parts / f"run-{index:06d}.parquet")
                writers["runs"].append(row)
                writers["timings"].append(row)
                writers["timeseries"].append(
                    pd.read_parquet(self.parts / f"timeseries-{index:06d}.parquet")
                )
            for name in ("timeseries", "timings", "runs"):
                writers.pop(name).close()
        finally:
            for writer in writers.values():
                writer.abandon()
        shutil.rmtree(self.parts, ignore_errors=True)


class _StreamingTable:
    """A Parquet file written one frame at a time under a temporary name.

    Its schema unifies the parts' schemas (read from their footers, not their data): a column
    that is null in one run and numeric in another, or whole in one and fractional in
    another, becomes the wider type in every row; a column some runs lack (an outcome only
    one scenario's targets declare) is null in theirs.
    """

    def __init__(
        self, path: Path, parts: list[Path], keep: Callable[[str], bool] = lambda _: True
    ) -> None:
        self.path = path
        self.temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.writer: pq.ParquetWriter | None = None
        schemas = [pq.read_schema(part).remove_metadata() for part in parts]
        self.schema = None
        if schemas:
            whole = pa.unify_schemas(schemas, promote_options="permissive")
            self.schema = pa.schema([f for f in whole if keep(f.name)])

    def append(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        for field in self.schema:
            if field.name not in table.column_names:
                table = table.append_column(field, pa.nulls(len(table), field.type))
        table = table.select(self.schema.names).cast(self.schema)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.temporary, self.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is None:  # no runs: an empty table
            pd.DataFrame().to_parquet(self.temporary)
        else:
            self.writer.close()
        os.replace(self.temporary, self.path)

    def abandon(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.temporary.unlink(missing_ok=True)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def identity_hash(identity: dict[str, Any]) -> str:
    """Short hash of everything an experiment's results depend on."""
    canonical = json.dumps(identity, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ExperimentFolder:
    """``OUT/<kind>-<name>-<hash>/``: one experiment's runs, tables, figures and manifest.

    The hash is of the experiment's identity (design, scenarios, seeds; not the workers or
    the backend), so running the same command again opens the same folder and resumes it.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.figures = self.path / "figures"
        self._lock: int | None = None

    @classmethod
    def for_experiment(
        cls, out: Path, kind: str, name: str, identity: dict[str, Any]
    ) -> ExperimentFolder:
        """The folder an experiment of this kind, name and identity writes to."""
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "experiment"
        return cls(Path(out) / f"{kind}-{safe}-{identity_hash(identity)[:10]}")

    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.path / "manifest.json"

    def exists(self) -> bool:
        """Whether an earlier session started this experiment."""
        return self.manifest_path.exists()

    def manifest(self) -> dict[str, Any]:
        """The manifest as last written (empty if none)."""
        if not self.manifest_path.exists():
            return {}
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        text = json.dumps(manifest, indent=2, ensure_ascii=False, allow_nan=False, default=str)
        write_text_atomically(text + "\n", self.manifest_path)

    def lock(self) -> None:
        """Take the folder for this process; refuse if another ecomsim process holds it."""
        self.path.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path / ".lock", os.O_CREAT | os.O_RDWR)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            raise UsageError(
                f"{self.path}: another ecomsim process is running this experiment; wait for it "
                "or stop it (its finished runs are kept)"
            ) from None
        self._lock = handle

    def unlock(self) -> None:
        """Release the folder."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def remove(self) -> None:
        """Delete the folder and everything in it (``--fresh``)."""
        shutil.rmtree(self.path, ignore_errors=True)

    def store(self) -> RunStore:
        """The folder's run store."""
        return RunStore(self.path)

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        """Write a result table as ``name.parquet`` and ``name.csv``, each atomically."""
        write_atomically(frame, self.path / f"{name}.parquet")
        write_text_atomically(frame.to_csv(index=False), self.path / f"{name}.csv")

    def read_table(self, name: str) -> pd.DataFrame:
        """A table written by ``write_table`` or ``consolidate``."""
        return pd.read_parquet(self.path / f"{name}.parquet")
