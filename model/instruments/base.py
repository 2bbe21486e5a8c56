"""What every policy instrument shares: its declaration, its hooks, and what it asks the funder.

An instrument is data: a frozen pydantic model whose fields are the clause of a policy
document (amount, cap, slots, eligibility, payment lag). Its methods are the instrument's
mechanism, called by the model at fixed points of each month:

1. ``prepare(model, name)``      before firms decide: apply this month's effects (anticipation,
                                 hazards, rebates: ``model.effects``; ``standing_effects`` are
                                 the city-wide ones that hold whenever it is in force);
2. ``expected_support(model, name)`` what firms expect to receive if they go online;
3. ``propose(model, name)``      after firms decide: the awards it would like to make;
4. ``on_award(model, name, ...)`` the effect of awards the funder accepted;
5. ``deadweight(...)``           after the run: which payments went to recipients that did the
                                 rewarded thing in the no-policy counterfactual too.

The funder, not the instrument, enforces budget, slots, payment lag and the non-stacking
rule, so these rules are the same for every instrument.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict

from ecomsim.agents.firms import ALL_ROWS, Rows, Sector, SellerKind, SizeClass
from ecomsim.model.calendar import Month, MonthField
from ecomsim.model.ranges import Dispersion, FirmCount, Money, Months

if TYPE_CHECKING:
    from ecomsim.agents.firms import FirmPopulation
    from ecomsim.model.counterfactual import CounterfactualRecord
    from ecomsim.model.ecosystem import EcommerceModel
    from ecomsim.scenarios.schema import PolicyDesign, Scenario

#: Who can receive a payment. Firms and platforms fall under a non-stacking rule; each
#: logistics infrastructure project is a project of its own, and training institutions (and
#: the bodies running brand programmes), park operators, individual talents, commission
#: rebates passed on to sellers and supported villages or market clusters are separate
#: programmes, so they do not.
RecipientKind = Literal[
    "firm", "platform", "provider", "institution", "park", "talent", "rebate", "cluster"
]
STACKING_KINDS = frozenset({"firm", "platform"})
#: Recipients that are firm rows (a sampled run weights them; see ``FirmPopulation.weight``).
FIRM_ROW_KINDS = frozenset({"firm", "talent"})


class Strict(BaseModel):
    """Base for declared data: unknown fields are errors and values never change after loading.

    Every number must be finite: TOML and ``--set`` accept ``inf`` and ``nan``, and an infinite
    imitation rate or a NaN share would run to nonsense rather than fail.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class RevenueDraw(Strict):
    """Lognormal revenue: median (yuan a year) and dispersion (sigma of its logarithm)."""

    median: Money
    dispersion: Dispersion = 0.0


class Eligibility(Strict):
    """Which firms an instrument may reach; every condition given must hold (AND).

    A condition left out does not restrict. Lists of ``Eligibility`` on an instrument mean
    "any of these" (e.g. demonstration firms *or* park firms).
    """

    adopted: bool | None = None
    in_park: bool | None = None
    local: bool | None = None
    rural: bool | None = None
    demonstration: bool | None = None
    above_scale: bool | None = None
    revenue_declining: bool | None = None
    #: Kinds of seller: enterprises, self-employed households, individuals (None: any).
    seller_kinds: list[SellerKind] | None = None
    size_classes: list[SizeClass] | None = None  # enterprise size classes (households have none)
    sectors: list[Sector] | None = None
    min_revenue: Money | None = None
    min_online_volume: Money | None = None

    def mask(
        self, firms: FirmPopulation, assume_adopted: bool = False, rows: Rows = ALL_ROWS
    ) -> np.ndarray:
        """Boolean mask of living firms meeting every condition (of the firms ``rows``).

        With ``assume_adopted`` the ``adopted`` condition is taken as met: this is how a firm
        judges whether it *would* qualify once online. Judging only the ``rows`` in question
        (this month's adopters, say) spares a pass over the whole city.
        """
        mask = firms.alive[rows].copy()
        flags = {
            "in_park": firms.in_park,
            "local": firms.local,
            "rural": firms.rural,
            "demonstration": firms.demonstration,
            "above_scale": firms.above_scale,
            "revenue_declining": firms.revenue_declining,
        }
        if self.adopted is not None and not (assume_adopted and self.adopted):
            mask &= firms.adopted[rows] == self.adopted
        for field, values in flags.items():
            wanted = getattr(self, field)
            if wanted is not None:
                mask &= (values(rows) if callable(values) else values[rows]) == wanted
        if self.seller_kinds is not None:
            mask &= firms.of_kinds(self.seller_kinds)[rows]
        if self.size_classes is not None:
            mask &= firms.in_size_classes(self.size_classes)[rows]
        if self.sectors is not None:
            mask &= firms.in_sectors(self.sectors)[rows]
        if self.min_revenue is not None:
            mask &= firms.revenue[rows] >= self.min_revenue
        if self.min_online_volume is not None:
            mask &= firms.annual_online_volume(rows) >= self.min_online_volume
        return mask


def eligible_mask(
    rules: Eligibility | list[Eligibility],
    firms: FirmPopulation,
    assume_adopted: bool = False,
    rows: Rows = ALL_ROWS,
) -> np.ndarray:
    """Mask of firms (of ``rows``) meeting one rule, or any of a list of rules."""
    if isinstance(rules, Eligibility):
        return rules.mask(firms, assume_adopted, rows)
    mask = np.zeros(firms.alive[rows].shape, dtype=bool)
    for rule in rules:
        mask |= rule.mask(firms, assume_adopted, rows)
    return mask


@dataclass
class Proposal:
    """Awards an instrument would make this month, in the order it would make them.

    The funder goes down the list and accepts awards while slots and budget last (first come,
    first served; for a ranked instrument, best first), after the non-stacking rule.
    """

    recipient_kind: RecipientKind
    recipients: np.ndarray
    amounts: np.ndarray
    paid_from: Literal["fund", "tax"] = "fund"

    def __post_init__(self) -> None:
        self.recipients = np.asarray(self.recipients, dtype=np.int64)
        self.amounts = np.asarray(self.amounts, dtype=float)
        if self.recipients.shape != self.amounts.shape:
            raise ValueError("a proposal needs one amount per recipient")

    def __len__(self) -> int:
        return len(self.recipients)


class Instrument(Strict):
    """Fields and hooks common to all instruments. Subclasses set ``kind`` to a literal."""

    kind: str
    #: First and last month the instrument acts; default: the scenario's plan period.
    start: MonthField | None = None
    end: MonthField | None = None
    #: Months between the funder's approval of an award and its payment.
    payment_lag: Months = 0
    #: Limits the funder enforces on accepted awards (``None``: no limit).
    slots_per_year: FirmCount | None = None
    slots_total: FirmCount | None = None
    #: Earmark: the most this instrument may commit from the fund in a calendar year (yuan).
    max_per_year: Money | None = None

    #: One line for ``ecomsim show`` and the docs.
    summary: ClassVar[str] = ""
    #: Fields measuring the programme's size against the city's (budgets, counts of awards,
    #: courses, projects): scaled when the instrument is transplanted to another economy.
    size_fields: ClassVar[tuple[str, ...]] = ("max_per_year", "slots_per_year", "slots_total")
    #: Field of ``CounterfactualRecord`` saying, per recipient, whether it did the rewarded
    #: thing without the policy too (``None``: no firm-level test for this instrument).
    deadweight_test: ClassVar[str | None] = None
    #: Every instrument kind: ``kind`` → class, filled as the classes are defined.
    registry: ClassVar[dict[str, type[Instrument]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: object) -> None:
        """Register a subclass that names its kind (``kind: Literal["..."]``).

        Abstract bases such as ``FirmInstrument`` keep ``kind: str`` and are not registered.
        """
        super().__pydantic_init_subclass__(**kwargs)
        kinds = get_args(cls.model_fields["kind"].annotation)
        if len(kinds) != 1:
            return
        if kinds[0] in Instrument.registry:
            raise TypeError(f"instrument kind {kinds[0]!r} is declared twice")
        Instrument.registry[kinds[0]] = cls

    def pays_from_fund(self) -> bool:
        """Whether this instrument spends the standing fund's money (most do)."""
        return True

    def transplanted(
        self, size_factor: float, months_later: int, donor: PolicyDesign, host: Scenario
    ) -> Instrument:
        """This instrument as it would be declared for another city (the policy transplant).

        Its ``size_fields`` are multiplied by ``size_factor`` (whole numbers rounded, at least
        one where the donor had one), its own start and end move ``months_later`` with the
        plan, and ``references_in`` remaps names of the donor's agents. Per-award terms
        (amounts, caps, shares, eligibility) are the design and stay as they are.
        """
        changes: dict[str, object] = {}
        for field in self.size_fields:
            value = getattr(self, field)
            if value is None:
                continue
            if type(value) is int:
                changes[field] = max(1, round(value * size_factor)) if value >= 1 else 0
            else:
                changes[field] = value * size_factor
        for field in ("start", "end"):
            if (month := getattr(self, field)) is not None:
                changes[field] = month.plus(months_later)
        changes.update(self.references_in(donor, host))
        return self.model_copy(update=changes)

    def references_in(self, donor: PolicyDesign, host: Scenario) -> dict[str, object]:
        """Fields naming the donor's platforms or providers, renamed for the host (none)."""
        return {}

    def window(self, plan_start: Month, plan_end: Month) -> tuple[Month, Month]:
        """First and last month in force: the instrument's own window within the plan's."""
        return max(self.start or plan_start, plan_start), min(self.end or plan_end, plan_end)

    def is_active(self, month: Month, plan_start: Month, plan_end: Month) -> bool:
        """True while the instrument is in force."""
        start, end = self.window(plan_start, plan_end)
        return start <= month <= end

    def budget(self, year: int, plan_start: Month, plan_end: Month) -> float:
        """Money this instrument adds to the funder's budget for ``year`` (funds only)."""
        return 0.0

    def standing_effects(self) -> dict[str, float]:
        """City-wide effects (``model/effects.py``) holding whenever the instrument is in force.

        The funder applies them before any instrument's ``prepare``, so every hook of the
        month sees them (default: none).
        """
        return {}

    def prepare(self, model: EcommerceModel, name: str) -> None:
        """Set this month's effects before firms decide (``model.effects``; default: none)."""

    def expected_support(self, model: EcommerceModel, name: str) -> tuple[object, object]:
        """Per-firm ``(one-off, yearly)`` support a firm expects if it goes online (yuan)."""
        return 0.0, 0.0

    def propose(self, model: EcommerceModel, name: str) -> Proposal | None:
        """Awards to request from the funder this month (default: none)."""
        return None

    def on_award(
        self, model: EcommerceModel, name: str, recipients: np.ndarray, amounts: np.ndarray
    ) -> None:
        """Effect of the awards the funder accepted (default: none beyond the money)."""

    def deadweight(
        self,
        recipients: np.ndarray,
        approved_steps: np.ndarray,
        counterfactual: CounterfactualRecord,
        model: EcommerceModel,
    ) -> np.ndarray | None:
        """Which payments were deadweight; ``None`` when the instrument has no firm-level test.

        By default: the recipient's entry in the counterfactual field ``deadweight_test``.
        """
        if self.deadweight_test is None:
            return None
        return getattr(counterfactual, self.deadweight_test)[recipients]


class FirmInstrument(Instrument):
    """An instrument that selects firms: eligibility, order of selection and a cap."""

    eligibility: Eligibility | list[Eligibility] = Eligibility()
    #: ``first_come``: applicants are served in the (random) order they arrive in a month;
    #: ``ranked``: best first by ``rank_by`` (a competitive call).
    selection: Literal["first_come", "ranked"] = "first_come"
    rank_by: Literal["online_volume", "revenue", "volume_growth"] = "online_volume"
    #: Largest amount one award may have (yuan), ``None`` for no cap.
    cap: Money | None = None

    def eligible(
        self, firms: FirmPopulation, assume_adopted: bool = False, rows: Rows = ALL_ROWS
    ) -> np.ndarray:
        """Mask of firms (of ``rows``) this instrument's eligibility admits."""
        return eligible_mask(self.eligibility, firms, assume_adopted, rows)

    def applicants(self, model: EcommerceModel, name: str, mask: np.ndarray) -> np.ndarray:
        """Firms in ``mask`` that are eligible and never had this instrument, in call order."""
        firms = model.firms
        ids = np.flatnonzero(mask)  # usually few: judge only them
        fresh = self.eligible(firms, rows=ids) & not_yet_received(firms, model, name, rows=ids)
        return self.order(model, ids[fresh])

    def capped(self, amounts: np.ndarray) -> np.ndarray:
        """Amounts limited by the cap."""
        return np.minimum(amounts, self.cap) if self.cap is not None else amounts

    def order(
        self, model: EcommerceModel, firm_ids: np.ndarray, limit: int | None = None
    ) -> np.ndarray:
        """Firm ids in the order the funder should consider them (only the first ``limit``).

        Ranked: best score first. First come: a random arrival order. With the funder's
        local priority, local firms come before the others, each group in that order.
        """
        n = firm_ids.size
        limit = n if limit is None else min(limit, n)
        if n == 0 or limit == 0:
            return firm_ids[:0]
        local_first = model.funder.local_priority
        if self.selection == "ranked":
            key = -model.firms.score(self.rank_by)[firm_ids]
        else:
            key = model.streams.selection.random(n)
        if local_first:
            # Locals first: push every non-local's key past the largest local key.
            key = key + np.where(model.firms.local[firm_ids], 0.0, np.ptp(key) + 1.0)
        if limit < n:
            top = np.argpartition(key, limit - 1)[:limit]
            return firm_ids[top[np.argsort(key[top], kind="stable")]]
        return firm_ids[np.argsort(key, kind="stable")]


def not_yet_received(
    firms: FirmPopulation, model: EcommerceModel, name: str, rows: Rows = ALL_ROWS
) -> np.ndarray:
    """Mask of firms (of ``rows``) that never received an award from instrument ``name``."""
    bit = model.funder.instrument_bit(name)
    return (firms.subsidy_mask[rows] & bit) == 0


def spread_over_year(per_year: int, month: Month) -> int:
    """How many of ``per_year`` events fall in ``month`` when spread evenly over the year."""
    done_before = per_year * (month.month - 1) // 12
    return per_year * month.month // 12 - done_before


def first_call_this_year(memory: dict, year: int) -> bool:
    """Whether this is the instrument's first yearly round in ``year`` (and mark it held).

    Yearly programmes (operator subsidies, talent salaries, supported clusters, brand lines)
    decide once a year, in their first month in force that year.
    """
    if memory.get("last_year") == year:
        return False
    memory["last_year"] = year
    return True


def funded_in(memory: dict, year: int) -> bool:
    """Whether a yearly programme's latest accepted round holds in ``year``.

    It holds in the year it was funded (``memory["funded_year"]``, set when the funder accepts
    the round) and, in the next year, until that year's round is held: a running programme
    carries on into January while its renewal is decided. A round the funder refuses (budget,
    slots) ends it from the month after.
    """
    funded = memory.get("funded_year")
    return funded == year or (funded == year - 1 and memory.get("last_year") != year)
