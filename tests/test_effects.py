from typing import Literal, get_args

import numpy as np
import pytest

from ecomsim.model.effects import EFFECTS, InstrumentEffects
from ecomsim.model.instruments import INSTRUMENT_CLASSES, INSTRUMENT_KINDS, InstrumentSpec
from ecomsim.model.instruments.base import Instrument


def test_the_union_and_the_kinds_come_from_one_registry():
    union = get_args(get_args(InstrumentSpec)[0])
    assert set(union) == set(INSTRUMENT_CLASSES) == set(INSTRUMENT_KINDS.values())
    for kind, cls in INSTRUMENT_KINDS.items():
        assert get_args(cls.model_fields["kind"].annotation) == (kind,)


def test_a_kind_declared_twice_is_refused():
    with pytest.raises(TypeError, match="declared twice"):

        class Copy(Instrument):
            kind: Literal["adoption_grant"]


def test_an_abstract_base_is_not_registered():
    class Base(Instrument):  # keeps kind: str
        pass

    assert Base not in Instrument.registry.values()


def test_effects_start_neutral_and_cost_nothing_per_row():
    effects = InstrumentEffects(n_firms=1000, n_platforms=3)
    for name, effect in EFFECTS.items():
        assert effects.get(name).tolist() == [effect.neutral]
        assert not effects.is_set(name)


def test_max_effects_keep_the_largest_and_sum_effects_add_up():
    effects = InstrumentEffects(n_firms=5, n_platforms=2)
    effects.apply("listing_multiplier", 2.0, rows=np.array([0, 1]))
    effects.apply("listing_multiplier", 1.5, rows=np.array([1, 2]))
    assert effects.get("listing_multiplier").tolist() == [2.0, 2.0, 1.5, 1.0, 1.0]
    effects.apply("relocation_hazard", 0.1, rows=np.array([3]))
    effects.apply("relocation_hazard", 0.2, rows=np.array([3, 4]))
    assert effects.get("relocation_hazard") == pytest.approx([0, 0, 0, 0.3, 0.2])
    effects.apply("settlement_hazard", 0.5, rows=[1])
    assert effects.of("settlement_hazard", 0) == 0.0
    assert effects.of("settlement_hazard", 1) == 0.5


def test_reset_brings_every_effect_back_to_neutral():
    effects = InstrumentEffects(n_firms=3, n_platforms=1)
    effects.apply("sales_push", 0.2)
    effects.apply("local_priority", 1.0)
    effects.reset()
    assert effects.get("sales_push").tolist() == [0.0]
    assert effects.of("local_priority", 0) == 0.0


def test_household_effects_combine_as_declared():
    effects = InstrumentEffects(n_firms=4, n_platforms=1)
    effects.apply("extra_reach", 0.2, rows=np.array([0, 1]))
    effects.apply("extra_reach", 0.1, rows=np.array([1]))  # a pavilion and a brand line add up
    assert effects.get("extra_reach") == pytest.approx([0.2, 0.3, 0, 0])
    effects.apply("setup_discount", 0.5, rows=[2])
    effects.apply("setup_discount", 0.3, rows=[2, 3])
    assert effects.get("setup_discount").tolist() == [0.0, 0.0, 0.5, 0.3]
    assert effects.get("cluster_peer_multiplier").tolist() == [1.0]  # neutral until applied
