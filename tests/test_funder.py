"""The funder's rules: budget, earmarks, slots, payment lag, non-stacking, ledger."""

from typing import Literal

import numpy as np
import pytest
from pydantic import Field
from support import make_spec

from ecomsim.agents.funder import GovernmentFunder
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.model.instruments import StandingFund
from ecomsim.model.instruments.base import Instrument, Proposal
from ecomsim.scenarios.schema import FunderSpec


class Scripted(Instrument):
    """Test instrument: proposes the awards its script lists for each step."""

    kind: Literal["scripted"] = "scripted"
    recipient_kind: str = "firm"
    paid_from: str = "fund"
    script: dict[int, list[tuple[int, float]]] = Field(default_factory=dict)

    def propose(self, model, name):
        rows = self.script.get(model.step_index, [])
        return Proposal(
            self.recipient_kind,
            [r for r, _ in rows],
            [a for _, a in rows],
            paid_from=self.paid_from,
        )


def funder_with(instruments, budget=100.0, **rules):
    model = EcommerceModel(make_spec(), rng=0)
    portfolio = {"fund": StandingFund(kind="standing_fund", budget_per_year=budget), **instruments}
    return model, GovernmentFunder(model, FunderSpec(**rules), portfolio)


def run_months(model, funder, months, first=0):
    for step in range(first, first + months):
        model.step_index = step
        model.month = model.month_at(step)
        funder.start_month()
        funder.step()
    return funder.ledger.to_frame()


def test_budget_is_never_exceeded_and_resets_each_year():
    script = {0: [(i, 30.0) for i in range(5)], 12: [(i, 30.0) for i in range(5, 10)]}
    model, funder = funder_with({"a": Scripted(script=script)})
    paid = run_months(model, funder, 13)
    assert paid.groupby(paid["step"] // 12)["amount"].sum().tolist() == [90.0, 90.0]
    assert funder.refused[("a", "budget")] == 4
    assert funder.approval_rate("a") == pytest.approx(3 / 5)


def test_earmark_limits_one_instrument_within_the_budget():
    script = {0: [(i, 30.0) for i in range(3)]}
    model, funder = funder_with(
        {"a": Scripted(script=script, max_per_year=50.0), "b": Scripted(script={0: [(9, 60.0)]})}
    )
    paid = run_months(model, funder, 1)
    assert paid.groupby("instrument")["amount"].sum().to_dict() == {"a": 30.0, "b": 60.0}


def test_slots_per_year_and_in_total():
    script = {0: [(i, 1.0) for i in range(5)], 12: [(i, 1.0) for i in range(5, 10)]}
    model, funder = funder_with({"a": Scripted(script=script, slots_per_year=2, slots_total=3)})
    paid = run_months(model, funder, 13)
    assert paid["recipient"].tolist() == [0, 1, 5]
    assert funder.refused[("a", "slots")] == 7


def test_payment_lag_delays_the_ledger_entry():
    model, funder = funder_with({"a": Scripted(script={0: [(4, 10.0)]}, payment_lag=2)})
    assert run_months(model, funder, 2).empty
    assert funder.outstanding == 10.0
    paid = run_months(model, funder, 1, first=2)
    assert paid[["step", "approved_step", "amount"]].values.tolist() == [[2, 0, 10.0]]
    assert funder.outstanding == 0.0


def test_non_stacking_pays_at_most_the_largest_award_a_year():
    instruments = {
        "small": Scripted(script={0: [(7, 10.0), (8, 10.0)], 3: [(7, 5.0)]}),
        "large": Scripted(script={0: [(7, 20.0)], 5: [(7, 50.0)], 14: [(7, 5.0)]}),
    }
    model, funder = funder_with(instruments, budget=1e6, non_stacking=True)
    paid = run_months(model, funder, 15)
    by_firm7 = paid[paid["recipient"] == 7][["step", "instrument", "amount"]].values.tolist()
    # Month 0: 10, then the larger 20 pays only the difference. Month 3: 5 is refused.
    # Month 5: 50 pays the 30 above the 20 already received. Next year starts afresh.
    assert by_firm7 == [
        [0, "small", 10.0],
        [0, "large", 10.0],
        [5, "large", 30.0],
        [14, "large", 5.0],
    ]
    assert paid[(paid["recipient"] == 7) & (paid["step"] < 12)]["amount"].sum() == 50.0
    assert paid[paid["recipient"] == 8]["amount"].tolist() == [10.0]
    assert funder.refused[("small", "stacking")] == 1


def test_a_larger_award_refused_for_budget_leaves_the_smaller_one():
    instruments = {
        "small": Scripted(script={0: [(7, 10.0)]}),
        "large": Scripted(script={0: [(7, 500.0)]}),
    }
    model, funder = funder_with(instruments, budget=100.0, non_stacking=True)
    paid = run_months(model, funder, 1)
    assert paid[["instrument", "amount"]].values.tolist() == [["small", 10.0]]


def test_without_the_rule_awards_stack():
    instruments = {
        "small": Scripted(script={0: [(7, 10.0)]}),
        "large": Scripted(script={0: [(7, 20.0)]}),
    }
    model, funder = funder_with(instruments, budget=1e6)
    assert run_months(model, funder, 1)["amount"].sum() == 30.0


def test_tax_relief_is_outside_budget_and_stacking():
    instruments = {
        "grant": Scripted(script={0: [(3, 100.0)]}),
        "relief": Scripted(script={0: [(3, 500.0)]}, paid_from="tax"),
    }
    model, funder = funder_with(instruments, budget=100.0, non_stacking=True)
    paid = run_months(model, funder, 1)
    assert paid["amount"].sum() == 600.0
    assert funder.ledger.total("fund") == 100.0 and funder.ledger.total("tax") == 500.0


def test_carry_over_adds_last_years_unspent_budget():
    script = {0: [(1, 40.0)], 12: [(i, 50.0) for i in range(2, 6)]}
    model, funder = funder_with({"a": Scripted(script=script)}, carry_over=True)
    paid = run_months(model, funder, 13)
    assert paid[paid["step"] == 12]["amount"].sum() == 150.0  # 100 + 60 carried over


def test_firm_awards_enter_the_firms_subsidy_history():
    model, funder = funder_with({"a": Scripted(script={0: [(11, 25.0)]})})
    run_months(model, funder, 1)
    firms = model.firms
    assert firms.subsidy_total[11] == 25.0 and firms.subsidy_count[11] == 1
    assert firms.subsidy_mask[11] & funder.instrument_bit("a")
    assert not np.any(np.delete(firms.subsidy_total, 11))


def test_model_runs_never_pay_beyond_the_budget(demo):
    from ecomsim.model.run import run_scenario

    for seed in (1, 2):
        result = run_scenario(demo.spec, seed, counterfactual=False)
        fund = result.payments[result.payments["paid_from"] == "fund"]
        by_year = fund.groupby(fund["date"].str[:4])["amount"].sum()
        # Payments follow approvals by the lag; approvals are charged to their own year.
        approved_year = fund["approved_step"].map(lambda s: 2015 + s // 12)
        committed = fund.groupby(approved_year)["amount"].sum()
        assert (committed <= 5e7 + 1e-6).all()
        assert by_year.sum() <= 3 * 5e7
