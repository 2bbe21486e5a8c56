"""The model's outputs: monthly indicators and the Mesa DataCollector that records them.

``compute_indicators`` reads the model's state once a month into a flat dict; the
DataCollector's model reporters (partials of ``read_indicator``: picklable, unlike lambdas)
read from it,
and its agent-type reporters record each platform and logistics provider. Flows (volumes,
parcels, money) are per month; stocks (adopters, counts) are at the month's end.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import mesa
import numpy as np
from numba import njit

from ecomsim.agents.firm_kernel import ActiveRows, FirmArrays, active_count, active_row
from ecomsim.agents.firms import SECTORS, SIZE_CLASSES
from ecomsim.agents.logistics import LogisticsProvider
from ecomsim.agents.platform import Platform

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel

YUAN_1E9 = 1e9  # 10 亿
YUAN_1E10 = 1e10  # 100 亿
YUAN_1E11 = 1e11  # 1000 亿
SME_CLASSES = ("micro", "small", "medium")


def read_indicator(model: EcommerceModel, name: str) -> float:
    """One entry of ``model.indicators``; DataCollector reporters are partials of this."""
    return model.indicators[name]


def indicator_names(model: EcommerceModel) -> list[str]:
    """Names of every monthly indicator this model reports, in a stable order."""
    names = ["adopters", "firms", "adoption_rate"]
    names += [f"adoption_rate_{s}" for s in SIZE_CLASSES]
    names += [f"adoption_rate_{s}" for s in SECTORS]
    names += [
        "adoption_rate_above_scale",
        "adoption_rate_sme",
        "online_sales",
        "online_purchases",
        "transaction_volume",
        "online_retail",
        "retail_sales",
        "online_retail_share",
        "parcels",
        "mean_delivery_cost",
        "mean_online_share",
        "online_sales_ratio_large",
        "online_purchase_ratio_large",
        "online_sales_ratio_sme",
        "online_purchase_ratio_sme",
        "firms_above_1e9",
        "firms_above_1e10",
        "platforms_above_1e11",
        "settled_platform_volume",
        "cross_border_sales",
        "listed_firms",
        "demonstration_firms",
        "park_firms",
        "trained_firms",
        "fund_budget",
        "fund_committed",
        "fund_spent",
        "fund_spent_cumulative",
        "tax_expenditure",
        "fiscal_cost_cumulative",
    ]
    names += [f"paid_cumulative_{name}" for name in model.funder.portfolio]
    return names


# Columns of the per-group tables of ``_firm_totals`` (one row per size class, or sector).
LIVING, ADOPTERS, REVENUE, PURCHASE_BASE, SALES, PURCHASES = range(6)
# Entries of its city-wide totals.
(
    ABOVE_SCALE_LIVING,
    ABOVE_SCALE_ADOPTERS,
    RETAIL,
    PARCELS,
    RURAL_PARCELS,
    ADOPTERS_ONLINE_SHARE,
    ABOVE_1E9,
    ABOVE_1E10,
    LISTED,
    DEMONSTRATION,
    IN_PARK,
    TRAINED,
) = range(12)


@njit(cache=True)
def _add_firm(
    table: np.ndarray,
    group: int,
    weight: float,
    online: float,
    revenue: float,
    purchase_base: float,
    sales: float,
    purchases: float,
) -> None:
    """Add one living firm (standing for ``weight`` firms) to its group's row of ``table``."""
    table[group, LIVING] += weight
    table[group, ADOPTERS] += weight * online
    table[group, REVENUE] += weight * revenue
    table[group, PURCHASE_BASE] += weight * purchase_base
    table[group, SALES] += weight * sales
    table[group, PURCHASES] += weight * purchases


@njit(cache=True)
def _firm_totals(
    active: ActiveRows,
    firm: FirmArrays,
    demonstration: np.ndarray,
    trained: np.ndarray,
    above_scale_revenue: np.ndarray,
    sector_purchase_share: np.ndarray,
    n_size_classes: int,
    n_sectors: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every firm total the indicators need, in one pass over the active rows.

    Returns a table by size class and one by sector (columns ``LIVING`` … ``PURCHASES``), and
    the city-wide totals (``ABOVE_SCALE_LIVING`` … ``TRAINED``). Only living firms count, and
    only online ones have flows. A sampled row counts with its weight.
    """
    by_size = np.zeros((n_size_classes, 6))
    by_sector = np.zeros((n_sectors, 6))
    city = np.zeros(12)
    weighted = firm.weight.size > 0
    for j in range(active_count(active)):
        i = active_row(j, active)
        if not firm.alive[i]:  # a firm that is not alive has no flows either
            continue
        w = firm.weight[i] if weighted else 1.0
        s = firm.sector[i]
        online = 1.0 if firm.adopted[i] else 0.0
        revenue = firm.revenue[i]
        sales, purchases = firm.online_sales[i], firm.online_purchases[i]
        purchase_base = revenue * sector_purchase_share[s]
        _add_firm(by_size, firm.size_class[i], w, online, revenue, purchase_base, sales, purchases)
        _add_firm(by_sector, s, w, online, revenue, purchase_base, sales, purchases)
        if revenue >= above_scale_revenue[s]:
            city[ABOVE_SCALE_LIVING] += w
            city[ABOVE_SCALE_ADOPTERS] += w * online
        if firm.listed[i]:
            city[LISTED] += w
        if demonstration[i]:
            city[DEMONSTRATION] += w
        if firm.in_park[i]:
            city[IN_PARK] += w
        if trained[i] > 0:
            city[TRAINED] += w
        if online == 0.0:
            continue
        city[RETAIL] += w * firm.online_retail[i]
        city[PARCELS] += w * firm.parcels[i]
        if firm.rural[i]:
            city[RURAL_PARCELS] += w * firm.parcels[i]
        city[ADOPTERS_ONLINE_SHARE] += w * firm.online_share[i]
        yearly_volume = 12.0 * (sales + purchases)
        if yearly_volume >= YUAN_1E9:
            city[ABOVE_1E9] += w
        if yearly_volume >= YUAN_1E10:
            city[ABOVE_1E10] += w
    return by_size, by_sector, city


def compute_indicators(model: EcommerceModel) -> dict[str, float]:
    """Read this month's indicators off the model's state.

    Counts and sums are city totals: in a sampled run each row counts with its weight.
    """
    firms = model.firms
    by_size, by_sector, city = _firm_totals(
        firms.active_rows(model.step_index),
        firms.arrays(),
        firms.demonstration,
        firms.trained,
        model.sectors.above_scale_revenue,
        model.sectors.purchase_share,
        len(SIZE_CLASSES),
        len(SECTORS),
    )
    total = by_size.sum(axis=0)
    sme = by_size[[SIZE_CLASSES.index(size) for size in SME_CLASSES]].sum(axis=0)
    large = by_size[SIZE_CLASSES.index("large")]
    n_adopters = total[ADOPTERS]
    out: dict[str, float] = {
        "adopters": n_adopters,
        "firms": total[LIVING],
        "adoption_rate": _ratio(n_adopters, total[LIVING]),
    }
    for code, size in enumerate(SIZE_CLASSES):
        out[f"adoption_rate_{size}"] = _ratio(by_size[code, ADOPTERS], by_size[code, LIVING])
    for code, sector in enumerate(SECTORS):
        out[f"adoption_rate_{sector}"] = _ratio(by_sector[code, ADOPTERS], by_sector[code, LIVING])
    out["adoption_rate_above_scale"] = _ratio(city[ABOVE_SCALE_ADOPTERS], city[ABOVE_SCALE_LIVING])
    out["adoption_rate_sme"] = _ratio(sme[ADOPTERS], sme[LIVING])

    sales, purchases = total[SALES], total[PURCHASES]
    settled_outside = sum(p.outside_volume for p in model.platforms if p.settled)
    retail = city[RETAIL]
    retail_sales = model.retail_sales_per_month()
    parcels = city[PARCELS]
    out.update(
        {
            "online_sales": sales,
            "online_purchases": purchases,
            # NBS counts e-commerce volume as online sales plus online purchases; a platform
            # settled in the city also books its outside sellers' volume there.
            "transaction_volume": sales + purchases + settled_outside,
            "online_retail": retail,
            "retail_sales": retail_sales,
            "online_retail_share": retail / retail_sales if retail_sales > 0 else float("nan"),
            "parcels": parcels,
            "mean_delivery_cost": _mean_delivery_cost(model, parcels, city[RURAL_PARCELS]),
            "mean_online_share": _ratio(city[ADOPTERS_ONLINE_SHARE], n_adopters),
            "settled_platform_volume": float(
                sum(p.monthly_volume for p in model.platforms if p.settled)
            ),
            "cross_border_sales": float(
                sum(p.city_sales for p in model.platforms if p.kind == "cross_border")
            ),
        }
    )
    # Online share of a group's sales and of its purchases over the month (Jining's targets).
    for label, group in (("large", large), ("sme", sme)):
        out[f"online_sales_ratio_{label}"] = _ratio(12.0 * group[SALES], group[REVENUE])
        out[f"online_purchase_ratio_{label}"] = _ratio(
            12.0 * group[PURCHASES], group[PURCHASE_BASE]
        )
    out["firms_above_1e9"] = city[ABOVE_1E9]
    out["firms_above_1e10"] = city[ABOVE_1E10]
    out["platforms_above_1e11"] = float(
        sum(p.settled and p.annual_volume >= YUAN_1E11 for p in model.platforms)
    )
    out["listed_firms"] = city[LISTED]
    out["demonstration_firms"] = city[DEMONSTRATION]
    out["park_firms"] = city[IN_PARK]
    out["trained_firms"] = city[TRAINED]

    funder, ledger = model.funder, model.funder.ledger
    spent = ledger.total("fund")
    previous = model.indicators.get("fund_spent_cumulative", 0.0)
    previous_fiscal = model.indicators.get("fiscal_cost_cumulative", 0.0)
    out["fund_budget"] = funder.budget_this_year
    out["fund_committed"] = funder.committed_this_year
    out["fund_spent"] = spent - previous
    out["fund_spent_cumulative"] = spent
    out["fiscal_cost_cumulative"] = ledger.total()
    out["tax_expenditure"] = (ledger.total() - previous_fiscal) - out["fund_spent"]
    for name in funder.portfolio:  # fund payments or tax relief, whichever it pays from
        out[f"paid_cumulative_{name}"] = ledger.paid_by_instrument.get(name, 0.0)
    return {name: float(value) for name, value in out.items()}


def _ratio(part: float, whole: float) -> float:
    """``part / whole``, or 0 when the whole is empty (no firms in the group)."""
    return float(part / whole) if whole else 0.0


def _mean_delivery_cost(model: EcommerceModel, parcels: float, rural_parcels: float) -> float:
    """Parcel-weighted mean delivery cost this month, yuan per parcel."""
    if not model.providers or parcels == 0:
        return float("nan")
    cost_urban = sum(p.area_cost(False) * p.parcels for p in model.providers)
    cost_rural = sum(p.area_cost(True) * p.parcels for p in model.providers)
    carried = sum(p.parcels for p in model.providers)
    rural_weight = rural_parcels / parcels
    return float(((1 - rural_weight) * cost_urban + rural_weight * cost_rural) / carried)


def make_datacollector(model: EcommerceModel) -> mesa.DataCollector:
    """A DataCollector recording every indicator, and each platform and provider."""
    return mesa.DataCollector(
        model_reporters={
            name: partial(read_indicator, name=name) for name in indicator_names(model)
        },
        agenttype_reporters={
            Platform: {
                "platform": "name",
                "volume": "monthly_volume",
                "city_sales": "city_sales",
                "sellers": "city_sellers",
                "buyers": "buyers",
                "settled": "settled",
                "commission": "commission",
            },
            LogisticsProvider: {
                "provider": "name",
                "parcels": "parcels",
                "cost_per_parcel": "cost_per_parcel",
                "delivery_days": "delivery_days",
                "capacity": "capacity",
                "utilisation": "utilisation",
            },
        },
    )
