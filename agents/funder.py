"""The government funder: a yearly budget, a portfolio of instruments and a ledger."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from ecomsim.model.instruments.base import FIRM_ROW_KINDS, STACKING_KINDS, Instrument, Proposal
from ecomsim.model.ledger import Ledger

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel
    from ecomsim.scenarios.schema import FunderSpec

#: Months over which an instrument's approval rate (accepted ÷ applied) is measured.
APPROVAL_WINDOW = 12


@dataclass
class Commitment:
    """Awards approved in one month by one instrument, waiting for their payment month."""

    due_step: int
    approved_step: int
    instrument: str
    proposal: Proposal


class GovernmentFunder(mesa.Agent):
    """Applies the portfolio's instruments under one budget, one set of rules and one ledger.

    Each month every instrument in force proposes awards; the funder accepts them in the
    instrument's order while its limits hold:

    * **non-stacking** (if the scenario has the rule, e.g. Guangzhou 九.2): an enterprise gets
      at most the largest of the plan's awards in a year — an award no larger than what it has
      already received this year is refused, a larger one pays only the difference (awards
      are considered in portfolio order, month by month);
    * **slots** per year and in total, per instrument;
    * **budget**: awards are committed against the year's budget (standing funds in force, plus
      last year's unspent money with ``carry_over``) and against the instrument's earmark
      (``max_per_year``), and refused once either would be exceeded, so the fund never pays
      beyond its budget. Tax relief is tax expenditure, outside the fund.

    Accepted awards take effect at once and are paid ``payment_lag`` months later; every
    payment is written to the ledger.
    """

    def __init__(
        self, model: EcommerceModel, spec: FunderSpec, portfolio: dict[str, Instrument]
    ) -> None:
        super().__init__(model)
        self.name = spec.name
        self.non_stacking = spec.non_stacking
        self.carry_over = spec.carry_over
        self.portfolio = dict(portfolio)
        #: False for a no-policy run: the portfolio is known (its columns are reported, as
        #: zeros) but no instrument acts and no budget opens.
        self.in_force = True
        self.ledger = Ledger()
        self._bits = {name: 1 << i for i, name in enumerate(self.portfolio)}
        self._memory: dict[str, dict[str, Any]] = {name: {} for name in self.portfolio}
        self._pending: list[Commitment] = []
        self._year: int | None = None
        self.budget_this_year = 0.0
        self.committed_this_year = 0.0
        self.committed_by_instrument: Counter[str] = Counter()  # this year
        self._stacked: dict[tuple[str, int], float] = {}
        self.awards_by_year: Counter[tuple[str, int]] = Counter()  # city firms, not rows
        self.awards_total: Counter[str] = Counter()
        self.refused: Counter[tuple[str, str]] = Counter()  # (instrument, reason)
        self._applications: deque[dict[str, tuple[int, int]]] = deque(maxlen=APPROVAL_WINDOW)

    # ------------------------------------------------------------------ queries
    def active(self) -> list[tuple[str, Instrument]]:
        """Instruments in force this month, in portfolio order."""
        model = self.model
        return [
            (name, inst)
            for name, inst in self.portfolio.items()
            if self.in_force and inst.is_active(model.month, model.plan_start, model.policy_end)
        ]

    def instrument_bit(self, name: str) -> int:
        """Bit marking instrument ``name`` in a firm's subsidy history."""
        return self._bits[name]

    def memory(self, name: str) -> dict[str, Any]:
        """Scratch state an instrument keeps between months (e.g. park members)."""
        return self._memory[name]

    def remaining_budget(self, name: str | None = None) -> float:
        """Budget of the current year not yet committed.

        For instrument ``name``, also within what is left of its earmark.
        """
        left = self.budget_this_year - self.committed_this_year
        if name is not None and self.portfolio[name].max_per_year is not None:
            left = min(left, self.portfolio[name].max_per_year - self.committed_by_instrument[name])
        return left

    def slots_left(self, name: str, instrument: Instrument, year: int) -> float | None:
        """Awards instrument ``name`` may still make this year (``None``: unlimited)."""
        limits = []
        if instrument.slots_per_year is not None:
            limits.append(instrument.slots_per_year - self.awards_by_year[(name, year)])
        if instrument.slots_total is not None:
            limits.append(instrument.slots_total - self.awards_total[name])
        return max(0, min(limits)) if limits else None

    def approval_rate(self, name: str) -> float:
        """Share of applications accepted over the last twelve months (1 before any)."""
        applied = sum(month.get(name, (0, 0))[0] for month in self._applications)
        accepted = sum(month.get(name, (0, 0))[1] for month in self._applications)
        return accepted / applied if applied else 1.0

    @property
    def local_priority(self) -> bool:
        """True while an instrument in force puts local firms first (``local_priority`` effect)."""
        return self.model.effects.of("local_priority", 0) > 0

    @property
    def outstanding(self) -> float:
        """Money committed but not yet paid."""
        return float(sum(c.proposal.amounts.sum() for c in self._pending))

    # ------------------------------------------------------------------ the month
    def start_month(self) -> None:
        """Open a new budget year if needed, and pay what falls due this month."""
        model = self.model
        year = model.month.year
        if year != self._year:
            unspent = max(0.0, self.remaining_budget()) if self.carry_over else 0.0
            self.budget_this_year = unspent + sum(
                inst.budget(year, model.plan_start, model.policy_end)
                for inst in self.portfolio.values()
                if self.in_force
            )
            self.committed_this_year = 0.0
            self.committed_by_instrument = Counter()
            self._stacked = {}
            self._year = year
        self._pay_due(model.step_index)

    def prepare(self) -> None:
        """Let every instrument in force apply its effects for the month before firms decide.

        Standing (city-wide) effects first, so that every ``prepare`` hook sees them.
        """
        active = self.active()
        for _, inst in active:
            for effect, value in inst.standing_effects().items():
                self.model.effects.apply(effect, value)
        for name, inst in active:
            inst.prepare(self.model, name)

    def expected_support(self) -> tuple[object, object]:
        """Total one-off and yearly support firms expect from the instruments in force."""
        one_off: object = 0.0
        yearly: object = 0.0
        for name, inst in self.active():
            extra_one_off, extra_yearly = inst.expected_support(self.model, name)
            one_off = one_off + extra_one_off
            yearly = yearly + extra_yearly
        return one_off, yearly

    def step(self) -> None:
        """Collect this month's proposals and accept those the rules allow."""
        proposals = [
            (name, inst, prop)
            for name, inst in self.active()
            if (prop := inst.propose(self.model, name)) is not None and len(prop)
        ]
        applications: dict[str, tuple[int, int]] = {}
        for name, inst, prop in proposals:
            applications[name] = (len(prop), self._decide(name, inst, prop))
        self._applications.append(applications)

    # ------------------------------------------------------------------ rules
    def _stacks(self, proposal: Proposal) -> bool:
        """Whether the non-stacking rule covers this proposal: fund money to an enterprise.

        (Guangzhou's rule limits 资金扶持, support paid from the fund; tax relief is not.)
        """
        return (
            self.non_stacking
            and proposal.paid_from == "fund"
            and proposal.recipient_kind in STACKING_KINDS
        )

    def _decide(self, name: str, inst: Instrument, prop: Proposal) -> int:
        """Apply non-stacking, slots and budget to one proposal; commit what passes."""
        model = self.model
        year = model.month.year
        ids, amounts = prop.recipients, prop.amounts
        if self._stacks(prop):
            prior = np.array(
                [self._stacked.get((prop.recipient_kind, i), 0.0) for i in ids.tolist()]
            )
            top_up = amounts - prior
            larger = top_up > 0
            self.refused[(name, "stacking")] += int((~larger).sum())
            ids, amounts, prior = ids[larger], top_up[larger], prior[larger]
        # In a sampled run a firm row stands for ``weight`` firms and a kept cluster for
        # ``cluster_weight`` clusters: its award uses that many slots and costs that many
        # times the amount (the city's money).
        firms = model.firms
        firm_rows = prop.recipient_kind in FIRM_ROW_KINDS and firms.weight is not None
        clusters = prop.recipient_kind == "cluster"
        slots = self.slots_left(name, inst, year)
        if slots is not None:
            if firm_rows:
                slots = firms.sample_count(slots, model.streams.selection)
            elif clusters:
                slots = firms.sample_cluster_count(slots, model.streams.selection)
            else:
                slots = int(slots + 1e-9)  # whole awards: the float only carries sums of ones
        if slots is not None and ids.size > slots:
            self.refused[(name, "slots")] += int(ids.size - slots)
            ids, amounts = ids[:slots], amounts[:slots]
        if firm_rows:
            represents = firms.weight[ids]
        else:
            represents = np.full(ids.size, firms.cluster_weight if clusters else 1.0)
        if prop.paid_from == "fund":
            affordable = np.cumsum(amounts * represents) <= self.remaining_budget(name) + 1e-6
            n_ok = int(np.argmin(affordable)) if not affordable.all() else ids.size
            self.refused[(name, "budget")] += int(ids.size - n_ok)
            ids, amounts, represents = ids[:n_ok], amounts[:n_ok], represents[:n_ok]
            money = float((amounts * represents).sum())
            self.committed_this_year += money
            self.committed_by_instrument[name] += money
        if ids.size == 0:
            return 0
        if self._stacks(prop):
            for i, full in zip(ids.tolist(), (amounts + prior[: ids.size]).tolist(), strict=True):
                self._stacked[(prop.recipient_kind, i)] = full
        self.awards_by_year[(name, year)] += float(represents.sum())
        self.awards_total[name] += float(represents.sum())
        if prop.recipient_kind == "firm":
            firms.subsidy_mask[ids] |= self._bits[name]
            firms.subsidy_count[ids] += 1
            np.add.at(firms.subsidy_total, ids, amounts)
        accepted = Proposal(prop.recipient_kind, ids, amounts * represents, prop.paid_from)
        self._pending.append(
            Commitment(model.step_index + inst.payment_lag, model.step_index, name, accepted)
        )
        self._pay_due(model.step_index)
        inst.on_award(model, name, ids, amounts)
        return int(ids.size)

    def _pay_due(self, step: int) -> None:
        due = [c for c in self._pending if c.due_step <= step]
        if not due:
            return
        self._pending = [c for c in self._pending if c.due_step > step]
        for c in due:
            self.ledger.record(
                step=step,
                instrument=c.instrument,
                recipient_kind=c.proposal.recipient_kind,
                recipients=c.proposal.recipients,
                amounts=c.proposal.amounts,
                paid_from=c.proposal.paid_from,
                approved_step=c.approved_step,
            )
