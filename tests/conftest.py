"""Shared fixtures."""

import pytest

from ecomsim.scenarios import load_scenario


@pytest.fixture(scope="session")
def demo():
    return load_scenario("demo")
