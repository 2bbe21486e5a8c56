"""Figures of experiment results, drawn from the data in a results folder alone.

Each figure is a function of the folder's tables (``runs``, ``timeseries``, ``targets``,
``transplant``, ``points``, ``sensitivity``) and its manifest, so ``ecomsim plot FOLDER`` can
redraw every figure at any time. Figures use Matplotlib's object API (no pyplot state), sized
for a report page, with labelled axes and units, a legend and a title, and are written as PNG
(200 dpi) and SVG into ``figures/``.
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.colors import LogNorm, Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from ecomsim.experiments.compare import COMPARE_SERIES
from ecomsim.experiments.measures import OUTCOME_MEASURES, SERIES, run_series
from ecomsim.experiments.store import ExperimentFolder

STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "svg.fonttype": "none",
}
COLOURS = mpl.colormaps["tab10"].colors

#: Panels of the comparison figure drawn on a log scale (values span orders of magnitude).
LOG_PANELS = (
    "transaction_volume_12m",
    "online_retail_12m",
    "parcels_12m",
    "fund_spent_cumulative",
    "cost_per_additional_adopter",
)
#: Which series a plan target on a yearly outcome is drawn on (their December values agree).
TARGET_PANEL = {
    "adoption_rate": "adoption_rate",
    "transaction_volume": "transaction_volume_12m",
    "online_retail_share": "online_retail_share_12m",
}


#: Suffixes of large tick labels: ``20,000,000`` side by side on a narrow axis run together.
LARGE_NUMBERS = ((1e12, "tn"), (1e9, "bn"), (1e6, "M"))


def plain_number(value: float, _position: int | None = None) -> str:
    """A tick label in digits, to four significant figures: 0.05, 250, 12,500, 3M, 1.5bn.

    Millions and more get a suffix (figures use ASCII labels, so not 万 and 亿); exponents
    appear only beyond a thousand trillion or below 1e-4.
    """
    rounded = float(f"{value:.4g}")
    for size, suffix in LARGE_NUMBERS:
        if size <= abs(rounded) < 1000 * size:
            return f"{rounded / size:.4g}{suffix}"
    if rounded != 0 and not 1e-4 <= abs(rounded) < 1e6:
        return f"{rounded:.4g}"
    decimals = np.format_float_positional(rounded, trim="-").partition(".")[2]
    return f"{rounded:,.{len(decimals)}f}"


class ReadableLogLocator(LogLocator):
    """Ticks for a log axis that always put at least two labels in view, however narrow it is.

    Matplotlib labels only powers of ten by default, so data spanning less than a decade
    (20 to 80 million yuan) get no label at all. This tries decades, then 1-2-5 steps, then
    every multiple of the decade, and takes the first that shows three to six ticks (decades
    may show more: ``LogLocator`` thins them); failing that, one showing two; and within a
    range too narrow for any of them (11 to 19), three to five evenly spaced plain ticks.
    """

    STEPS = ((1.0,), (1.0, 2.0, 5.0), tuple(float(k) for k in range(1, 10)))

    def tick_values(self, vmin: float, vmax: float) -> np.ndarray:
        """Tick positions for the view ``vmin`` to ``vmax`` (both positive)."""
        vmin, vmax = sorted((vmin, vmax))
        fallback = None
        for subs in self.STEPS:
            ticks = LogLocator(base=10.0, subs=subs, numticks=8).tick_values(vmin, vmax)
            shown = int(np.count_nonzero((ticks >= vmin) & (ticks <= vmax)))
            if shown >= 3 and (shown <= 6 or subs == (1.0,)):
                return ticks
            if 2 <= shown <= 6 and fallback is None:
                fallback = ticks
        if fallback is not None:
            return fallback
        return MaxNLocator(nbins=4).tick_values(vmin, vmax)


def log_axis(axis: Axis) -> None:
    """Label a log-scaled axis readably: enough ticks in view, plain numbers, no minor labels."""
    axis.set_major_locator(ReadableLogLocator())
    axis.set_major_formatter(FuncFormatter(plain_number))
    axis.set_minor_formatter(NullFormatter())


def month_axis(ax: Axes) -> None:
    """Label a time axis readably: a tick a year (or every few years), months on short runs.

    Matplotlib's default picks ticks every few months for a run of a few years and writes each
    as ``2015-05``, which run into each other on a panel of a report page. Three to seven
    ticks, written concisely (``2015``; ``Apr`` within a year), always fit.
    """
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def save(figure: Figure, folder: Path, name: str) -> list[Path]:
    """Write ``figure`` as ``name.png`` and ``name.svg`` into ``folder``, each atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix in ("png", "svg"):
        path = folder / f"{name}.{suffix}"
        temporary = folder / f".{name}.{os.getpid()}.tmp.{suffix}"
        figure.savefig(temporary, dpi=200, bbox_inches="tight")
        os.replace(temporary, path)
        written.append(path)
    return written


def _bands(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Median and 5th/95th percentiles across runs, per month."""
    by_date = frame.groupby("date", sort=True)[column]
    out = pd.DataFrame(
        {
            "median": by_date.median(),
            "p5": by_date.quantile(0.05),
            "p95": by_date.quantile(0.95),
        }
    )
    out.index = pd.to_datetime(out.index)
    return out


def compare_figure(
    timeseries: pd.DataFrame,
    runs: pd.DataFrame,
    targets: pd.DataFrame,
    order: list[str],
    plan_starts: dict[str, str],
    title: str | None = None,
    series: tuple[str, ...] = COMPARE_SERIES,
) -> Figure:
    """Trajectories of the compared scenarios: median line and 90 % band per panel.

    ``timeseries`` has the six ``series`` (one panel each) by ``run`` and ``date``; ``runs`` maps
    each run to its ``scenario`` (a line of each panel, in ``order``); ``targets`` are drawn on
    the panel of their outcome, in their scenario's colour.
    """
    scenario_of = runs.set_index("run")["scenario"]
    frame = timeseries.assign(scenario=timeseries["run"].map(scenario_of))
    replications = int(runs.groupby("scenario").size().max())
    title = title or "Scenarios compared"
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=(13, 7.5), layout="constrained")
        axes = figure.subplots(2, 3, sharex=True).ravel()
        for ax, name in zip(axes, series, strict=True):
            measure = SERIES[name].measure
            positive = False  # a log scale needs something above zero to show
            for k, scenario in enumerate(order):
                colour = COLOURS[k % len(COLOURS)]
                mine = frame[frame["scenario"] == scenario]
                bands = _bands(mine, name).dropna(how="all")
                if bands.empty:
                    continue
                positive |= bool((bands["median"] > 0).any())
                ax.fill_between(
                    bands.index,
                    measure.for_plot(bands["p5"]),
                    measure.for_plot(bands["p95"]),
                    color=colour,
                    alpha=0.18,
                    linewidth=0,
                )
                ax.plot(bands.index, measure.for_plot(bands["median"]), color=colour, lw=1.6)
                if scenario in plan_starts:
                    ax.axvline(pd.Timestamp(plan_starts[scenario]), color=colour, ls=":", lw=1)
            for k, scenario in enumerate(order):
                mine = targets[(targets["scenario"] == scenario) & (targets["measure"] == "level")]
                for target in mine.itertuples():
                    if TARGET_PANEL.get(target.outcome) != name:
                        continue
                    ax.plot(
                        pd.Timestamp(f"{target.year}-12-01"),
                        measure.for_plot(target.threshold),
                        marker="^" if target.sign in (">", "≥") else "v",
                        markersize=9,
                        color=COLOURS[k % len(COLOURS)],
                        markeredgecolor="black",
                        linestyle="none",
                        zorder=5,
                    )
            if name in LOG_PANELS and positive:
                ax.set_yscale("log")
                log_axis(ax.yaxis)
            else:  # counts in the millions would get an offset ("1e7") above the axis
                ax.yaxis.set_major_formatter(FuncFormatter(plain_number))
            month_axis(ax)
            ax.set_title(measure.label)
            ax.set_ylabel(measure.unit_label())
        for ax in axes[3:]:
            ax.set_xlabel("month")
        handles = [
            Line2D([], [], color=COLOURS[k % len(COLOURS)], lw=2, label=f"{scenario} (median)")
            for k, scenario in enumerate(order)
        ]
        handles.append(Patch(color="grey", alpha=0.25, label="5th-95th percentile"))
        if plan_starts:
            handles.append(Line2D([], [], color="grey", ls=":", label="plan starts"))
        if len(targets):
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="^",
                    color="grey",
                    markeredgecolor="black",
                    ls="none",
                    markersize=8,
                    label="plan target (at least)",
                )
            )
        figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 9))
        figure.suptitle(f"{title}: median and 90 % band of {replications} replications each")
    return figure


def _heatmap(ax, matrix: pd.DataFrame, title: str, label: str, digits: int) -> None:
    """An annotated heatmap.

    Effects that are negative somewhere get a diverging scale around zero, values spanning
    orders of magnitude a log scale.
    """
    values = matrix.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    if low < 0 < high:  # harm and benefit: red below zero, blue above
        norm, cmap = TwoSlopeNorm(vcenter=0.0, vmin=low, vmax=high), "RdBu"
    elif low > 0 and high / low > 30:  # orders of magnitude apart: a log scale
        norm, cmap = LogNorm(vmin=low, vmax=high), "viridis"
    else:
        norm, cmap = Normalize(vmin=low, vmax=high), "viridis"
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto")
    ax.set_xticks(range(matrix.shape[1]), matrix.columns, rotation=30, ha="right")
    ax.set_yticks(range(matrix.shape[0]), matrix.index)
    ax.set_xlabel("policy design")
    ax.set_ylabel("economy")
    ax.set_title(title)
    ax.grid(False)
    colours = image.cmap(norm(np.nan_to_num(values, nan=low)))
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            finite_cell = np.isfinite(values[i, j])
            text = f"{values[i, j]:,.{digits}f}" if finite_cell else "–"
            red, green, blue = colours[i, j, :3]
            dark = finite_cell and 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "black",
            )
            if matrix.index[i] == matrix.columns[j]:  # the city's own design
                ax.add_patch(
                    Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False, lw=2, ec="black")
                )
    colorbar = ax.figure.colorbar(image, ax=ax, label=label, shrink=0.85)
    if isinstance(norm, LogNorm):
        log_axis(colorbar.ax.yaxis)


def transplant_figure(table: pd.DataFrame, economies: list[str], policies: list[str]) -> Figure:
    """Heatmaps: extra adopters and extra volume per 亿, and adoption, economy × design."""

    def matrix(outcome: str, columns: list[str]) -> pd.DataFrame:
        mine = table[table["outcome"] == outcome]
        wide = mine.pivot(index="economy", columns="policy", values="median")
        return wide.reindex(index=economies, columns=columns)

    panels = [
        ("additional_adopters_per_yi", policies, 1, 1.0),
        ("additional_volume_per_yi", policies, 2, 1.0),
        ("adoption_rate", [*policies, "none"], 1, 0.01),
    ]
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=(16, 5.2), layout="constrained")
        axes = figure.subplots(1, 3)
        for ax, (outcome, columns, digits, scale) in zip(axes, panels, strict=True):
            measure = OUTCOME_MEASURES[outcome]
            shown = matrix(outcome, columns) / scale
            unit = "%" if scale == 0.01 else measure.axis_label()
            title = measure.label + (" at the plan's end" if outcome == "adoption_rate" else "")
            _heatmap(ax, shown, title, unit, digits)
        figure.suptitle(
            "Policy transplant: each economy (row) under each city's design (column); "
            "boxed: the city's own design; medians across replications"
        )
    return figure


def _wrapped(text: str, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(text, width))


def sweep_figure(
    points: pd.DataFrame, outcomes: list[str], parameters: dict[str, dict], title: str
) -> Figure:
    """Each outcome (rows) against each parameter (columns), one dot per design point.

    ``parameters`` are the experiment's parameter declarations (``log`` ones get a log axis).
    """
    names = list(parameters)
    with mpl.rc_context(STYLE):
        figure = Figure(
            figsize=(3.3 * len(names) + 1.2, 2.5 * len(outcomes) + 0.9), layout="constrained"
        )
        axes = figure.subplots(len(outcomes), len(names), squeeze=False, sharex="col")
        for i, outcome in enumerate(outcomes):
            measure = OUTCOME_MEASURES[outcome]
            for j, name in enumerate(names):
                ax = axes[i, j]
                x = points[name]
                if not pd.api.types.is_numeric_dtype(x) or pd.api.types.is_bool_dtype(x):
                    x = x.astype(str)
                ax.scatter(
                    x,
                    measure.for_plot(points[f"{outcome}:mean"]),
                    s=14,
                    alpha=0.7,
                    color=COLOURS[0],
                    edgecolors="none",
                )
                if parameters[name].get("log"):
                    ax.set_xscale("log")
                    log_axis(ax.xaxis)
                if i == len(outcomes) - 1:
                    unit = parameters[name].get("unit")
                    label = f"{name} ({unit})" if unit else name
                    ax.set_xlabel(f"{label}\n{parameters[name]['path']}", fontsize=8)
                if j == 0:
                    ax.set_ylabel(_wrapped(measure.axis_label()))
        replications = int(points["replications"].max())
        figure.suptitle(
            f"{title}: each dot is one of {len(points)} design points "
            f"(mean of {replications} replication{'s' if replications > 1 else ''})"
        )
    return figure


def sensitivity_figure(indices: pd.DataFrame, method: str, confidence: float, title: str) -> Figure:
    """Bar charts of the indices per outcome, with their confidence intervals."""
    analysed = [
        o for o, rows in indices.groupby("outcome", sort=False) if rows["index"].notna().any()
    ]
    bars = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
    legend = {
        "S1": "first order (S1)",
        "ST": "total (ST)",
        "mu_star": "mu* (mean |elementary effect|)",
        "sigma": "sigma (interactions, non-linearity)",
    }
    with mpl.rc_context(STYLE):
        columns = min(3, max(1, len(analysed)))
        rows_count = max(1, int(np.ceil(len(analysed) / columns)))
        figure = Figure(figsize=(5.0 * columns, 3.6 * rows_count + 0.6), layout="constrained")
        axes = np.atleast_1d(figure.subplots(rows_count, columns, squeeze=False).ravel())
        for ax, outcome in zip(axes, analysed, strict=False):
            mine = indices[indices["outcome"] == outcome]
            parameters = list(dict.fromkeys(mine.loc[mine["index"].isin(bars), "parameter"]))
            positions = np.arange(len(parameters))
            width = 0.38
            measure = OUTCOME_MEASURES[outcome]
            for k, index in enumerate(bars):
                rows = mine[mine["index"] == index].set_index("parameter").reindex(parameters)
                values = rows["value"].to_numpy(float)
                low, high = rows["conf_low"].to_numpy(float), rows["conf_high"].to_numpy(float)
                if method == "morris":  # effects are in the outcome's unit
                    values, low, high = (measure.for_plot(v) for v in (values, low, high))
                error = np.vstack([values - low, high - values])
                ax.bar(
                    positions + (k - 0.5) * width,
                    values,
                    width,
                    yerr=None if np.isnan(error).all() else np.nan_to_num(error),
                    capsize=3,
                    color=COLOURS[k],
                    label=legend[index],
                )
            ax.set_xticks(positions, parameters, rotation=20, ha="right")
            ax.set_title(measure.label)
            ax.axhline(0, color="black", lw=0.8)
            if method == "sobol":
                ax.set_ylabel("Sobol index (share of variance)")
            else:
                ax.set_ylabel(f"effect over the range ({measure.unit_label()})")
        for ax in axes[len(analysed) :]:
            ax.set_visible(False)
        handles = [Patch(color=COLOURS[k], label=legend[i]) for k, i in enumerate(bars)]
        figure.legend(handles=handles, loc="outside lower center", ncols=2)
        name = "Sobol indices" if method == "sobol" else "Morris screening"
        figure.suptitle(f"{title}: {name}, with {confidence:.0%} bootstrap confidence intervals")
    return figure


#: How a run folder's no-policy twin of each comparison series is computed.
COUNTERFACTUAL_SERIES = {
    "adoption_rate": "adoption_rate_cf",
    "transaction_volume_12m": "transaction_volume_12m_cf",
    "online_retail_share_12m": "online_retail_share_12m_cf",
}
WITH_PLAN, WITHOUT_PLAN = "with the plan", "without it (paired no-policy run)"
SIMULATED = "simulated"
#: A benchmark's panels (it has no plan): what its statistics count, and no fund.
BENCHMARK_SERIES = (
    "adoption_rate",
    "online_shops",
    "transaction_volume_12m",
    "online_retail_12m",
    "parcels_12m",
    "online_retail_share_12m",
)


def run_figure(
    timeseries: pd.DataFrame, name: str, targets: list[dict], plan_start: str | None
) -> Figure:
    """An ``ecomsim run`` folder's trajectories: the plan against its no-policy twin.

    ``timeseries`` is the folder's (one row per replication × month, every indicator);
    ``targets`` are ``summary.json``'s scored targets. A benchmark (no ``plan_start``) has no
    twin and no fund: its panels are the outcomes its statistics are compared with.
    """
    if plan_start is None:
        return _benchmark_figure(timeseries, name)
    frames, runs = [], []
    for replication, months in timeseries.groupby("replication", sort=True):
        policy = run_series(months, COMPARE_SERIES).assign(run=2 * replication)
        twin = run_series(months, tuple(COUNTERFACTUAL_SERIES.values()))
        twin = twin.rename(columns={v: k for k, v in COUNTERFACTUAL_SERIES.items()})
        twin = twin.reindex(columns=[*policy.columns]).assign(run=2 * replication + 1)
        frames += [policy, twin]
        runs += [(2 * replication, WITH_PLAN), (2 * replication + 1, WITHOUT_PLAN)]
    table = pd.DataFrame(
        [
            {
                "scenario": WITH_PLAN,
                "outcome": t["outcome"],
                "year": t["year"],
                "measure": t["measure"],
                "sign": t["comparison"],
                "threshold": t["threshold"],
            }
            for t in targets
            if t.get("status") == "scored"
        ],
        columns=["scenario", "outcome", "year", "measure", "sign", "threshold"],
    )
    return compare_figure(
        pd.concat(frames, ignore_index=True),
        pd.DataFrame(runs, columns=["run", "scenario"]),
        table,
        [WITH_PLAN, WITHOUT_PLAN],
        {WITH_PLAN: plan_start} if plan_start else {},
        title=name,
    )


def _benchmark_figure(timeseries: pd.DataFrame, name: str) -> Figure:
    frames = [
        run_series(months, BENCHMARK_SERIES).assign(run=replication)
        for replication, months in timeseries.groupby("replication", sort=True)
    ]
    runs = pd.DataFrame({"run": [f["run"].iloc[0] for f in frames], "scenario": SIMULATED})
    no_targets = pd.DataFrame(columns=["scenario", "outcome", "year", "measure", "sign"])
    return compare_figure(
        pd.concat(frames, ignore_index=True),
        runs,
        no_targets,
        [SIMULATED],
        {},
        title=name,
        series=BENCHMARK_SERIES,
    )


def run_title(scenario: str, plan: bool) -> str:
    """The title of a run's figure: the plan against no policy, or a benchmark's own run."""
    return f"{scenario}, the plan against no policy" if plan else f"{scenario}, no plan"


def _draw_run(folder: ExperimentFolder, manifest: dict) -> dict[str, Figure]:
    summary = json.loads((folder.path / "summary.json").read_text(encoding="utf-8"))
    timeseries = pd.read_parquet(folder.path / "timeseries.parquet")
    plan = manifest.get("plan", True)  # folders written before benchmarks had a plan
    title = run_title(manifest["scenario"], plan)
    plan_start = manifest.get("plan_start") if plan else None
    return {"run": run_figure(timeseries, title, summary["targets"], plan_start)}


def _draw_compare(folder: ExperimentFolder, manifest: dict) -> dict[str, Figure]:
    order = [s["name"] for s in manifest["scenarios"]]
    return {
        "compare": compare_figure(
            folder.read_table("timeseries"),
            folder.read_table("runs"),
            folder.read_table("targets"),
            order,
            manifest.get("plan_starts", {}),
        )
    }


def _draw_transplant(folder: ExperimentFolder, manifest: dict) -> dict[str, Figure]:
    table = folder.read_table("transplant")
    return {"transplant": transplant_figure(table, manifest["economies"], manifest["policies"])}


def _draw_sweep(folder: ExperimentFolder, manifest: dict) -> dict[str, Figure]:
    title = f"{manifest['name']} ({manifest['scenario']}, outcomes in {manifest['outcome_year']})"
    figures = {
        "sweep": sweep_figure(
            folder.read_table("design"), manifest["outcomes"], manifest["parameters"], title
        )
    }
    if (folder.path / "sensitivity.parquet").exists():
        analysis = manifest["sensitivity"]
        figures["sensitivity"] = sensitivity_figure(
            folder.read_table("sensitivity"), analysis["method"], analysis["confidence"], title
        )
    return figures


DRAWERS: dict[str, Callable[[ExperimentFolder, dict], dict[str, Figure]]] = {
    "run": _draw_run,
    "compare": _draw_compare,
    "transplant": _draw_transplant,
    "sweep": _draw_sweep,
    "sensitivity": _draw_sweep,
}


def folder_kind(manifest: dict) -> str | None:
    """What wrote a results folder: an experiment command, ``run``, or ``None`` (unknown)."""
    if "kind" in manifest:
        return manifest["kind"]
    return "run" if "replication_seeds" in manifest else None


def draw_all(folder: ExperimentFolder) -> list[Path]:
    """Draw every figure of a finished results folder into its ``figures/``."""
    manifest = folder.manifest()
    written: list[Path] = []
    for name, figure in DRAWERS[folder_kind(manifest)](folder, manifest).items():
        written += save(figure, folder.figures, name)
    return written
