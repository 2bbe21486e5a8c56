"""Results folders: written whole or not at all, with a manifest that identifies the run.

A folder ``OUT/<run-id>/`` holds ``timeseries.parquet`` (one row per replication × month),
``platforms.parquet``, ``logistics.parquet``, ``payments.parquet`` (the funder's ledger),
``summary.json``, ``manifest.json`` and ``figures/`` (the plan against no policy). It is
assembled in a hidden sibling folder and renamed into place at the end, so an error or Ctrl-C
never leaves a half-written folder behind.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ecomsim import __version__
from ecomsim.model.run import RunResult
from ecomsim.scenarios import LoadedScenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def new_run_id(out: Path, name: str, seed: int, when: datetime) -> str:
    """``<scenario>-<YYYYmmdd-HHMMSS>-s<seed>``, with a suffix if that folder exists."""
    base = f"{name}-{when:%Y%m%d-%H%M%S}-s{seed}"
    candidate, n = base, 2
    while (out / candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def git_commit() -> str | None:
    """Commit of the ecomsim source tree, if it is a git checkout."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found.stdout.strip() or None


def identify(
    loaded: LoadedScenario,
    *,
    seed: int,
    argv: list[str],
    started: datetime,
    finished: datetime,
    workers: int,
) -> dict[str, object]:
    """What every manifest records: code version, scenario and its hashes, command, timings."""
    return {
        "ecomsim_version": __version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "packages": {p: version(p) for p in ("mesa", "numpy", "pandas", "pydantic", "scipy")},
        "scenario": loaded.name,
        "scenario_file": str(loaded.path),
        "scenario_file_sha256": loaded.file_sha256,
        "scenario_sha256": loaded.spec_sha256,
        "overrides": list(loaded.overrides),
        "seed": seed,
        "command_line": argv,
        "workers": workers,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_time_seconds": round((finished - started).total_seconds(), 3),
    }


def build_manifest(
    loaded: LoadedScenario,
    *,
    seed: int,
    seeds: list[int],
    argv: list[str],
    started: datetime,
    finished: datetime,
    results: list[RunResult],
    workers: int,
    until: str | None,
    keep_policy: bool,
    scale: float = 1.0,
) -> dict[str, object]:
    """Everything needed to identify and repeat a run."""
    return {
        **identify(
            loaded, seed=seed, argv=argv, started=started, finished=finished, workers=workers
        ),
        "plan": loaded.spec.scenario.plan,
        "plan_start": str(loaded.spec.scenario.policy_start),
        "replication_seeds": seeds,
        "until": until,
        "keep_policy": keep_policy,
        "scale": scale,
        "replication_wall_times": [round(r.wall_time, 3) for r in results],
        "outstanding_commitments": [r.outstanding for r in results],
    }


def write_folder(
    out: Path,
    run_id: str,
    frames: dict[str, pd.DataFrame],
    documents: dict[str, object],
    csv: tuple[str, ...] = (),
    figures: dict[str, Figure] | None = None,
) -> Path:
    """Write a folder ``out/run_id`` atomically: it appears whole or not at all.

    ``frames`` become Parquet files (and CSV for those named in ``csv``), ``documents`` JSON,
    ``figures`` PNG and SVG files in ``figures/``.
    """
    out.mkdir(parents=True, exist_ok=True)
    final = out / run_id
    partial = out / f".{run_id}.partial-{os.getpid()}"
    try:
        partial.mkdir()
        for name, frame in frames.items():
            frame.to_parquet(partial / f"{name}.parquet", index=False)
            if name in csv:
                frame.to_csv(partial / f"{name}.csv", index=False)
        for name, document in documents.items():
            (partial / f"{name}.json").write_text(
                json.dumps(document, indent=2, allow_nan=False, ensure_ascii=False) + "\n"
            )
        for name, figure in (figures or {}).items():
            (partial / "figures").mkdir(exist_ok=True)
            for suffix in ("png", "svg"):
                figure.savefig(
                    partial / "figures" / f"{name}.{suffix}", dpi=200, bbox_inches="tight"
                )
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def write_results(
    out: Path,
    run_id: str,
    results: list[RunResult],
    summary: dict[str, object],
    manifest: dict[str, object],
    csv: bool = False,
    figures: dict[str, Figure] | None = None,
) -> Path:
    """Write a complete results folder of ``ecomsim run`` atomically and return its path."""
    frames = {
        "timeseries": pd.concat([r.timeseries for r in results], ignore_index=True),
        "platforms": pd.concat([r.platforms for r in results], ignore_index=True),
        "logistics": pd.concat([r.logistics for r in results], ignore_index=True),
        "payments": pd.concat(
            [r.payments.assign(replication=r.replication) for r in results], ignore_index=True
        ),
    }
    documents = {"summary": summary, "manifest": manifest}
    return write_folder(
        out, run_id, frames, documents, csv=("timeseries",) if csv else (), figures=figures
    )


def now() -> datetime:
    """Current time in UTC (manifests use UTC)."""
    return datetime.now(UTC)


def command_line() -> list[str]:
    """The command line as typed, with the program name shortened."""
    return ["ecomsim", *sys.argv[1:]]
