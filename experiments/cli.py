"""The ``ecomsim`` command line.

Subcommands: ``run`` (replications of a scenario, a summary table and a results folder),
``calibrate``, ``scenarios`` (the built-in scenarios), ``validate`` (check a scenario file),
``show`` (a scenario's values with their sources), and the experiments (``compare``,
``transplant``, ``sweep``, ``sensitivity``, ``plot``; handlers in ``commands.py``). Bad input
gets one line on stderr naming the file, the field and what is allowed, and exit code 2;
nothing is written.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NoReturn

import pandas as pd
from tqdm import tqdm

from ecomsim import __version__
from ecomsim.experiments import commands
from ecomsim.experiments.batch import ExperimentInterrupted
from ecomsim.experiments.errors import RunError, UsageError
from ecomsim.experiments.results import (
    build_manifest,
    command_line,
    identify,
    new_run_id,
    now,
    write_folder,
    write_results,
)
from ecomsim.experiments.runner import default_workers, replication_seeds, run_replications
from ecomsim.experiments.summary import format_table, summarise
from ecomsim.experiments.tables import render
from ecomsim.experiments.targets import format_targets, score_targets
from ecomsim.model.calendar import MAX_RUN_YEARS, Month, check_horizon
from ecomsim.model.outcomes import outcome_definitions, yearly_outcomes
from ecomsim.scenarios import (
    LoadedDesign,
    ScenarioError,
    builtin_designs,
    builtin_scenarios,
    load_policy,
    load_scenario,
)
from ecomsim.scenarios.provenance import provenance_rows

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
DEFAULT_OUT = Path("results")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line (``ecomsim run: error: …``) and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


_positive_int = _whole_number(1)
_seed = _whole_number(0)


def _fraction(text: str) -> float:
    """An argparse type: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, got {text}")
    return value


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_overrides(command: argparse.ArgumentParser, meaning: str) -> None:
    """``--set PATH=VALUE`` (repeatable): change a scenario field by its dotted path."""
    command.add_argument(
        "--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides", help=meaning
    )


def _add_seed(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "-s",
        "--seed",
        type=_seed,
        default=0,
        metavar="S",
        help="experiment seed; replication seeds derive from it (default: 0)",
    )


def _writable_folder(text: str) -> Path:
    """An argparse type: a folder results can be written in, checked before anything runs.

    A run can take minutes; finding out at the end that its folder cannot be made would waste
    them. So the folder (and any missing parents) is created and a probe file written in it,
    then everything this check made is removed again: bad input leaves nothing behind.
    """
    folder = Path(text)
    made: list[Path] = []
    try:
        for part in [*reversed(folder.parents), folder]:
            if part.exists() and not part.is_dir():
                raise argparse.ArgumentTypeError(f"{part} is a file, not a folder")
            if not part.exists():
                try:
                    part.mkdir()
                except OSError as error:
                    raise argparse.ArgumentTypeError(
                        f"cannot create the folder {part} ({error.strerror or error})"
                    ) from None
                made.append(part)
        try:
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as error:
            raise argparse.ArgumentTypeError(
                f"cannot write in the folder {folder} ({error.strerror or error})"
            ) from None
    finally:
        for part in reversed(made):
            part.rmdir()
    return folder


def _add_out(command: argparse.ArgumentParser, meaning: str) -> None:
    # The default is text, so argparse checks it with the type too.
    command.add_argument(
        "-o", "--out", type=_writable_folder, default=str(DEFAULT_OUT), metavar="DIR", help=meaning
    )


def _add_workers(command: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup) -> None:
    command.add_argument(
        "-w",
        "--workers",
        type=_positive_int,
        default=None,
        metavar="N",
        help="local worker processes (default: one per core); results do not depend on it",
    )


def _add_scale(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--scale",
        type=_fraction,
        default=None,
        metavar="F",
        help="simulate a random sample of this fraction of the city's sellers, each standing "
        "for 1/F sellers in every total, slot and payment (default: the scenario's "
        "[scenario] sample, 1 (the whole city) unless it says otherwise)",
    )


def _add_common(command: argparse.ArgumentParser) -> None:
    """Options shared by the commands that run the model: seed, overrides, output, workers."""
    _add_seed(command)
    _add_overrides(
        command,
        "override a scenario field by dotted path, e.g. firms.count=1000000 "
        "or instruments.demonstration.amount=2e6 (repeatable)",
    )
    _add_out(command, "folder for results (default: ./results)")
    _add_workers(command)
    _add_scale(command)
    command.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _add_experiment_options(command: argparse.ArgumentParser, replications: bool) -> None:
    """Options of the experiment commands: seed, replications, output, backend, resuming."""
    if replications:
        command.add_argument(
            "-r",
            "--replications",
            type=_positive_int,
            default=10,
            metavar="R",
            help="replications of each scenario or cell (default: 10)",
        )
        _add_scale(command)
        _add_seed(command)
    _add_out(command, "parent folder of the experiment's results folder (default: ./results)")
    backend = command.add_mutually_exclusive_group()
    _add_workers(backend)
    backend.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="run on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT) instead "
        "of local processes; results are identical",
    )
    resume = command.add_mutually_exclusive_group()
    resume.add_argument(
        "--resume",
        dest="fresh",
        action="store_false",
        help="keep the runs an earlier call of the same command finished and run the rest "
        "(the default)",
    )
    resume.add_argument(
        "--fresh",
        dest="fresh",
        action="store_true",
        help="delete the experiment's earlier results and start over",
    )
    command.set_defaults(fresh=False)
    command.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _add_experiment_commands(commands_: argparse._SubParsersAction) -> None:
    """The parsers of compare, transplant, sweep, sensitivity and plot."""
    resumable = (
        " Each finished run is saved at once in OUT/<command>-<name>-<hash>/; the same command "
        "again resumes where it stopped (Ctrl-C, a crash or kill -9 lose only runs in flight)."
    )
    compare = commands_.add_parser(
        "compare",
        help="scenarios side by side: trajectories, table, plan targets",
        description="Run each scenario's replications (the same seeds for all) and compare "
        "them: adoption, e-commerce volume, online share, fund spent, cost per extra adopter "
        "and deadweight share over time (median and 90 % band, plan targets marked), a table "
        "of plan-end outcomes and the probability of meeting each plan target. Writes "
        "runs.parquet, timeseries.parquet, compare.csv/.parquet, target_scores.csv/.parquet, "
        "figures/compare.png and .svg, manifest.json." + resumable,
        epilog="Example: ecomsim compare guangzhou tianjin jining dongguan quzhou -r 20",
    )
    compare.add_argument(
        "scenarios", nargs="+", metavar="SCENARIO", help="built-in scenario names or .toml files"
    )
    _add_experiment_options(compare, replications=True)
    compare.set_defaults(handler=commands.compare)

    transplant = commands_.add_parser(
        "transplant",
        help="every economy under every city's policy design (and none)",
        description="Run every economy under every policy design, and under no policy: the "
        "host keeps its calendar, firms, market and behaviour and takes the donor's funder "
        "rules and instruments, sized to the host (--size-by). Scores each cell by extra "
        "adopters and extra e-commerce volume per 亿 of fiscal cost at the host's plan end, "
        "with heatmaps (figures/transplant.png) and a table (transplant.csv/.parquet). "
        "Default: the built-in scenarios that encode a policy document. A policy may also be "
        "a policy design file, which has no economy of its own (the reference designs "
        "suichang and lishui of the Quzhou speech)." + resumable,
        epilog="Example: ecomsim transplant -r 10 | ecomsim transplant --economies quzhou "
        "--policies guangzhou tianjin | ecomsim transplant --economies quzhou --policies "
        "suichang lishui",
    )
    transplant.add_argument(
        "--economies", nargs="+", metavar="SCENARIO", help="host economies (rows)"
    )
    transplant.add_argument(
        "--policies",
        nargs="+",
        metavar="SCENARIO",
        help="policy designs (columns): scenarios, or policy design files",
    )
    transplant.add_argument(
        "--size-by",
        choices=("firms", "retail_sales", "none"),
        default="firms",
        help="scale each design's budgets, slots, courses, projects and parks by the host's "
        "number of enterprises (default), its start-year retail sales, or not at all",
    )
    _add_experiment_options(transplant, replications=True)
    transplant.set_defaults(handler=commands.transplant)

    for name, handler, summary, what in (
        (
            "sweep",
            commands.sweep,
            "run an experiment file's design: grid, Latin hypercube or Sobol sequence",
            "Run the design of an experiment file's [sampler] (grid, Latin hypercube or Sobol "
            "sequence) over its [parameters], with its replications per point, keeping its "
            "outcomes. Writes points, runs, design (one row per point), timeseries, figures "
            "(figures/sweep.png: each outcome against each parameter) and manifest.json.",
        ),
        (
            "sensitivity",
            commands.sensitivity,
            "Sobol indices or Morris screening of an experiment file's parameters (SALib)",
            "Run the design of an experiment file's [sensitivity] table (Saltelli's design for "
            "Sobol indices, or Morris trajectories for screening) and analyse it with SALib: "
            "first-order and total Sobol indices, or Morris mu* and sigma, each with "
            "bootstrap confidence intervals. Writes sensitivity.csv/.parquet and "
            "figures/sensitivity.png besides the sweep's tables.",
        ),
    ):
        command = commands_.add_parser(
            name,
            help=summary,
            description=what + resumable,
            epilog=f"Example: ecomsim {name} experiments/quzhou-levers.toml",
        )
        command.add_argument(
            "experiment",
            metavar="EXPERIMENT",
            help="experiment .toml file, or the name of a built-in example (quzhou-levers)",
        )
        _add_experiment_options(command, replications=False)
        command.set_defaults(handler=handler)

    plot = commands_.add_parser(
        "plot",
        help="redraw every figure of an experiment's results folder",
        description="Redraw every figure of a finished experiment folder (compare, transplant, "
        "sweep, sensitivity) from its data files into its figures/ folder.",
    )
    plot.add_argument("folder", type=Path, metavar="RESULTS_DIR", help="an experiment's folder")
    plot.set_defaults(handler=commands.plot)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``ecomsim`` command and its subcommands."""
    parser = _Parser(
        prog="ecomsim",
        description="Simulate a city's e-commerce ecosystem under a subsidy design: how many "
        "firms go online, how fast online trade grows, what each extra adopter "
        "costs.",
        epilog="Examples: ecomsim scenarios | ecomsim run demo --replications 20 | "
        "ecomsim compare guangzhou tianjin jining dongguan quzhou | ecomsim transplant | "
        "ecomsim sweep experiments/quzhou-levers.toml | ecomsim validate my_city.toml",
    )
    parser.add_argument("--version", action="version", version=f"ecomsim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = commands.add_parser(
        "run",
        help="run a scenario (with its no-policy counterfactual) and write results",
        description="Run replications of a scenario, each paired with its no-policy "
        "counterfactual (same economy and random draws, instruments off). Prints "
        "a yearly summary and writes OUT/<run-id>/ with timeseries.parquet, "
        "platforms.parquet, logistics.parquet, payments.parquet, summary.json and "
        "manifest.json.",
    )
    run.add_argument(
        "scenario",
        help="built-in scenario name (see `ecomsim scenarios`) or path to a scenario .toml file",
    )
    run.add_argument(
        "-r",
        "--replications",
        type=_positive_int,
        default=10,
        metavar="R",
        help="number of replications (default: 10)",
    )
    run.add_argument("--csv", action="store_true", help="also write timeseries.csv")
    run.add_argument(
        "--until",
        type=_month,
        default=None,
        metavar="YYYY-MM",
        help="simulate past the plan's end, to this month (at most "
        f"{MAX_RUN_YEARS} years from the scenario's start: see README)",
    )
    run.add_argument(
        "--keep-policy",
        action="store_true",
        help="with --until: keep instruments in force after the plan's end",
    )
    _add_common(run)
    run.set_defaults(handler=_cmd_run)

    calibrate = commands.add_parser(
        "calibrate",
        help="fit a scenario's behavioural parameters to its pre-plan history",
        description="Fit the parameters listed in the scenario's [calibration] table so that "
        "the simulated pre-plan years (no policy) reproduce its observed figures: a Sobol "
        "design over the bounds, then a bounded Nelder-Mead polish, minimising the mean "
        "squared log error of the median across replications (fixed seeds). Prints the fit "
        "table and writes OUT/calibration-<scenario>-<time>/ (fit, search history, "
        "manifest). With --write, the fitted values go into the scenario file with their "
        "provenance.",
    )
    calibrate.add_argument("scenario", help="built-in scenario name or scenario .toml file")
    calibrate.add_argument(
        "-n",
        "--evaluations",
        type=_positive_int,
        default=60,
        metavar="N",
        help="objective evaluations (each runs the replications; default: 60)",
    )
    calibrate.add_argument(
        "--check-replications",
        type=_positive_int,
        default=20,
        metavar="R",
        help="replications for the fit table at the fitted values (default: 20)",
    )
    calibrate.add_argument(
        "--write",
        action="store_true",
        help="write the fitted values, with their provenance, into the scenario file",
    )
    _add_common(calibrate)
    calibrate.set_defaults(handler=_cmd_calibrate)

    listing = commands.add_parser(
        "scenarios",
        help="list the built-in scenarios",
        description="List the built-in scenarios with a one-line description each.",
    )
    listing.set_defaults(handler=_cmd_scenarios)

    validate = commands.add_parser(
        "validate",
        help="check a scenario file against the schema",
        description="Check a scenario file (or a policy design file): types, ranges, required "
        "fields, known instrument kinds, and that every number carries a source.",
    )
    validate.add_argument("file", help="scenario .toml file or built-in name")
    _add_overrides(validate, "validate with these overrides applied")
    validate.add_argument(
        "--strict", action="store_true", help="fail (exit 2) if any number has no source"
    )
    validate.set_defaults(handler=_cmd_validate)

    show = commands.add_parser(
        "show",
        help="print a scenario's values and their sources as a table",
        description="Print every number of a scenario as a table: field (dotted path, as "
        "--set takes it), value, kind of source (doc, statistic, derived, assumption, "
        "calibrated) and the source itself.",
    )
    show.add_argument("scenario", help="built-in scenario name or .toml file")
    show.add_argument(
        "--format",
        choices=("text", "markdown", "csv"),
        default="text",
        help="table format (default: text; markdown for docs pages, csv for spreadsheets)",
    )
    show.add_argument(
        "--outcomes",
        action="store_true",
        help="print the scenario's yearly outcomes instead (with those its targets declare, "
        "e.g. firms_above_100yi): how each is defined (as the statistic it is compared "
        "with), its unit and how a year is formed from the months",
    )
    _add_overrides(show, "show with these overrides applied")
    show.set_defaults(handler=_cmd_show)
    _add_experiment_commands(commands)
    return parser


def _cmd_run(args: argparse.Namespace) -> int:
    if args.keep_policy and args.until is None:
        raise UsageError("ecomsim run: --keep-policy needs --until (see ecomsim run --help)")
    loaded = load_scenario(args.scenario, args.overrides)
    if args.until is not None:
        try:
            check_horizon(loaded.spec.scenario.start, args.until, "--until")
        except ValueError as error:
            raise UsageError(str(error)) from None
    seeds = replication_seeds(args.seed, args.replications)
    workers = args.workers or default_workers(args.replications)
    scale = loaded.spec.scenario.scale_for(args.scale)
    started = now()
    results = run_replications(
        loaded.spec,
        seeds,
        workers=workers,
        until=args.until,
        keep_policy=args.keep_policy,
        scale=scale,
        progress=not args.quiet,
    )
    finished = now()
    timeseries = pd.concat([r.timeseries for r in results], ignore_index=True)
    yearly = yearly_outcomes(timeseries, loaded.spec.declared_outcomes())
    summary = summarise(yearly)
    targets = score_targets(loaded.spec.targets, yearly)
    manifest = build_manifest(
        loaded,
        seed=args.seed,
        seeds=seeds,
        argv=command_line(),
        started=started,
        finished=finished,
        results=results,
        workers=workers,
        until=str(args.until) if args.until else None,
        keep_policy=args.keep_policy,
        scale=scale,
    )
    document = {
        "scenario": loaded.name,
        "replications": args.replications,
        "description": loaded.spec.scenario.description,
        "years": summary,
        "targets": targets,
    }
    # Imported here: Matplotlib would add half a second to every other command.
    from ecomsim.experiments.figures import run_figure, run_title

    info = loaded.spec.scenario
    figure = run_figure(
        timeseries,
        run_title(loaded.name, info.plan),
        targets,
        str(info.policy_start) if info.plan else None,
    )
    folder = write_results(
        args.out,
        new_run_id(args.out, loaded.name, args.seed, started),
        results,
        document,
        manifest,
        csv=args.csv,
        figures={"run": figure},
    )
    print(f"{loaded.name}: {loaded.spec.scenario.description}")
    if scale < 1.0:
        print(f"(a {scale:.2%} sample of the sellers, weighted back to the whole economy)")
    print(format_table(summary, args.replications))
    if targets:
        print(f"\ntargets of the plan ({loaded.spec.scenario.document or loaded.name}):")
        print(format_targets(targets, args.replications))
    else:
        print(f"\ntargets: none declared ({loaded.path.name} has no [targets] table)")
    print(f"results: {folder}")
    return 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    # Imported here: SciPy's optimisers would add most of a second to every other command.
    from ecomsim.experiments.calibrate import Problem, fit, fit_table, format_fit, write_fitted

    loaded = load_scenario(args.scenario, args.overrides)
    if loaded.spec.calibration is None:
        raise ScenarioError(
            loaded.path.name, "calibration", "the scenario has no [calibration] table to fit"
        )
    workers = args.workers or default_workers(loaded.spec.calibration.replications)
    scale = loaded.spec.scenario.scale_for(args.scale)
    started = now()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        problem = Problem(loaded, seed=args.seed, executor=pool, scale=scale)
        with tqdm(
            total=args.evaluations,
            desc=f"calibrate {loaded.name}",
            unit="eval",
            disable=args.quiet,
        ) as bar:

            def progress(loss: float) -> None:
                best = min(row["loss"] for row in problem.history)
                bar.set_postfix(loss=f"{loss:.4f}", best=f"{best:.4f}")
                bar.update()

            values = fit(problem, args.evaluations, on_evaluation=progress)
        check = problem.simulate(values, args.check_replications)
    finished = now()
    table = fit_table(problem, check)
    best_loss = min(row["loss"] for row in problem.history)
    provenance = (
        f"calibrated: ecomsim calibrate {loaded.name} --seed {args.seed} --evaluations "
        f"{args.evaluations}{f' --scale {scale:g}' if scale != 1.0 else ''} "
        f"({finished:%Y-%m-%d}) to calibration.observed "
        f"({', '.join(problem.calibration.observed)}), mean squared log error {best_loss:.2g}; "
        f"fit table in docs/scenarios/{loaded.name}.md"
    )
    manifest = {
        **identify(
            loaded,
            seed=args.seed,
            argv=command_line(),
            started=started,
            finished=finished,
            workers=workers,
        ),
        "evaluations": len(problem.history),
        "replications": problem.calibration.replications,
        "check_replications": args.check_replications,
        "scale": scale,
        "fitted": values,
        "loss": best_loss,
        "provenance": provenance,
    }
    folder = write_folder(
        args.out,
        new_run_id(args.out, f"calibration-{loaded.name}", args.seed, started),
        {"fit": table, "history": pd.DataFrame(problem.history)},
        {"manifest": manifest},
        csv=("fit", "history"),
    )
    print(f"{loaded.name}: fit to {len(table)} pre-plan observations")
    print(format_fit(table, values, args.check_replications))
    if args.write:
        write_fitted(loaded.path, problem, values, provenance)
        print(f"wrote the fitted values into {loaded.path}")
    print(f"results: {folder}")
    return 0


def _cmd_scenarios(args: argparse.Namespace) -> int:
    rows = [
        (name, load_scenario(path).spec.scenario.description)
        for name, path in builtin_scenarios().items()
    ] + [
        (name, f"(policy design) {load_policy(path).spec.scenario.description}")
        for name, path in builtin_designs().items()
    ]
    width = max(len(name) for name, _ in rows)
    for name, description in rows:
        print(f"{name.ljust(width)}  {description}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    loaded = load_policy(args.file, args.overrides)
    spec = loaded.spec
    unsourced = [p for p in loaded.unsourced() if not p.startswith("scenario.")]
    if isinstance(loaded, LoadedDesign):
        print(
            f"{loaded.path}: valid — policy design {loaded.name!r} (no economy of its own), "
            f"written for {spec.design.firms:,} enterprises, {len(spec.instruments)} instruments"
        )
    else:
        households = sum(kind.count for kind in spec.households.kinds().values())
        print(
            f"{loaded.path}: valid — scenario {loaded.name!r}, {spec.scenario.start} → "
            f"{spec.scenario.end}, {spec.firms.count:,} firms, {households:,} household "
            f"sellers, {len(spec.platforms)} platforms, {len(spec.logistics)} logistics "
            f"providers, {len(spec.instruments)} instruments"
        )
    if unsourced:
        shown = ", ".join(unsourced[:8]) + (" …" if len(unsourced) > 8 else "")
        message = f"{len(unsourced)} number(s) without a source: {shown}"
        if args.strict:
            raise ScenarioError(str(loaded.path), unsourced[0], message)
        print(f"warning: {message}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    loaded = load_policy(args.scenario, args.overrides)  # a design file has sources to show
    if args.outcomes:
        table = pd.DataFrame(
            [
                {"outcome": name, "unit": o.unit, "year": o.how, "definition": o.description}
                for name, o in outcome_definitions(loaded.spec.declared_outcomes()).items()
            ]
        )
    else:
        table = pd.DataFrame(provenance_rows(loaded.values, loaded.sources))
    if args.format == "csv":
        print(table.to_csv(index=False), end="")
        return 0
    if args.format == "markdown":
        print("| " + " | ".join(table.columns) + " |\n|" + "---|" * len(table.columns))
        for name, *cells in table.to_numpy(dtype=str).tolist():
            cells = [cell.replace("|", "\\|") for cell in cells]
            print(f"| `{name}` | " + " | ".join(cells) + " |")
        return 0
    print(f"{loaded.name}: {loaded.spec.scenario.description}  [{loaded.path}]")
    rows = [list(table.columns), *table.to_numpy(dtype=str).tolist()]
    print("\n".join(render(rows, "<><<")))
    if args.outcomes:
        return 0
    counts = table["kind"].value_counts()
    print("(" + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ")")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ecomsim`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_BAD_INPUT
        return args.handler(args)
    except (UsageError, ScenarioError) as error:
        print(f"ecomsim: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RunError as error:
        print(f"ecomsim: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except ExperimentInterrupted as interrupted:
        print(f"ecomsim: {interrupted}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print("ecomsim: interrupted; no results were written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
