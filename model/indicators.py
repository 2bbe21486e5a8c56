"""The model's outputs: monthly indicators and the Mesa DataCollector that records them.

``compute_indicators`` reads the model's state once a month into a flat dict; the
DataCollector's model reporters (partials of ``read_indicator``: picklable, unlike lambdas)
read from it, and its agent-type reporters record each platform and logistics provider.
Flows (volumes, parcels, money) are per month; stocks (adopters, counts) are at the month's
end. The firm totals come from the firms' month (``MonthTotals``), tallied as it was booked.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import mesa
import numpy as np

from ecomsim.agents.firm_kernel import (
    ABOVE_SCALE_ADOPTERS,
    ABOVE_SCALE_LIVING,
    ADOPTERS,
    LISTED,
    LIVING,
    ONLINE_SHARE,
    PARCELS,
    PURCHASE_BASE,
    PURCHASES,
    RETAIL,
    REVENUE,
    RURAL_PARCELS,
    SALES,
)
from ecomsim.agents.firms import HOUSEHOLD_KINDS, SECTORS, SELLER_CLASSES, SIZE_CLASSES
from ecomsim.agents.logistics import LogisticsProvider
from ecomsim.agents.platform import Platform
from ecomsim.model.outcomes import SME_CLASSES, DeclaredOutcome

if TYPE_CHECKING:
    from ecomsim.agents.firm_kernel import MonthTotals
    from ecomsim.model.ecosystem import EcommerceModel


def read_indicator(model: EcommerceModel, name: str) -> float:
    """One entry of ``model.indicators``; DataCollector reporters are partials of this."""
    return model.indicators[name]


def indicator_names(model: EcommerceModel) -> list[str]:
    """Names of every monthly indicator this model reports, in a stable order."""
    names = ["adopters", "firms", "adoption_rate"]
    names += [f"adoption_rate_{s}" for s in SIZE_CLASSES]
    names += ["household_sellers", "online_shops", "online_shops_household", "taobao_villages"]
    names += [f"adoption_rate_{kind}" for kind in HOUSEHOLD_KINDS]
    names += [f"adoption_rate_{s}" for s in SECTORS]
    names += [
        "adoption_rate_above_scale",
        "adoption_rate_sme",
        "online_sales",
        "online_sales_household",
        "online_purchases",
        "transaction_volume",
        "online_retail",
        "retail_sales",
        "online_retail_share",
        "ecommerce_parcels",
        "parcels",
        "mean_delivery_cost",
        "mean_online_share",
    ]
    names += [declared.name for declared in model.declared_outcomes]
    names += [
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


def compute_indicators(model: EcommerceModel) -> dict[str, float]:
    """Read this month's indicators off the model's state.

    Counts and sums are city totals: in a sampled run each row counts with its weight.
    """
    firms = model.firms
    # Flows and counts were tallied as the firms' month was booked (``MonthTotals``); the
    # funder's step after it changes none of them, only the recognition counts below.
    totals = firms.totals
    by_size, by_sector, city = totals.by_size, totals.by_sector, totals.city
    # Firms, adopters and adoption rates are of enterprises (the plans' 企业); online shops,
    # sales, retail and parcels are of every seller located in the city.
    enterprises = by_size[: len(SIZE_CLASSES)]
    households = by_size[len(SIZE_CLASSES) :]
    total = enterprises.sum(axis=0)
    sme = _group(totals, SME_CLASSES)
    n_adopters = total[ADOPTERS]
    household_shops = households[:, ADOPTERS].sum()
    out: dict[str, float] = {
        "adopters": n_adopters,
        "firms": total[LIVING],
        "adoption_rate": _ratio(n_adopters, total[LIVING]),
        "household_sellers": households[:, LIVING].sum(),
        "online_shops": n_adopters + household_shops,
        "online_shops_household": household_shops,
        "taobao_villages": _taobao_villages(model),
    }
    for code, seller_class in enumerate(SELLER_CLASSES):
        out[f"adoption_rate_{seller_class}"] = _ratio(
            by_size[code, ADOPTERS], by_size[code, LIVING]
        )
    for code, sector in enumerate(SECTORS):
        out[f"adoption_rate_{sector}"] = _ratio(by_sector[code, ADOPTERS], by_sector[code, LIVING])
    out["adoption_rate_above_scale"] = _ratio(city[ABOVE_SCALE_ADOPTERS], city[ABOVE_SCALE_LIVING])
    out["adoption_rate_sme"] = _ratio(sme[ADOPTERS], sme[LIVING])

    every_seller = by_size.sum(axis=0)
    sales, purchases = every_seller[SALES], every_seller[PURCHASES]
    settled_outside = sum(p.outside_volume for p in model.platforms if p.settled)
    retail = city[RETAIL]
    retail_sales = model.retail_sales_per_month()
    parcels = city[PARCELS]
    out.update(
        {
            "online_sales": sales,
            "online_sales_household": households[:, SALES].sum(),
            "online_purchases": purchases,
            # E-commerce volume (电子商务交易额) as NBS counts it: online sales plus online
            # purchases of every seller (B2B, B2C and C2C); a platform settled in the city also
            # books its outside sellers' volume there.
            "transaction_volume": sales + purchases + settled_outside,
            # Online retail (网络零售额) on the seller side: sales to consumers by every seller
            # located in the city, household shops included.
            "online_retail": retail,
            "retail_sales": retail_sales,
            "online_retail_share": retail / retail_sales if retail_sales > 0 else float("nan"),
            "ecommerce_parcels": parcels,
            # Express items collected in the city (快递业务量): the e-commerce parcels of every
            # seller plus the express that is not e-commerce.
            "parcels": model.spec.economy.express_items(parcels, model.step_index / 12.0),
            "mean_delivery_cost": _mean_delivery_cost(model, parcels, city[RURAL_PARCELS]),
            "mean_online_share": _ratio(city[ONLINE_SHARE], n_adopters),
            "settled_platform_volume": float(
                sum(p.monthly_volume for p in model.platforms if p.settled)
            ),
            "cross_border_sales": float(
                sum(p.city_sales for p in model.platforms if p.kind == "cross_border")
            ),
        }
    )
    for declared in model.declared_outcomes:
        out[declared.name] = declared_value(model, declared)
    out["listed_firms"] = city[LISTED]
    alive = firms.alive
    out["demonstration_firms"] = firms.total(alive & firms.demonstration)
    out["park_firms"] = firms.total(alive & firms.in_park)
    out["trained_firms"] = firms.total(alive & (firms.trained > 0))

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


def declared_value(model: EcommerceModel, declared: DeclaredOutcome) -> float:
    """This month's value of an outcome a target declares (``model.outcomes.OUTCOME_FAMILIES``).

    Firms are counted at the lines the firms' month tallied (``FirmPopulation.volume_lines``,
    the scenario's ``firms_above`` lines); a group's online shares are its annualised online
    sales ÷ its revenue, and its online purchases ÷ its purchases.
    """
    totals = model.firms.totals
    if declared.family == "firms_above":
        line = list(model.firms.volume_lines).index(declared.line)
        return float(totals.above_volume[line])
    if declared.family == "platforms_above":
        return float(sum(p.settled and p.annual_volume >= declared.line for p in model.platforms))
    group = _group(totals, declared.size_classes)
    if declared.family == "online_sales_ratio":
        return _ratio(12.0 * group[SALES], group[REVENUE])
    if declared.family == "online_purchase_ratio":
        return _ratio(12.0 * group[PURCHASES], group[PURCHASE_BASE])
    raise ValueError(f"no monthly value for the outcome family {declared.family!r}")


def _group(totals: MonthTotals, size_classes: tuple[str, ...]) -> np.ndarray:
    """The month's tallies (``MonthTotals.by_size`` columns) summed over ``size_classes``."""
    return totals.by_size[[SIZE_CLASSES.index(size) for size in size_classes]].sum(axis=0)


def _ratio(part: float, whole: float) -> float:
    """``part / whole``, or 0 when the whole is empty (no firms in the group)."""
    return float(part / whole) if whole else 0.0


def _taobao_villages(model: EcommerceModel) -> float:
    """Clusters that meet the Taobao-village definition (``households.clusters``).

    Assessed each December on that month's sales at a yearly rate, as the yearly lists are
    drawn up; other months repeat the last assessment (0 before the first December). In a
    sample each kept cluster stands for ``cluster_weight`` clusters.
    """
    if model.month.month != 12 or model.firms.n_clusters == 0:
        return model.indicators.get("taobao_villages", 0.0)
    clusters = model.spec.households.clusters
    _, shops, sales = model.firms.cluster_totals()
    villages = (shops >= clusters.village_shops) & (sales >= clusters.village_annual_sales)
    return float(np.count_nonzero(villages) * model.firms.cluster_weight)


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
