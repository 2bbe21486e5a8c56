import pytest

from ecomsim.scenarios.provenance import (
    ScenarioError,
    apply_override,
    numeric_paths,
    parse_override,
    split_sources,
    unsourced_numbers,
)


def test_inline_sources_and_table_sources_are_split_off():
    raw = {
        "a": {"value": 5, "source": "doc 1"},
        "table": {
            "source": "table doc",
            "x": 1.5,
            "inner": {"y": 2},
            "z": {"value": 3, "source": "own"},
        },
        "bare": 7,
        "name": "text is not a number",
    }
    values, sources = split_sources(raw, "f.toml")
    assert values == {
        "a": 5,
        "table": {"x": 1.5, "inner": {"y": 2}, "z": 3},
        "bare": 7,
        "name": "text is not a number",
    }
    assert sources == {
        "a": "doc 1",
        "table.x": "table doc",
        "table.inner.y": "table doc",
        "table.z": "own",
    }
    assert unsourced_numbers(values, sources) == ["bare"]


def test_a_value_entry_without_source_is_an_error():
    with pytest.raises(ScenarioError, match=r"f.toml: a.b: .*needs a non-empty source"):
        split_sources({"a": {"b": {"value": 1, "source": " "}}}, "f.toml")


def test_booleans_are_not_numbers():
    assert numeric_paths({"flag": True, "n": 1, "lst": [1, 2], "words": ["a"]}) == ["n", "lst"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("firms.count=1000000", ("firms.count", 1000000)),
        ("x.y=0.25", ("x.y", 0.25)),
        ("x.flag=true", ("x.flag", True)),
        ("x.list=[1, 2]", ("x.list", [1, 2])),
        ("x.name=hello", ("x.name", "hello")),
    ],
)
def test_override_values_are_read_as_toml(text, expected):
    assert parse_override(text) == expected


def test_override_without_equals_is_refused():
    with pytest.raises(ScenarioError, match="expected PATH=VALUE"):
        parse_override("firms.count")


def test_override_replaces_value_and_records_its_source():
    values = {"firms": {"count": 10}, "instruments": {"grant": {"amount": 1}}}
    new, sources = apply_override(values, {"firms.count": "doc"}, "firms.count", 99, "f")
    assert new["firms"]["count"] == 99 and values["firms"]["count"] == 10
    assert sources["firms.count"].startswith("command line")
    new, _ = apply_override(values, {}, "adoption.abandonment_rate", 0.1, "f")
    assert new["adoption"] == {"abandonment_rate": 0.1}


def test_override_of_an_unknown_named_entry_lists_the_known_ones():
    values = {"instruments": {"grant": {"amount": 1}, "prize": {}}}
    with pytest.raises(
        ScenarioError,
        match=r"no instruments entry named 'grnt' \(have: grant, "
        r"prize\)",
    ):
        apply_override(values, {}, "instruments.grnt.amount", 2, "f")
