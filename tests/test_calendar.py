import pytest

from ecomsim.model.calendar import Month


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
