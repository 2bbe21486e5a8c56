"""Speed of the model: firm-months per second for the demo rules at several city sizes.

Run ``python benchmarks/bench.py`` (add ``--sizes 10000 100000`` for a quicker look). Each size
is timed for a single policy run of ``--months`` months with every instrument on, and for the
paired run (policy + no-policy counterfactual) that ``ecomsim run`` performs. A benchmark prints
figures; it asserts nothing, because timings depend on the machine.
"""

from __future__ import annotations

import argparse
import platform
import time

from ecomsim import __version__
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.model.run import run_scenario
from ecomsim.scenarios import load_scenario


def time_single(spec, seed: int) -> tuple[float, int]:
    started = time.perf_counter()
    model = EcommerceModel(spec, rng=seed)
    built = time.perf_counter()
    model.run()
    done = time.perf_counter()
    return done - built, model.firms.size, built - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--scenario", default="demo")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    end_year = 2015 + (args.months - 1) // 12
    end_month = (args.months - 1) % 12 + 1
    print(
        f"ecomsim {__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"scenario {args.scenario!r}, {args.months} months, every instrument on, one core"
    )
    header = (
        f"{'firms':>10} {'rows':>10} {'build s':>8} {'run s':>8} {'firm-months/s':>14} "
        f"{'paired s':>9}"
    )
    print(header)
    for size in args.sizes:
        spec = load_scenario(
            args.scenario, [f"firms.count={size}", f"scenario.end={end_year}-{end_month:02d}"]
        ).spec
        run_seconds, rows, build_seconds = time_single(spec, args.seed)
        started = time.perf_counter()
        run_scenario(spec, args.seed)
        paired = time.perf_counter() - started
        rate = size * args.months / run_seconds
        print(
            f"{size:>10,} {rows:>10,} {build_seconds:>8.2f} {run_seconds:>8.2f} "
            f"{rate:>14,.0f} {paired:>9.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
