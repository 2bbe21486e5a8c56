"""Bad scenario input is refused with one line naming the file, the field and what is allowed."""

from pathlib import Path

import pytest
import tomlkit
from support import make_spec, refused

from ecomsim.model.calendar import Month
from ecomsim.scenarios import ScenarioError, builtin_scenarios, load_scenario
from ecomsim.scenarios.provenance import provenance_rows


def test_minimal_scenario_is_valid():
    spec = make_spec()
    assert spec.firms.count == 2000
    assert spec.sector("agriculture").online_sales_ceiling == 0.0  # neutral default


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"firms": {"cont": 5}}, "firms.cont", "unknown field"),
        ({"firms": {"count": "many"}}, "firms.count", "valid integer"),
        ({"firms": {"count": -3}}, "firms.count", "must be > 0"),
        ({"adoption": {"setup_cost": {"micro": -1.0}}}, "adoption", "setup_cost.micro must be ≥ 0"),
        (
            {"instruments": {"g": {"kind": "adoption_grant", "amount": -5}}},
            "instruments.g.adoption_grant.amount",
            "must be ≥ 0",
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
    with pytest.raises(ScenarioError, match="unknown scenario; choose one of bass, demo"):
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
