"""Bad scenario input is refused with one line naming the file, the field and what is allowed."""

from pathlib import Path
from typing import Annotated, get_args, get_origin

import pytest
import tomlkit
from pydantic import BaseModel
from support import make_spec, refused

from ecomsim.model.calendar import Month
from ecomsim.model.instruments import INSTRUMENT_CLASSES, INSTRUMENT_KINDS
from ecomsim.model.ranges import Range
from ecomsim.scenarios import (
    ScenarioError,
    builtin_designs,
    builtin_scenarios,
    load_design,
    load_scenario,
)
from ecomsim.scenarios.provenance import provenance_rows
from ecomsim.scenarios.schema import Scenario


def test_minimal_scenario_is_valid():
    spec = make_spec()
    assert spec.firms.count == 2000
    assert spec.sector("agriculture").online_sales_ceiling == 0.0  # neutral default


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"firms": {"cont": 5}}, "firms.cont", "unknown field"),
        ({"firms": {"count": "many"}}, "firms.count", "valid integer"),
        ({"firms": {"count": -3}}, "firms.count", "must be between 1 and 1e8 (got -3)"),
        (
            {"adoption": {"setup_cost": {"micro": -1.0}}},
            "adoption.setup_cost.micro",
            "must be between 0 and 1e14 yuan",
        ),
        (
            {"instruments": {"g": {"kind": "adoption_grant", "amount": -5}}},
            "instruments.g.adoption_grant.amount",
            "must be between 0 and 1e14 yuan (got -5.0)",
        ),
        ({"sectors": {"trade": {"margin": 1.5}}}, "sectors.trade.margin", "between 0 and 1"),
        ({"firms": {"initial_adoption": {"micro": 1.2}}}, "firms", "between 0 and 1"),
        ({"scenario": {"end": "2014-12"}}, "scenario", "is before the plan starts"),
        ({"scenario": {"end": "2035-01"}}, "scenario", "end 2035-01 is past the longest run"),
        ({"scenario": {"plan_start": "2014-12"}}, "scenario", "plan_start (2014-12) is before"),
        ({"scenario": {"start": "2015-13"}}, "scenario.start", "YYYY-MM (month 01-12)"),
        (
            {"instruments": {"x": {"kind": "magic_money"}}},
            "instruments.x",
            "unknown instrument kind",
        ),
        ({"instruments": {"x": {"amount": 1}}}, "instruments.x", "needs a kind"),
        ({"firms": {"size_shares": {"micro": 0.5, "large": 0.3}}}, "firms", "add up to 1"),
        ({"adoption": {"innovation": None}}, "adoption.innovation", "required field is missing"),
        (
            {
                "platforms": {
                    "p": {
                        "kind": "b2c",
                        "commission": 0.05,
                        "buyers": 1e6,
                        "network_elasticity": 0.5,
                    }
                }
            },
            "platforms.p",
            "reference_sellers",
        ),
        (
            {
                "instruments": {
                    "f": {"kind": "standing_fund", "budget_per_year": 1e6},
                    "a": {
                        "kind": "platform_attraction",
                        "reward": 1,
                        "relocation_rate": 0.1,
                        "platforms": ["ghost"],
                    },
                }
            },
            "",
            "no platform named ghost",
        ),
        ({"instruments": {"g": {"kind": "adoption_grant"}}}, "instruments.g", "exactly one of"),
    ],
)
def test_bad_input_names_field_and_rule(changes, field, problem):
    message = refused(changes)
    assert field in message
    assert problem in message


def test_fund_paid_instruments_need_a_standing_fund():
    message = refused({"instruments": {"g": {"kind": "adoption_grant", "amount": 1e4}}})
    assert "standing_fund" in message


def test_tax_relief_alone_needs_no_fund():
    make_spec({"instruments": {"t": {"kind": "tax_relief", "rate": 0.001}}})


def test_unknown_scenario_name_lists_builtins():
    with pytest.raises(ScenarioError, match="unknown scenario; choose one of bass, china, demo"):
        load_scenario("atlantis")


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[firms\ncount = 3")
    with pytest.raises(ScenarioError, match=r"broken\.toml: not valid TOML"):
        load_scenario(broken)


CITIES = ("guangzhou", "tianjin", "jining", "dongguan", "quzhou", "jinhua")


def test_every_builtin_scenario_validates_and_every_number_has_a_source():
    assert set(builtin_scenarios()) >= {"bass", "demo", *CITIES}
    for name in builtin_scenarios():
        loaded = load_scenario(name)
        assert loaded.unsourced() == [], f"{name}: numbers without a source"


@pytest.mark.parametrize("name", ["suichang", "lishui"])
def test_the_reference_designs_source_every_number_by_its_kind(name):
    assert name in builtin_designs()
    page = Path(__file__).resolve().parents[1] / "docs" / "scenarios" / f"{name}.md"
    assert page.is_file(), f"docs/scenarios/{name}.md is missing"
    loaded = load_design(name)
    assert loaded.unsourced() == []
    rows = provenance_rows(loaded.values, loaded.sources)
    assert [r["field"] for r in rows if r["kind"] in ("other", "none")] == []
    # Every instrument cites the speech (seed 001) or says it is an assumption on the form.
    for key in loaded.spec.instruments:
        cited = [r for r in rows if r["field"].startswith(f"instruments.{key}.")]
        assert any(
            "doc 001" in r["source"] or "assumption on the form" in r["source"] for r in cited
        ), key


def test_the_demo_exercises_every_instrument_kind():
    kinds = {i.kind for i in load_scenario("demo").spec.instruments.values()}
    assert kinds == set(INSTRUMENT_KINDS)


@pytest.mark.parametrize("city", CITIES)
def test_city_sources_say_what_kind_of_source_they_are(city):
    """doc / statistic / derived / assumption / calibrated: a reader can tell at a glance."""
    loaded = load_scenario(city)
    rows = provenance_rows(loaded.values, loaded.sources)
    unknown = [r["field"] for r in rows if r["kind"] in ("other", "none")]
    assert unknown == [], f"{city}: sources of unknown kind at {unknown[:5]}"


@pytest.mark.parametrize("city", CITIES)
def test_city_calibrates_only_to_pre_plan_years_and_has_a_docs_page(city):
    spec = load_scenario(city).spec
    assert spec.calibration is not None and spec.calibration.observed
    plan_start = spec.scenario.policy_start
    assert all(Month(o.year, 12) < plan_start for o in spec.calibration.observed.values())
    page = Path(__file__).resolve().parents[1] / "docs" / "scenarios" / f"{city}.md"
    assert page.is_file(), f"docs/scenarios/{city}.md is missing"


def test_overrides_are_validated_and_hashed(demo):
    changed = load_scenario("demo", ["firms.count=1234"])
    assert changed.spec.firms.count == 1234
    assert changed.spec_sha256 != demo.spec_sha256
    assert changed.file_sha256 == demo.file_sha256
    with pytest.raises(ScenarioError, match=r"with --set firms.count=-1\): firms.count"):
        load_scenario("demo", ["firms.count=-1"])


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("adoption.imitation", "inf"),
        ("adoption.innovation", "nan"),
        ("firms.revenue.micro.dispersion", "-inf"),
        ("firms.size_shares.micro", "nan"),
        ("platforms.national_b2c.buyers", "inf"),
        ("instruments.fund.budget_per_year", "nan"),
        ("instruments.demonstration.amount", "inf"),
    ],
)
def test_every_number_must_be_finite_in_a_file_and_with_set(tmp_path, path, text):
    """TOML and --set read inf and nan as numbers; the schema refuses them in every table."""
    *tables, field = path.split(".")
    refusal = rf"{tables[0]}\.(.*\.)?{field}: must be a finite number \(got {text}\)"
    with pytest.raises(ScenarioError, match=refusal) as caught:
        load_scenario("demo", [f"{path}={text}"])
    assert "\n" not in str(caught.value)
    document = tomlkit.parse(builtin_scenarios()["demo"].read_text(encoding="utf-8"))
    node = document
    for key in tables:
        node = node[key]
    node[field] = float(text)  # written back as the TOML literal inf, -inf or nan
    changed = tmp_path / "city.toml"
    changed.write_text(tomlkit.dumps(document), encoding="utf-8")
    assert f"{field} = {text}" in changed.read_text(encoding="utf-8")
    with pytest.raises(ScenarioError, match=rf"city\.toml: {refusal}"):
        load_scenario(changed)


#: Absurd magnitudes that a float accepts, each with the range its field allows.
ABSURD = [
    ("firms.revenue.micro.dispersion=1e308", "firms.revenue.micro.dispersion", "between 0 and 5"),
    ("logistics.express_a.delivery_days=1e308", "delivery_days", "between 0 and 60 days"),
    (
        "platforms.local_b2c.reference_sellers=1e308",
        "reference_sellers",
        "above 0 and at most 1e8",
    ),
    ("platforms.national_b2c.buyers=1e308", "buyers", "between 0 and 3e9 persons"),
    ("firms.count=1000000000", "firms.count", "between 1 and 1e8 (got 1000000000)"),
    ("instruments.fund.budget_per_year=1e20", "budget_per_year", "between 0 and 1e14 yuan"),
    ("adoption.imitation=1000", "adoption.imitation", "between 0 and 12 a year"),
    ("firms.entry_rate=5", "firms.entry_rate", "between 0 and 1 a year"),
    ("sectors.trade.revenue_growth=-2", "sectors.trade.revenue_growth", "between -1 and 10"),
    ("instruments.parks.parks=0", "parks", "between 1 and 1e5 (got 0)"),
    ("instruments.talent.years=99", "years", "between 1 and 20 years"),
    ("logistics.express_b.scale_elasticity=1", "scale_elasticity", "at least 0 and below 1"),
    ("adoption.platform_choice.local_preference=-1e9", "local_preference", "between -100 and"),
]


@pytest.mark.parametrize(("override", "field", "allowed"), ABSURD)
def test_absurd_magnitudes_are_refused_with_the_range_allowed(override, field, allowed):
    with pytest.raises(ScenarioError) as caught:
        load_scenario("demo", [override])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"demo.toml (with --set {override}): ")
    assert f"{field}: must be {allowed}" in message


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    """``model`` and every model its fields hold, however nested (lists, dicts, unions)."""
    seen.add(model)
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                if annotation not in seen:
                    _models(annotation, seen)
            else:
                stack.extend(get_args(annotation))
    return seen


def _unranged(annotation: object, ranged: bool = False) -> bool:
    """Whether a number somewhere in ``annotation`` has no ``Range``."""
    if annotation in (int, float):
        return not ranged
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        return _unranged(base, ranged or any(isinstance(m, Range) for m in metadata))
    if get_origin(annotation) is dict:
        return _unranged(get_args(annotation)[1])
    if get_origin(annotation) is list:
        return _unranged(get_args(annotation)[0])
    return any(_unranged(part, ranged) for part in get_args(annotation))


MODELS = sorted(_models(Scenario, set()) | set(INSTRUMENT_CLASSES), key=lambda m: m.__name__)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_number_of_the_schema_and_the_instruments_has_a_range(model):
    """A new numeric field must say what is plausible (model/ranges.py), and so must defaults."""
    for name, info in model.model_fields.items():
        ranges = [m for m in info.metadata if isinstance(m, Range)]
        assert not _unranged(info.annotation, bool(ranges)), f"{model.__name__}.{name}"
        if ranges and isinstance(info.default, int | float):
            ranges[0].check(info.default)


def test_every_range_admits_the_shipped_scenarios():
    for name in builtin_scenarios():
        load_scenario(name)
