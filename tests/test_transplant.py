"""The policy transplant: one city's design in another's economy, by the documented rule."""

import json

import pandas as pd
import pytest
import tomlkit
from support import GRANT_POLICY, assert_figures_readable, make_spec, merge, write_scenario

from ecomsim.experiments import cli
from ecomsim.experiments.transplant import size_factor, transplant
from ecomsim.model.calendar import Month
from ecomsim.scenarios import (
    LoadedDesign,
    ScenarioError,
    builtin_designs,
    builtin_scenarios,
    load_design,
    load_policy,
    load_scenario,
)

DONOR_POLICY = {
    "scenario": {"name": "donor", "plan_start": "2015-04"},
    "funder": {"non_stacking": True},
    "platforms": {
        "mall": {"kind": "b2c", "commission": 0.05, "buyers": 1e6},
        "portal": {"kind": "b2b", "commission": 0.02, "buyers": 1e4},
    },
    "logistics": {"post": {"capacity": 1e6, "cost_per_parcel": 10}},
    "instruments": {
        "fund": {"kind": "standing_fund", "budget_per_year": 1e7, "max_per_year": 8e6},
        "grant": {
            "kind": "adoption_grant",
            "amount": 2e4,
            "cap": 3e4,
            "slots_per_year": 300,
            "slots_total": 1,
            "start": "2015-06",
        },
        "courses": {
            "kind": "training_subsidy",
            "courses_per_year": 10,
            "firms_per_course": 30,
            "cost_per_course": 5e4,
            "cost_share": 0.5,
            "skill_gain": 0.2,
        },
        "hub": {
            "kind": "logistics_investment",
            "projects_per_year": 3,
            "amount": 1e6,
            "provider": "post",
            "capacity_gain": 1e5,
        },
        "settle": {
            "kind": "platform_attraction",
            "reward": 1e6,
            "relocation_rate": 0.2,
            "platforms": ["mall"],
        },
    },
}
HOST = {
    "scenario": {"name": "host", "plan_start": "2016-01"},
    "firms": {"count": 5000},
    "economy": {"retail_sales": 4e10},
    "platforms": {
        "tmall": {"kind": "b2c", "commission": 0.05, "buyers": 1e6},
        "jd": {"kind": "b2c", "commission": 0.04, "buyers": 1e6},
        "exchange": {"kind": "bulk_exchange", "commission": 0.01, "buyers": 1e3},
    },
    "logistics": {"express": {"capacity": 1e6, "cost_per_parcel": 8}},
}


@pytest.fixture(scope="module")
def donor():
    return make_spec(DONOR_POLICY)  # 2000 firms, retail sales 1e10


@pytest.fixture(scope="module")
def host():
    return make_spec(HOST)


def test_a_city_transplanted_into_itself_keeps_its_design(donor):
    same = transplant(donor, donor)
    assert same.instruments == donor.instruments and same.funder == donor.funder
    assert same.scenario.name == "donor~donor"


def test_the_design_is_sized_to_the_host_and_its_per_award_terms_stay(donor, host):
    moved = transplant(host, donor, "firms").instruments  # host has 2.5 × the firms
    assert moved["fund"].budget_per_year == pytest.approx(2.5e7)
    assert moved["fund"].max_per_year == pytest.approx(2e7)
    assert moved["grant"].slots_per_year == 750
    assert moved["grant"].slots_total == 2  # 2.5 rounds to 2 (banker's rounding)
    assert (moved["grant"].amount, moved["grant"].cap) == (2e4, 3e4)
    assert moved["courses"].courses_per_year == 25
    assert moved["courses"].firms_per_course == 30  # a course's size is the design
    assert moved["hub"].projects_per_year == 8 and moved["hub"].capacity_gain == 1e5
    by_sales = transplant(host, donor, "retail_sales").instruments
    assert by_sales["fund"].budget_per_year == pytest.approx(4e7)
    assert transplant(host, donor, "none").instruments["fund"].budget_per_year == 1e7
    assert size_factor(host, donor, "firms") == 2.5


def test_small_hosts_keep_at_least_one_of_each_counted_thing(donor):
    tiny = make_spec({**HOST, "firms": {"count": 20}})
    moved = transplant(tiny, donor, "firms").instruments
    assert moved["grant"].slots_per_year == 3 and moved["grant"].slots_total == 1
    assert moved["hub"].projects_per_year == 1


def test_dates_move_with_the_plan_and_the_host_keeps_its_calendar(donor, host):
    moved = transplant(host, donor)
    assert moved.scenario.policy_start == host.scenario.policy_start == Month(2016, 1)
    assert (moved.scenario.start, moved.scenario.end) == (host.scenario.start, host.scenario.end)
    assert moved.instruments["grant"].start == Month(2016, 3)  # 2 months after the plan, as there
    assert moved.firms == host.firms and moved.platforms == host.platforms
    assert moved.funder.non_stacking  # the donor's rules come with its design


def test_names_of_the_donor_s_agents_are_remapped(donor, host):
    moved = transplant(host, donor).instruments
    assert moved["hub"].provider is None  # the host's busiest provider, chosen each month
    assert moved["settle"].platforms == ["tmall", "jd"]  # the host's b2c platforms
    kept = transplant(
        make_spec({**HOST, "logistics": {"post": {"capacity": 1, "cost_per_parcel": 1}}}), donor
    )
    assert kept.instruments["hub"].provider == "post"


def test_no_policy_has_no_instruments(host):
    bare = transplant(host, None)
    assert bare.instruments == {} and bare.scenario.name == "host~none"


def test_the_transplant_command_writes_its_matrix_and_heatmaps(capsys, tmp_path):
    a = write_scenario(tmp_path / "a.toml", DONOR_POLICY, name="alpha")
    b = write_scenario(
        tmp_path / "b.toml", {**HOST, "instruments": GRANT_POLICY["instruments"]}, name="beta"
    )
    out = tmp_path / "out"
    code = cli.main(
        [
            "transplant",
            "--economies",
            str(a),
            str(b),
            "--policies",
            str(a),
            str(b),
            "-r",
            "2",
            "-w",
            "2",
            "-q",
            "-o",
            str(out),
        ]
    )
    printed, errors = capsys.readouterr()
    assert code == 0, errors
    assert "extra adopters for the money (adopters per 亿 yuan), median:" in printed
    assert "economy \\ policy" in printed and "none" in printed
    (folder,) = out.iterdir()
    runs = pd.read_parquet(folder / "runs.parquet")
    assert len(runs) == 2 * 3 * 2
    assert set(runs["policy"]) == {"alpha", "beta", "none"}
    none = runs[runs["policy"] == "none"]
    assert (none["additional_adopters"] == 0).all() and (none["fiscal_cost_total"] == 0).all()
    table = pd.read_parquet(folder / "transplant.parquet")
    assert set(table["outcome"]) >= {"additional_adopters_per_yi", "additional_volume_per_yi"}
    factors = table.drop_duplicates(["economy", "policy"]).set_index(["economy", "policy"])
    assert factors.loc[("beta", "alpha"), "size_factor"] == 2.5
    assert factors.loc[("alpha", "beta"), "size_factor"] == 0.4
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["size_by"] == "firms" and manifest["economies"] == ["alpha", "beta"]
    assert (folder / "figures" / "transplant.png").stat().st_size > 10_000
    assert_figures_readable(folder)  # the figures' tick labels are readable


def test_the_default_matrix_is_the_plan_cities():
    from ecomsim.experiments.commands import plan_scenarios

    assert plan_scenarios() == ["dongguan", "guangzhou", "jining", "quzhou", "tianjin"]
    for name in plan_scenarios():  # every pair composes into a valid scenario
        for other in plan_scenarios():
            transplant(load_scenario(name).spec, load_scenario(other).spec)


# ---------------------------------------------------------------- policy design files
DESIGN = {
    "scenario": {"name": "model", "description": "a reference design", "document": "speech"},
    "design": {"firms": 1000, "retail_sales": 2e10},
    "instruments": {
        "fund": {"kind": "standing_fund", "budget_per_year": 1e6},
        "villages": {
            "kind": "cluster_support",
            "min_shops": 50,
            "amount": 1e5,
            "slots_per_year": 4,
        },
        "brands": {
            "kind": "brand_support",
            "lines": 2,
            "cost_per_line_per_year": 5e5,
            "extra_reach": 0.2,
            "eligibility": {"sectors": ["trade"]},
        },
        "express": {"kind": "logistics_investment", "projects_per_year": 1, "amount": 1e5},
    },
}


def write_design(path, changes=None):
    path.write_text(tomlkit.dumps(merge(DESIGN, changes or {})), encoding="utf-8")
    return path


def test_a_design_file_is_sized_from_the_economy_it_declares(tmp_path, host):
    design = load_design(write_design(tmp_path / "model.toml")).spec
    moved = transplant(host, design)  # the host has 5000 enterprises: five times the design's
    assert moved.instruments["fund"].budget_per_year == pytest.approx(5e6)
    assert moved.instruments["villages"].slots_per_year == 20
    assert moved.instruments["brands"].lines == 10
    assert moved.instruments["brands"].extra_reach == 0.2  # a per-seller term stays
    assert moved.instruments["express"].projects_per_year == 5
    assert moved.scenario.name == "host~model" and moved.scenario.document == "speech"
    assert moved.scenario.policy_start == host.scenario.policy_start
    assert size_factor(host, design, "retail_sales") == 2.0


def test_a_scenario_s_design_is_its_policy_part(donor):
    design = donor.design()
    assert design.instruments == donor.instruments and design.funder == donor.funder
    assert design.design.firms == donor.firms.count
    assert design.platforms == {"mall": "b2c", "portal": "b2b"} and design.providers == ["post"]
    assert design.policy_start == donor.scenario.policy_start


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"instruments": {"fund": None}}, "needs a standing_fund"),
        ({"instruments": {"express": {"provider": "post"}}}, "no logistics provider named 'post'"),
        ({"instruments": {"brands": {"start": "2015-01"}}}, "needs scenario.plan_start"),
        ({"design": {"firms": 0}}, "design.firms"),
    ],
)
def test_a_design_file_is_checked_like_a_scenario(tmp_path, changes, message):
    with pytest.raises(ScenarioError, match=message) as caught:
        load_design(write_design(tmp_path / "model.toml", changes))
    assert "\n" not in str(caught.value)


def test_a_design_file_is_a_policy_not_a_scenario_to_run(tmp_path, capsys):
    path = write_design(tmp_path / "model.toml")
    with pytest.raises(ScenarioError, match="a policy design without an economy"):
        load_scenario(path)
    assert isinstance(load_policy(path), LoadedDesign)
    assert not isinstance(load_policy("quzhou"), LoadedDesign)
    assert set(builtin_designs()) >= {"suichang", "lishui"}
    assert not set(builtin_designs()) & set(builtin_scenarios())
    assert cli.main(["run", str(path)]) == 2
    assert "not run on its own" in capsys.readouterr().err
    assert cli.main(["validate", str(path), "--strict"]) == 2  # its numbers carry no source
    assert cli.main(["validate", str(path)]) == 0
    assert "policy design 'model'" in capsys.readouterr().out


def test_the_reference_designs_compose_with_every_plan_city():
    from ecomsim.experiments.commands import plan_scenarios

    for name in ("suichang", "lishui"):
        design = load_design(name).spec
        assert design.design.firms == 10_000  # written for an economy of Quzhou's size
        for city in plan_scenarios():
            host = load_scenario(city).spec
            moved = transplant(host, design)
            factor = host.firms.count / 10_000
            assert moved.instruments["fund"].budget_per_year == pytest.approx(1e7 * factor)


def test_the_transplant_command_takes_a_design_file_as_a_policy(capsys, tmp_path):
    a = write_scenario(tmp_path / "a.toml", DONOR_POLICY, name="alpha")
    model = write_design(tmp_path / "model.toml")
    out = tmp_path / "out"
    argv = ["transplant", "--economies", str(a), "--policies", str(model), str(a)]
    code = cli.main([*argv, "-r", "1", "-w", "1", "-q", "-o", str(out)])
    errors = capsys.readouterr().err
    assert code == 0, errors
    (folder,) = out.iterdir()
    runs = pd.read_parquet(folder / "runs.parquet")
    assert set(runs["policy"]) == {"model", "alpha", "none"}
    assert runs.loc[runs["policy"] == "model", "size_factor"].iloc[0] == 2.0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["policies"] == ["model", "alpha"]
