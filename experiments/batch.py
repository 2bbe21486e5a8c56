"""A batch: the runs of one experiment command, run into a resumable results folder.

Every experiment command (``compare``, ``transplant``, ``sweep``, ``sensitivity``) describes
its runs as a ``Batch``: how many there are, how to build run ``i``, and the identity its
results depend on. ``run_batch`` does the rest the same way for all of them: it opens the
experiment's folder (the same folder for the same command, so a second call resumes), skips the
runs already finished, sends the others to the backend a few at a time, stores each as it
finishes, gathers them into ``runs.parquet`` and ``timeseries.parquet`` when all are done, and
keeps ``manifest.json`` up to date with every session that worked on the folder.
"""

from __future__ import annotations

import platform
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd

from ecomsim import __version__
from ecomsim.experiments.backends import Backend
from ecomsim.experiments.errors import RunError
from ecomsim.experiments.jobs import RunJob, run_job
from ecomsim.experiments.results import git_commit
from ecomsim.experiments.runner import execute
from ecomsim.experiments.store import ExperimentFolder, identity_hash
from ecomsim.scenarios import LoadedScenario

PACKAGES = ("mesa", "numpy", "pandas", "pydantic", "scipy", "SALib")


class ExperimentInterrupted(KeyboardInterrupt):
    """Ctrl-C during an experiment: the message says what was kept and how to resume."""


@dataclass
class Batch:
    """The runs of one experiment.

    ``identity`` is everything the results depend on (design, scenario hashes, seed,
    replications); it names the folder. ``about`` is copied into the manifest.
    """

    kind: str
    name: str
    size: int
    job: Callable[[int], RunJob]
    identity: dict[str, Any]
    about: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # the design, written first


@dataclass
class Session:
    """What one call of ``run_batch`` did (``warnings`` for the user, e.g. mixed code)."""

    folder: ExperimentFolder
    already_done: int
    ran: int
    total: int
    warnings: list[str] = field(default_factory=list)


def describe_scenario(loaded: LoadedScenario) -> dict[str, object]:
    """A scenario as a manifest records it: name, file, hashes and overrides."""
    return {
        "name": loaded.name,
        "file": str(loaded.path),
        "file_sha256": loaded.file_sha256,
        "scenario_sha256": loaded.spec_sha256,
        "overrides": list(loaded.overrides),
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _packages() -> dict[str, str]:
    return {name: version(name) for name in PACKAGES}


def _mixed_code(earlier: list[dict[str, Any]], session: dict[str, Any]) -> list[str]:
    """A warning if earlier sessions of this folder ran another commit of ecomsim."""
    commits = {s.get("git_commit") for s in earlier} - {None}
    if commits and session["git_commit"] and commits != {session["git_commit"]}:
        return [
            f"the finished runs were made by commit {', '.join(sorted(c[:10] for c in commits))} "
            f"and the rest by {session['git_commit'][:10]}; use --fresh for one code version"
        ]
    return []


def _log_failure(folder: ExperimentFolder, error: RunError) -> str:
    """Append the failed run's traceback to ``errors.log``; say so (or nothing, if none)."""
    if error.__cause__ is None:
        return ""
    lines = traceback.format_exception(error.__cause__)
    with (folder.path / "errors.log").open("a", encoding="utf-8") as log:
        log.write(f"--- {_now()} {error}\n{''.join(lines)}\n")
    return f" (traceback in {folder.path / 'errors.log'})"


def run_batch(
    batch: Batch,
    out: Path,
    backend: Backend,
    *,
    argv: list[str],
    fresh: bool = False,
    progress: bool = True,
) -> Session:
    """Run every run of ``batch`` not yet finished in its folder under ``out``.

    With ``fresh`` the folder is emptied first. A Ctrl-C raises ``ExperimentInterrupted``
    after recording the session; finished runs stay in the folder either way.
    """
    folder = ExperimentFolder.for_experiment(out, batch.kind, batch.name, batch.identity)
    folder.lock()
    try:
        if fresh:
            folder.unlock()
            folder.remove()
            folder.lock()
        store = folder.store()
        done = store.done()
        manifest = folder.manifest() or {
            "kind": batch.kind,
            "name": batch.name,
            "ecomsim_version": __version__,
            "identity_sha256": identity_hash(batch.identity),
            "runs": batch.size,
            **batch.about,
            "identity": batch.identity,
            "status": "running",
            "started": _now(),
            "sessions": [],
        }
        session: dict[str, Any] = {
            "started": _now(),
            "command_line": argv,
            "backend": backend.description,
            "git_commit": git_commit(),
            "ecomsim_version": __version__,
            "python": platform.python_version(),
            "packages": _packages(),
            "runs_already_done": len(done),
        }
        warnings = _mixed_code(manifest["sessions"], session) if done else []
        manifest["sessions"].append(session)
        manifest["status"] = "running"
        folder.write_manifest(manifest)
        for name, table in batch.tables.items():
            folder.write_table(name, table)

        todo = [index for index in range(batch.size) if index not in done]
        jobs = ((index, ((batch.job(index),), {})) for index in todo)
        ran = 0
        try:
            for index, output in execute(
                run_job,
                jobs,
                total=len(todo),
                workers=backend.workers,
                executor=backend.executor,
                window=backend.window,
                progress=progress,
                label=f"{batch.kind} {batch.name}",
            ):
                store.write(index, output.summary, output.series)
                ran += 1
        except BaseException as error:
            session.update(finished=_now(), runs_done=ran, ended=type(error).__name__)
            manifest["status"] = "incomplete"
            folder.write_manifest(manifest)
            kept = (
                f"{len(store.done())} of {batch.size} runs are kept in {folder.path}; "
                "run the same command again to finish the rest"
            )
            if isinstance(error, KeyboardInterrupt):
                raise ExperimentInterrupted(f"interrupted; {kept}") from None
            if isinstance(error, RunError):
                log = _log_failure(folder, error)
                raise RunError(f"{error}{log}; {kept}") from None
            raise
        store.consolidate()
        session.update(finished=_now(), runs_done=ran, ended="complete")
        manifest.update(status="complete", finished=_now())
        folder.write_manifest(manifest)
        return Session(folder, len(done), ran, batch.size, warnings)
    finally:
        folder.unlock()
