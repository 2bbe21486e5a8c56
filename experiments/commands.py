"""The experiment commands: ``compare``, ``transplant``, ``sweep``, ``sensitivity``, ``plot``.

Each handler turns parsed arguments into a ``Batch``, runs it into its resumable folder on the
backend asked for, writes the command's tables and figures, and prints a summary. The argument
parsers are in ``cli.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ecomsim.experiments.backends import open_backend
from ecomsim.experiments.batch import Batch, Session, run_batch
from ecomsim.experiments.compare import (
    HEADLINE_OUTCOMES,
    compare_batch,
    compare_table,
    score_level_targets,
    target_rows,
)
from ecomsim.experiments.design import Experiment, load_experiment
from ecomsim.experiments.errors import UsageError
from ecomsim.experiments.measures import OUTCOME_MEASURES, UNITS, format_measure
from ecomsim.experiments.results import command_line
from ecomsim.experiments.sensitivity import analyse, dominant
from ecomsim.experiments.store import ExperimentFolder
from ecomsim.experiments.sweep import design_batch, point_table
from ecomsim.experiments.tables import render
from ecomsim.experiments.transplant import NO_POLICY, transplant_batch, transplant_table
from ecomsim.scenarios import ScenarioError, builtin_scenarios, load_policy, load_scenario


def draw_all(folder: ExperimentFolder) -> list[Path]:
    """Draw the folder's figures (Matplotlib is imported only by the commands that draw)."""
    from ecomsim.experiments import figures

    return figures.draw_all(folder)


#: Built-in example experiment files, found by name like built-in scenarios.
EXAMPLES = Path(__file__).resolve().parent


def _run(batch: Batch, args: argparse.Namespace) -> ExperimentFolder:
    """Run (or resume) ``batch`` on the backend the options ask for; say what happened."""
    with open_backend(args.workers, args.scheduler, batch.size) as backend:
        session: Session = run_batch(
            batch,
            args.out,
            backend,
            argv=command_line(),
            fresh=args.fresh,
            progress=not args.quiet,
        )
    for warning in session.warnings:
        print(f"ecomsim: warning: {warning}", file=sys.stderr)
    if session.already_done == session.total:
        print(f"all {session.total} runs were already finished in {session.folder.path}")
    elif session.already_done:
        print(
            f"resumed: {session.already_done} of {session.total} runs were already finished; "
            f"ran the other {session.ran}"
        )
    return session.folder


def _spread_cell(median: float, low: float, high: float, unit: str, one: bool) -> str:
    if one or not np.isfinite(low):
        return format_measure(median, unit)
    return (
        f"{format_measure(median, unit)} [{format_measure(low, unit)}–{format_measure(high, unit)}]"
    )


def _heading(outcome: str) -> str:
    measure = OUTCOME_MEASURES[outcome]
    symbol = UNITS[measure.unit].symbol
    return f"{outcome} ({symbol})" if symbol else outcome


def _print_compare(table: pd.DataFrame, scores: pd.DataFrame, order: list[str], r: int) -> None:
    lines = [["outcome", *order]]
    for outcome in HEADLINE_OUTCOMES:
        unit = OUTCOME_MEASURES[outcome].unit
        cells = [_heading(outcome)]
        for scenario in order:
            row = table[(table["scenario"] == scenario) & (table["outcome"] == outcome)].iloc[0]
            cells.append(_spread_cell(row["median"], row["p5"], row["p95"], unit, r == 1))
        lines.append(cells)
    print("\n".join(render(lines, "<" + ">" * len(order))))
    print(
        f"(each scenario in its plan's last year; median [5th–95th percentile] across {r} "
        "replications; 亿 = 1e8 yuan, 万 = 1e4 yuan)"
    )
    if scores.empty:
        return
    print("\nplan targets for the last year:")
    lines = [["scenario", "target", "goal", "simulated (median)", "P(met)"]]
    for row in scores.itertuples():
        unit = row.unit
        symbol = UNITS[unit].symbol
        goal = f"{row.sign} {format_measure(row.threshold, unit)} {symbol}".rstrip()
        lines.append(
            [
                row.scenario,
                row.target,
                goal,
                format_measure(row.median, unit),
                f"{row.p_met:.0%}" if np.isfinite(row.p_met) else "–",
            ]
        )
    print("\n".join(render(lines, "<<>>>")))


def compare(args: argparse.Namespace) -> int:
    """``ecomsim compare SCENARIO ...``."""
    scenarios = [load_scenario(name) for name in args.scenarios]
    names = [s.name for s in scenarios]
    if len(set(names)) < len(names):
        raise UsageError(f"ecomsim compare: a scenario is named twice ({', '.join(names)})")
    folder = _run(compare_batch(scenarios, args.replications, args.seed, args.scale), args)
    runs = folder.read_table("runs")
    table = compare_table(runs, names)
    targets = target_rows(scenarios)
    years = {s.name: s.spec.scenario.end.year for s in scenarios}
    scores = score_level_targets(runs, targets, years)
    folder.write_table("compare", table)
    folder.write_table("targets", targets)
    folder.write_table("target_scores", scores)
    figures = draw_all(folder)
    _print_compare(table, scores, names, args.replications)
    _print_outputs(folder, figures)
    return 0


def plan_scenarios() -> list[str]:
    """Built-in scenarios that encode a policy document: a document and instruments."""
    found = []
    for name, path in builtin_scenarios().items():
        spec = load_scenario(path).spec
        if spec.scenario.document and spec.instruments:
            found.append(name)
    return found


def _print_matrix(table: pd.DataFrame, outcome: str, economies: list[str], columns: list[str]):
    unit = OUTCOME_MEASURES[outcome].unit
    mine = table[table["outcome"] == outcome].set_index(["economy", "policy"])
    lines = [["economy \\ policy", *columns]]
    for economy in economies:
        cells = [economy]
        for policy in columns:
            value = mine["median"].get((economy, policy), np.nan)
            cells.append(format_measure(value, unit))
        lines.append(cells)
    print(f"\n{OUTCOME_MEASURES[outcome].label} ({UNITS[unit].symbol}), median:")
    print("\n".join(render(lines, "<" + ">" * len(columns))))


def transplant(args: argparse.Namespace) -> int:
    """``ecomsim transplant [--economies ...] [--policies ...]``."""
    default = plan_scenarios()
    economies = [load_scenario(n) for n in (args.economies or default)]
    policies = [load_policy(n) for n in (args.policies or default)]
    for group, label in ((economies, "--economies"), (policies, "--policies")):
        names = [s.name for s in group]
        if len(set(names)) < len(names):
            raise UsageError(f"ecomsim transplant: {label} names a scenario twice")
    batch = transplant_batch(
        economies, policies, args.replications, args.seed, args.size_by, args.scale
    )
    folder = _run(batch, args)
    table = transplant_table(folder.read_table("runs"))
    folder.write_table("transplant", table)
    figures = draw_all(folder)
    economy_names = [s.name for s in economies]
    policy_names = [s.name for s in policies]
    for outcome in ("additional_adopters_per_yi", "additional_volume_per_yi"):
        _print_matrix(table, outcome, economy_names, policy_names)
    _print_matrix(table, "adoption_rate", economy_names, [*policy_names, NO_POLICY])
    print(
        f"\n(the host's plan-end year; {args.replications} replications per cell; design size "
        f"scaled by {args.size_by}; the diagonal is each city's own design)"
    )
    _print_outputs(folder, figures)
    return 0


def resolve_experiment(name_or_path: str) -> Path:
    """An experiment file by path, or a built-in example by name (``quzhou-levers``)."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return path
    example = EXAMPLES / f"{name_or_path}.toml"
    if example.is_file():
        return example
    known = ", ".join(sorted(p.stem for p in EXAMPLES.glob("*.toml")))
    raise ScenarioError(
        name_or_path, "", f"no such experiment file; built-in examples: {known or 'none'}"
    )


def _load(args: argparse.Namespace) -> Experiment:
    return load_experiment(resolve_experiment(args.experiment))


def _print_design(experiment: Experiment, table: pd.DataFrame) -> None:
    info = experiment.spec.experiment
    print(
        f"{experiment.name}: {len(table)} design points × {int(table['replications'].max())} "
        "replications "
        f"of {experiment.base.name}, outcomes in {experiment.year}"
    )
    names = list(experiment.parameters)
    lines = [["outcome", "lowest point mean", "median", "highest", "at (highest)"]]
    for outcome in info.outcomes:
        unit = OUTCOME_MEASURES[outcome].unit
        means = table[f"{outcome}:mean"]
        if means.notna().sum() == 0:
            lines.append([outcome, "–", "–", "–", "undefined at every point"])
            continue
        best = table.loc[means.idxmax()]
        at = ", ".join(f"{n}={_short(best[n])}" for n in names)
        lines.append(
            [
                _heading(outcome),
                format_measure(means.min(), unit),
                format_measure(means.median(), unit),
                format_measure(means.max(), unit),
                at,
            ]
        )
    print("\n".join(render(lines, "<>>><")))


def _short(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def sweep(args: argparse.Namespace) -> int:
    """``ecomsim sweep EXPERIMENT``."""
    experiment = _load(args)
    if experiment.spec.sampler is None:
        raise ScenarioError(
            str(experiment.path), "sampler", "ecomsim sweep needs a [sampler] table"
        )
    method = experiment.spec.sampler.method
    folder = _run(design_batch(experiment, "sweep", method), args)
    table = point_table(
        folder.read_table("runs"), folder.read_table("points"), experiment.spec.experiment.outcomes
    )
    folder.write_table("design", table)
    figures = draw_all(folder)
    _print_design(experiment, table)
    _print_outputs(folder, figures)
    return 0


def sensitivity(args: argparse.Namespace) -> int:
    """``ecomsim sensitivity EXPERIMENT``."""
    experiment = _load(args)
    spec = experiment.spec.sensitivity
    if spec is None:
        raise ScenarioError(
            str(experiment.path), "sensitivity", "ecomsim sensitivity needs a [sensitivity] table"
        )
    method = "saltelli" if spec.method == "sobol" else "morris"
    batch = design_batch(
        experiment, "sensitivity", method, about={"sensitivity": spec.model_dump()}
    )
    folder = _run(batch, args)
    runs, points = folder.read_table("runs"), folder.read_table("points")
    outcomes = experiment.spec.experiment.outcomes
    names = list(experiment.parameters)
    indices = analyse(points, runs, outcomes, names, spec, experiment.spec.experiment.seed)
    folder.write_table("design", point_table(runs, points, outcomes))
    folder.write_table("sensitivity", indices)
    # The analysis settings may differ from the session that ran the design: keep today's.
    folder.write_manifest({**folder.manifest(), "sensitivity": spec.model_dump()})
    figures = draw_all(folder)
    _print_indices(experiment, indices, method, spec.confidence, len(points))
    _print_outputs(folder, figures)
    return 0


ANALYSIS_NAMES = {"saltelli": "Sobol", "morris": "Morris"}


def _index_format(method: str, unit: str):
    """How an index is printed: Sobol indices as shares, Morris effects in the outcome's unit."""
    if method == "saltelli":
        return lambda value: f"{value:.3f}"
    return lambda value: format_measure(value, unit)


def _print_indices(
    experiment: Experiment, indices: pd.DataFrame, method: str, confidence: float, points: int
) -> None:
    info = experiment.spec.experiment
    print(
        f"{experiment.name}: {ANALYSIS_NAMES[method]} analysis of "
        f"{len(experiment.parameters)} parameters, {points} design points × "
        f"{experiment.replications(method)} replications of {experiment.base.name}"
    )
    shown = ("S1", "ST") if method == "saltelli" else ("mu_star", "sigma")
    for outcome in info.outcomes:
        mine = indices[indices["outcome"] == outcome]
        if mine["index"].isna().all():
            print(f"\n{outcome}: not analysed ({mine['note'].iloc[0]})")
            continue
        unit = OUTCOME_MEASURES[outcome].unit
        print(f"\n{outcome}: most influential: {dominant(indices, outcome)}")
        with_interval = {"S1", "ST", "mu_star"}  # SALib gives no interval for sigma
        lines = [
            [
                "parameter",
                *[f"{i} [{confidence:.0%} interval]" if i in with_interval else i for i in shown],
            ]
        ]
        for parameter in dict.fromkeys(mine["parameter"]):
            cells = [parameter]
            for index in shown:
                row = mine[(mine["parameter"] == parameter) & (mine["index"] == index)]
                if row.empty:
                    cells.append("–")
                    continue
                row = row.iloc[0]
                fmt = _index_format(method, unit)
                interval = (
                    f" [{fmt(row['conf_low'])}, {fmt(row['conf_high'])}]"
                    if np.isfinite(row["conf_low"])
                    else ""
                )
                cells.append(f"{fmt(row['value'])}{interval}")
            lines.append(cells)
        print("\n".join(render(lines, "<" + ">" * len(shown))))
    if method == "morris":
        print("(Morris effects are across each parameter's whole range, in the outcome's unit)")


def plot(args: argparse.Namespace) -> int:
    """``ecomsim plot RESULTS_DIR``: redraw every figure of a results folder from its data."""
    from ecomsim.experiments.figures import folder_kind

    folder = ExperimentFolder(args.folder)
    manifest = folder.manifest() if folder.exists() else {}
    where = str(args.folder)
    if folder_kind(manifest) is None:
        raise ScenarioError(
            where,
            "",
            "not a results folder of ecomsim (it needs the manifest.json of ecomsim run, "
            "compare, transplant, sweep or sensitivity)",
        )
    if "kind" in manifest and manifest.get("status") != "complete":
        raise ScenarioError(
            where, "status", "the experiment is not finished; run its command again to finish it"
        )
    figures = draw_all(folder)
    _print_outputs(folder, figures, tables=False)
    return 0


def _print_outputs(folder: ExperimentFolder, figures: list[Path], tables: bool = True) -> None:
    pngs = [p.name for p in figures if p.suffix == ".png"]
    if tables:
        print(f"\nresults: {folder.path}")
    print(f"figures: {folder.figures} ({', '.join(pngs)}, and SVG)")
