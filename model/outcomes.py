"""Yearly outcomes: what a year of the model amounts to, for summaries and plan targets.

The model reports indicators monthly (flows per month, stocks at the month's end). Plans and
statistics speak in calendar years, so each outcome says how a year is formed from the months:
``sum`` of a flow over the year's simulated months, ``last`` value of a stock in the year's
last simulated month, or ``ratio`` of two summed flows. ``yearly_outcomes`` applies these to a
run's time series, for the policy run and (columns ending ``_cf``) its paired counterfactual.

Some outcomes take a parameter that the plan, not the model, chooses: the line a count of firms
or platforms is taken at (Tianjin counts firms above 10 亿 and 100 亿 a year, Guangzhou
platforms above 1000 亿), or the size classes a group's online shares are of (Jining's large
firms and SMEs). These are *families* (``OUTCOME_FAMILIES``): a target or a calibration
observation declares one with its parameter, and the model computes exactly the declared ones
(``DeclaredOutcome``), under generated names such as ``firms_above_100yi``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api.typing import DataFrameGroupBy

from ecomsim.agents.firms import HOUSEHOLD_KINDS, SECTORS, SIZE_CLASSES, SizeClass

CF = "_cf"  # suffix of the counterfactual's columns
#: The SME group (micro, small and medium firms): ``adoption_rate_sme``, and the name ``sme``
#: of a declared group of exactly these size classes.
SME_CLASSES: tuple[SizeClass, ...] = ("micro", "small", "medium")


@dataclass(frozen=True)
class Outcome:
    """How one yearly outcome is formed from monthly indicator columns."""

    description: str
    unit: Literal["yuan", "share", "count", "parcels", "yuan per adopter"]
    how: Literal["sum", "last", "ratio"]
    column: str
    denominator: str | None = None  # for ``ratio``: the flow divided by


def _adoption(group: str, who: str) -> Outcome:
    return Outcome(f"share of living {who} online at the year's end", "share", "last", group)


OUTCOMES: dict[str, Outcome] = {
    "transaction_volume": Outcome(
        "e-commerce volume (电子商务交易额: B2B + B2C + C2C) over the year: online sales and "
        "purchases of every seller in the city, plus the outside volume of platforms settled "
        "in the city",
        "yuan",
        "sum",
        "transaction_volume",
    ),
    "online_sales": Outcome(
        "online sales of every seller in the city over the year", "yuan", "sum", "online_sales"
    ),
    "online_sales_household": Outcome(
        "online sales of household sellers (self-employed and individuals) over the year",
        "yuan",
        "sum",
        "online_sales_household",
    ),
    "online_purchases": Outcome(
        "online purchases of every seller in the city over the year",
        "yuan",
        "sum",
        "online_purchases",
    ),
    "online_retail": Outcome(
        "online retail (网络零售额, seller side) over the year: sales to consumers by every "
        "seller located in the city, household shops included",
        "yuan",
        "sum",
        "online_retail",
    ),
    "online_retail_share": Outcome(
        "online retail ÷ retail sales of consumer goods over the year",
        "share",
        "ratio",
        "online_retail",
        "retail_sales",
    ),
    "cross_border_sales": Outcome(
        "city firms' sales on cross-border platforms over the year",
        "yuan",
        "sum",
        "cross_border_sales",
    ),
    "parcels": Outcome(
        "express items collected in the city over the year (快递业务量): the e-commerce "
        "parcels of every seller plus the express that is not e-commerce "
        "(economy.other_express)",
        "parcels",
        "sum",
        "parcels",
    ),
    "ecommerce_parcels": Outcome(
        "e-commerce parcels sent by every seller in the city over the year",
        "parcels",
        "sum",
        "ecommerce_parcels",
    ),
    "online_shops": Outcome(
        "online shops at the year's end: sellers of every kind that sell online",
        "count",
        "last",
        "online_shops",
    ),
    "online_shops_household": Outcome(
        "online shops of household sellers (self-employed and individuals) at the year's end",
        "count",
        "last",
        "online_shops_household",
    ),
    "taobao_villages": Outcome(
        "Taobao villages at the year's end: clusters meeting the statistic's definition "
        "(households.clusters: village_shops online shops and village_annual_sales a year)",
        "count",
        "last",
        "taobao_villages",
    ),
    **{
        f"adoption_rate_{kind}": _adoption(f"adoption_rate_{kind}", f"{kind} household sellers")
        for kind in HOUSEHOLD_KINDS
    },
    "adoption_rate": _adoption("adoption_rate", "enterprises"),
    **{f"adoption_rate_{s}": _adoption(f"adoption_rate_{s}", f"{s} firms") for s in SIZE_CLASSES},
    **{f"adoption_rate_{s}": _adoption(f"adoption_rate_{s}", f"{s} firms") for s in SECTORS},
    "adoption_rate_sme": _adoption("adoption_rate_sme", "micro, small and medium firms"),
    "adoption_rate_above_scale": _adoption("adoption_rate_above_scale", "above-scale firms"),
    "listed_firms": Outcome(
        "living firms listed on an exchange, year end", "count", "last", "listed_firms"
    ),
    "demonstration_firms": Outcome(
        "living recognised demonstration firms, year end", "count", "last", "demonstration_firms"
    ),
    "park_firms": Outcome("living firms in a park, year end", "count", "last", "park_firms"),
    "trained_firms": Outcome(
        "living firms whose staff were trained, year end", "count", "last", "trained_firms"
    ),
    "fund_spent": Outcome("money paid from the fund during the year", "yuan", "sum", "fund_spent"),
    "tax_expenditure": Outcome(
        "tax relief granted during the year", "yuan", "sum", "tax_expenditure"
    ),
}


@dataclass(frozen=True)
class OutcomeFamily:
    """Yearly outcomes that differ only in a parameter the scenario declares.

    ``parameter`` is the field a target or observation gives it: ``line``, a yearly volume in
    yuan, or ``size_classes``, the enterprise size classes that form a group. ``describe``
    turns the parameter, as text, into the outcome's definition. Every family is a stock read
    at the year's last month.
    """

    parameter: Literal["line", "size_classes"]
    unit: Literal["share", "count"]
    describe: Callable[[str], str]


OUTCOME_FAMILIES: dict[str, OutcomeFamily] = {
    "firms_above": OutcomeFamily(
        "line",
        "count",
        lambda line: (
            f"living sellers whose annualised online volume (12 × the month's online "
            f"sales and purchases) is ≥ {line}, year end"
        ),
    ),
    "platforms_above": OutcomeFamily(
        "line",
        "count",
        lambda line: (
            f"platforms settled in the city with volume ≥ {line} a year "
            "(12 × the month's volume), year end"
        ),
    ),
    "online_sales_ratio": OutcomeFamily(
        "size_classes",
        "share",
        lambda group: f"online share of the sales of {group} in December, annualised",
    ),
    "online_purchase_ratio": OutcomeFamily(
        "size_classes",
        "share",
        lambda group: f"online share of the purchases of {group} in December, annualised",
    ),
}

#: What each family's parameter is, for error messages.
PARAMETERS = {
    "line": "a line: a yearly volume in yuan above 0 (e.g. line = 1e10 for 100 亿)",
    "size_classes": f"size_classes: the group's size classes, some of {', '.join(SIZE_CLASSES)}",
}

#: The plans' units of money for a line, largest first: 亿 (1e8) and 万 (1e4) yuan.
_MONEY_UNITS = ((1e8, "亿", "yi"), (1e4, "万", "wan"), (1.0, "yuan", "yuan"))


def _line_parts(line: float) -> tuple[str, str, str]:
    """A line in the largest unit it reaches: its number, the unit's symbol, the unit's tag."""
    scale, symbol, tag = next(unit for unit in _MONEY_UNITS if line >= unit[0] or unit[0] == 1)
    number = f"{line / scale:.12f}".rstrip("0").rstrip(".")  # digits only: no exponent
    return number, symbol, tag


@dataclass(frozen=True)
class DeclaredOutcome:
    """One outcome of a family at the parameter a target or an observation declares.

    ``size_classes`` are kept in ``SIZE_CLASSES`` order, so a group is the same outcome
    however the file lists it.
    """

    family: str
    line: float | None = None
    size_classes: tuple[SizeClass, ...] = ()

    @property
    def name(self) -> str:
        """Its column and outcome name: ``firms_above_100yi``, ``online_sales_ratio_sme``."""
        if self.line is not None:
            number, _, tag = _line_parts(self.line)
            return f"{self.family}_{number.replace('.', 'p')}{tag}"
        group = "sme" if self.size_classes == SME_CLASSES else "_".join(self.size_classes)
        return f"{self.family}_{group}"

    @property
    def definition(self) -> Outcome:
        """How the outcome is formed, like the fixed outcomes of ``OUTCOMES``."""
        family = OUTCOME_FAMILIES[self.family]
        if self.line is not None:
            number, symbol, _ = _line_parts(self.line)
            parameter = f"{number} {symbol}"
        elif self.size_classes == SME_CLASSES:
            parameter = "SMEs (micro, small and medium firms)"
        else:
            *rest, last = self.size_classes
            parameter = f"{', '.join(rest)} and {last} firms" if rest else f"{last} firms"
        return Outcome(family.describe(parameter), family.unit, "last", self.name)


def outcome_definitions(declared: Iterable[DeclaredOutcome] = ()) -> dict[str, Outcome]:
    """Every yearly outcome of a scenario: the fixed ones and those its targets declare."""
    return {**OUTCOMES, **{d.name: d.definition for d in declared}}


#: Outcomes with a policy effect, derived when a run is paired with its counterfactual.
EFFECT_OUTCOMES: dict[str, str] = {
    "additional_adopters": "adopters with the policy minus without, at the year's end",
    "additional_volume": "yearly volume with the policy minus without, yuan",
    "cost_per_additional_adopter": "cumulative fiscal cost ÷ additional adopters, year end, yuan",
    "deadweight_share": "cumulative deadweight spending ÷ cumulative spending that has a "
    "firm-level counterfactual test, year end",
}


def paired_indicators(declared: Iterable[DeclaredOutcome] = ()) -> tuple[str, ...]:
    """Monthly indicators the counterfactual keeps beside the policy run's (suffix ``_cf``).

    Those the yearly outcomes (with ``declared``) are formed from, and adopters and retail
    sales; money columns are left out, since the counterfactual spends nothing.
    """
    columns = {o.column for o in outcome_definitions(declared).values()}
    money = {"fund_spent", "tax_expenditure"}
    return tuple(sorted((columns | {"adopters", "retail_sales"}) - money))


def _yearly(
    grouped: DataFrameGroupBy, last: pd.DataFrame, suffix: str, outcomes: dict[str, Outcome]
) -> dict[str, pd.Series]:
    out: dict[str, pd.Series] = {}
    for name, outcome in outcomes.items():
        column = outcome.column + suffix
        if column not in last:
            continue
        if outcome.how == "last":
            out[name + suffix] = last[column]
        elif outcome.how == "sum":
            out[name + suffix] = grouped[column].sum()
        else:
            denominator = grouped[outcome.denominator + suffix].sum()
            out[name + suffix] = grouped[column].sum() / denominator.where(denominator > 0)
    return out


def yearly_outcomes(
    timeseries: pd.DataFrame, declared: Iterable[DeclaredOutcome] = ()
) -> pd.DataFrame:
    """One row per replication × calendar year: every outcome, its counterfactual and effects.

    ``declared`` are the family outcomes of the scenario (``Scenario.declared_outcomes()``),
    formed beside the fixed ones. ``months`` gives how many months of the year were simulated
    (a plan starting in October has a three-month first year).
    """
    outcomes = outcome_definitions(declared)
    frame = timeseries.assign(year=timeseries["date"].str[:4].astype(int))
    grouped = frame.groupby(["replication", "year"], sort=True)
    last = grouped.tail(1).set_index(["replication", "year"])
    columns: dict[str, pd.Series] = {"months": grouped.size()}
    columns.update(_yearly(grouped, last, "", outcomes))
    columns["fiscal_cost"] = columns["fund_spent"] + columns["tax_expenditure"]
    if "additional_adopters" in last:
        columns.update(_yearly(grouped, last, CF, outcomes))
        columns["additional_adopters"] = last["additional_adopters"]
        columns["additional_volume"] = (
            columns["transaction_volume"] - columns["transaction_volume" + CF]
        )
        columns["cost_per_additional_adopter"] = last["cost_per_additional_adopter"]
        tested = last["tested_spending_cumulative"]
        columns["deadweight_share"] = last["deadweight_spending_cumulative"] / tested.where(
            tested > 0
        )
    out = pd.DataFrame(columns)
    return out.replace([np.inf, -np.inf], np.nan).reset_index()
