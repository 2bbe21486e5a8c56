"""What experiments keep of a run: outcomes in the outcome year, plan totals, monthly series."""

import numpy as np
import pytest
from support import GRANT_POLICY, make_spec

from ecomsim.experiments.measures import (
    OUTCOME_MEASURES,
    SERIES,
    UNITS,
    run_outcomes,
    run_series,
)
from ecomsim.model.outcomes import yearly_outcomes
from ecomsim.model.run import run_scenario


@pytest.fixture(scope="module")
def months():
    return run_scenario(make_spec(GRANT_POLICY), 3).timeseries


def test_trailing_twelve_months_meet_the_calendar_year_in_december(months):
    yearly = yearly_outcomes(months).set_index("year")
    series = run_series(months, ("transaction_volume_12m", "online_retail_share_12m"))
    december = series[series["date"] == "2016-12"].iloc[0]
    assert december["transaction_volume_12m"] == pytest.approx(
        yearly.loc[2016, "transaction_volume"], rel=1e-12
    )
    assert december["online_retail_share_12m"] == pytest.approx(
        yearly.loc[2016, "online_retail_share"], rel=1e-12
    )
    # Before twelve months have passed, the months so far are annualised.
    first = series.iloc[0]["transaction_volume_12m"]
    assert first == pytest.approx(12 * months.iloc[0]["transaction_volume"])


def test_outcomes_are_read_in_the_outcome_year_with_totals_up_to_its_end(months):
    last = run_outcomes(months, 2016)
    assert set(last) == set(OUTCOME_MEASURES)
    yearly = yearly_outcomes(months).set_index("year")
    assert last["adoption_rate"] == yearly.loc[2016, "adoption_rate"]
    assert last["fund_spent_total"] == months["fund_spent_cumulative"].iloc[-1] > 0
    extra = months["additional_volume"].sum()
    assert last["additional_volume_total"] == pytest.approx(extra)
    cost = months["fiscal_cost_cumulative"].iloc[-1]
    assert last["additional_adopters_per_yi"] == pytest.approx(
        last["additional_adopters"] / (cost / 1e8)
    )
    assert last["additional_volume_per_yi"] == pytest.approx(extra / cost)
    # An earlier outcome year sees only its own months.
    first = run_outcomes(months, 2015)
    through_2015 = months[months["date"] <= "2015-12"]
    assert first["fund_spent_total"] == through_2015["fund_spent_cumulative"].iloc[-1]
    assert first["fund_spent_total"] < last["fund_spent_total"]
    with pytest.raises(ValueError, match="does not reach 2017"):
        run_outcomes(months, 2017)


def test_money_ratios_are_undefined_without_spending():
    months = run_scenario(make_spec(), 3).timeseries  # no instruments
    values = run_outcomes(months, 2016)
    assert values["additional_adopters"] == 0
    assert np.isnan(values["additional_adopters_per_yi"])
    assert np.isnan(values["additional_volume_per_yi"])


def test_a_series_whose_inputs_a_run_lacks_is_nan(months):
    frame = run_series(months.drop(columns=["adoption_rate_cf"]), ("adoption_rate_cf",))
    assert frame["adoption_rate_cf"].isna().all()
    assert list(frame.columns) == ["step", "date", "adoption_rate_cf"]


def test_every_measure_has_a_known_unit_and_plain_figure_labels():
    for measure in [*OUTCOME_MEASURES.values(), *(s.measure for s in SERIES.values())]:
        assert measure.unit in UNITS
        assert measure.axis_label().isascii()  # figure fonts have no CJK glyphs
