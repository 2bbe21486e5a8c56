import pytest

from ecomsim.model.calendar import MAX_RUN_YEARS, Month, check_horizon


def test_parse_and_print_round_trip():
    assert str(Month.parse("2014-10")) == "2014-10"
    assert Month.parse(" 2017-01 ") == Month(2017, 1)


@pytest.mark.parametrize("text", ["2014-13", "2014-1", "14-10", "2014/10", "", "oct 2014"])
def test_bad_months_are_refused(text):
    with pytest.raises(ValueError):
        Month.parse(text)


def test_arithmetic_crosses_years():
    start = Month(2014, 10)
    assert start.plus(3) == Month(2015, 1)
    assert start.plus(-10) == Month(2013, 12)
    assert start.months_until(Month(2017, 12)) == 38
    assert Month.from_ordinal(start.ordinal) == start
    assert Month(2014, 12) < Month(2015, 1)


def test_a_run_lasts_at_most_max_run_years_from_its_start():
    start = Month(2011, 1)
    check_horizon(start, Month(2030, 12), "end")  # 240 months: the longest run
    with pytest.raises(ValueError, match=r"^until 2031-01 is past the longest run, 20 years"):
        check_horizon(start, Month(2031, 1), "until")
    with pytest.raises(ValueError, match=r"to 2030-12$"):
        check_horizon(start, Month(2300, 1), "until")
    with pytest.raises(ValueError, match=r"end 2010-12 is before the scenario's start"):
        check_horizon(start, Month(2010, 12), "end")
    assert MAX_RUN_YEARS == 20  # README and ODD 2.6 state this number
