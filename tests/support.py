"""Helpers for tests: small synthetic scenarios built from plain data."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from ecomsim.agents.firms import SIZE_CLASSES
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.scenarios import ScenarioError, validate_values
from ecomsim.scenarios.schema import Scenario

BASE: dict[str, Any] = {
    "scenario": {
        "name": "unit",
        "description": "unit-test city",
        "start": "2015-01",
        "end": "2016-12",
    },
    "economy": {"retail_sales": 1e10},
    "firms": {
        "count": 2000,
        "size_shares": {"micro": 0.7, "large": 0.3},
        "sector_shares": {"trade": 0.8, "manufacturing": 0.2},
        "revenue": {
            "micro": {"median": 1e6, "dispersion": 0.3},
            "large": {"median": 1e8, "dispersion": 0.3},
        },
        "skill_mean": {"micro": 0.3, "large": 0.5},
        "initial_adoption": {"micro": 0.1, "large": 0.3},
        "initial_depth": 0.5,
    },
    "sectors": {
        "trade": {
            "online_sales_ceiling": 0.4,
            "online_purchase_ceiling": 0.3,
            "purchase_share": 0.6,
            "retail_fraction": 0.5,
            "parcel_value": 100,
            "margin": 0.1,
            "above_scale_revenue": 2e7,
        },
        "manufacturing": {
            "online_sales_ceiling": 0.3,
            "purchase_share": 0.5,
            "online_purchase_ceiling": 0.3,
            "retail_fraction": 0.2,
            "parcel_value": 200,
            "margin": 0.15,
            "above_scale_revenue": 2e7,
        },
    },
    "adoption": {
        "innovation": 0.1,
        "imitation": 0.3,
        "benefit_sensitivity": 10.0,
        "setup_cost": {"micro": 5e4, "large": 1e6},
        "payback_years": 3.0,
        "deepening_rate": 0.5,
        "channel_saving": 0.05,
    },
}


#: Household sellers of both kinds in 20 clusters (plain data, for ``changes``).
SELF_EMPLOYED = {
    "count": 3000,
    "sector_shares": {"trade": 0.7, "manufacturing": 0.3},
    "revenue": {"median": 2e5, "dispersion": 0.5},
    "skill_mean": 0.2,
    "skill_concentration": 4.0,
    "initial_adoption": 0.1,
    "initial_depth": 0.5,
    "setup_cost": 3e3,
    "online_sales_ceiling": 0.6,
    "retail_fraction": 0.9,
    "parcel_value": 80,
    "rural_share": 0.4,
    "clustered_share": 0.5,
    "innovation": 0.02,
    "imitation": 0.5,
    "peer_weights": {"market": 0.2, "cluster": 0.8},
    "entry_rate": 0.1,
    "exit_rate": 0.1,
}
INDIVIDUALS = {
    **SELF_EMPLOYED,
    "count": 1000,
    "sector_shares": {"trade": 1.0},
    "online_sales_ceiling": 1.0,
    "new_business": 1.0,
    "purchases_online": False,
}
HOUSEHOLDS = {
    "households": {
        "self_employed": SELF_EMPLOYED,
        "individuals": INDIVIDUALS,
        "clusters": {"count": 20, "size_dispersion": 1.0},
    }
}


def household_rows(firms) -> np.ndarray:
    """Rows of the household sellers (their seller class is a household kind)."""
    return np.flatnonzero(firms.size_class >= len(SIZE_CLASSES))


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``changes`` into a copy of ``base`` (a ``None`` value deletes the key)."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def make_spec(changes: dict[str, Any] | None = None) -> Scenario:
    """A small valid scenario, changed by ``changes``."""
    return validate_values(merge(BASE, changes or {}), "unit-test")


def with_fund(instruments: dict[str, Any], budget: float = 1e9, **changes: Any) -> Scenario:
    """A small scenario with a standing fund and the given instruments."""
    portfolio = {"fund": {"kind": "standing_fund", "budget_per_year": budget}, **instruments}
    return make_spec({"instruments": portfolio, **changes})


def run_model(spec: Scenario, seed: int = 1, policy: bool = True) -> EcommerceModel:
    """Build and run a model to its end."""
    model = EcommerceModel(spec, rng=seed, policy=policy)
    model.run()
    return model


def refused(changes: dict[str, Any]) -> str:
    """The one-line error a scenario with ``changes`` to ``BASE`` is refused with."""
    with pytest.raises(ScenarioError) as caught:
        validate_values(merge(BASE, changes), "city.toml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("city.toml: ")
    return message


def scenario_values(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """Plain data of a small scenario (``BASE`` changed by ``changes``)."""
    return merge(BASE, changes or {})


def write_scenario(path, changes: dict[str, Any] | None = None, name: str = "unit"):
    """Write a small scenario file (``BASE`` changed by ``changes``) and return its path."""
    import tomlkit

    values = merge(scenario_values(changes), {"scenario": {"name": name}})
    path.write_text(tomlkit.dumps(values), encoding="utf-8")
    return path


#: A small policy: a fund and an adoption grant, from mid-2015 (plain data, for ``changes``).
GRANT_POLICY: dict[str, Any] = {
    "scenario": {"plan_start": "2015-07"},
    "instruments": {
        "fund": {"kind": "standing_fund", "budget_per_year": 5e6},
        "grant": {"kind": "adoption_grant", "amount": 2e4, "slots_per_year": 200},
    },
}


def die_on(key: int, value: int) -> int:
    """A run function whose worker process dies at run ``key`` (for runner tests)."""
    import os

    if value == key:
        os._exit(1)
    return value * 2


def assert_readable_ticks(figure) -> None:
    """Every axis that shows tick labels shows at least two, none empty and none overlapping.

    An axis of categories shows one label per category in view (a single row, none for a
    colorbar's short side). Labels are measured as drawn (``get_window_extent``).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import FixedLocator

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    for ax in figure.axes:
        if not ax.get_visible():
            continue
        for axis in (ax.xaxis, ax.yaxis):
            shown = [k for k, on in axis.get_tick_params().items() if k.startswith("label") and on]
            if not shown:
                continue  # e.g. the upper panels of a shared time axis
            low, high = sorted(axis.get_view_interval())
            margin = 1e-9 * (high - low)
            ticks = [
                t for t in axis.get_major_ticks() if low - margin <= t.get_loc() <= high + margin
            ]
            labels = [label for t in ticks for label in (t.label1, t.label2) if label.get_visible()]
            where = f"{ax.get_title() or ax.get_ylabel()!r} {axis.axis_name}"
            locator = axis.get_major_locator()
            wanted = min(2, len(ticks)) if isinstance(locator, FixedLocator) else 2
            assert len(labels) >= wanted, f"{where}: {len(labels)} tick labels"
            assert all(label.get_text() for label in labels), f"{where}: an empty label"
            boxes = [label.get_window_extent(renderer) for label in labels]
            for i, box in enumerate(boxes):
                for other in boxes[i + 1 :]:
                    assert not box.overlaps(other), (
                        f"{where}: labels overlap: {[t.get_text() for t in labels]}"
                    )


def assert_figures_readable(path) -> None:
    """Every figure of a results folder, drawn again from its data, has readable tick labels."""
    from ecomsim.experiments import figures
    from ecomsim.experiments.store import ExperimentFolder

    folder = ExperimentFolder(path)
    manifest = folder.manifest()
    for figure in figures.DRAWERS[figures.folder_kind(manifest)](folder, manifest).values():
        assert_readable_ticks(figure)


#: One self-employed household shop, fully online from the start, nothing random about it:
#: 2.4e5 a year of revenue, half of it online, all retail, 50 yuan a parcel.
ONE_HOUSEHOLD_SHOP: dict[str, Any] = {
    "count": 1,
    "sector_shares": {"trade": 1.0},
    "revenue": {"median": 2.4e5},
    "initial_adoption": 1.0,
    "initial_depth": 1.0,
    "online_sales_ceiling": 0.5,
    "retail_fraction": 1.0,
    "parcel_value": 50,
}


#: A year of free courses for people with no business (12 courses of 20, 1 万 each).
INDIVIDUALS_COURSE: dict[str, Any] = {
    "kind": "training_subsidy",
    "courses_per_year": 12,
    "firms_per_course": 20,
    "cost_per_course": 1e4,
    "cost_share": 1.0,
    "skill_gain": 0.5,
    "eligibility": {"seller_kinds": ["individual"]},
}
