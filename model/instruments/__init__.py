"""Policy instruments: declared in scenario files, composed into the funder's portfolio.

Each kind is one class (see ``base.Instrument`` for the hooks) with a ``kind`` literal; defining
it registers it (``Instrument.registry``), and the registry gives ``INSTRUMENT_KINDS`` and the
tagged union ``InstrumentSpec`` the scenario schema uses. Adding a kind to one of the modules
imported here is therefore one class and nothing else (a new module is one import more).
"""

from typing import Annotated, Union

from pydantic import Field

from ecomsim.model.instruments.attraction import HeadquartersAttraction, PlatformAttraction
from ecomsim.model.instruments.base import Eligibility, FirmInstrument, Instrument, Proposal
from ecomsim.model.instruments.fiscal import TaxRelief
from ecomsim.model.instruments.fund import StandingFund
from ecomsim.model.instruments.grants import AdoptionGrant, ListingGrant
from ecomsim.model.instruments.households import BrandSupport, ClusterSupport
from ecomsim.model.instruments.local import LocalEmphasis
from ecomsim.model.instruments.logistics import LogisticsInvestment
from ecomsim.model.instruments.parks import Park
from ecomsim.model.instruments.rewards import PerformanceReward, PlatformAward
from ecomsim.model.instruments.skills import TalentSubsidy, TrainingSubsidy

#: The registry of instrument kinds: every class with a ``kind`` literal, in declaration order
#: (``Instrument.__pydantic_init_subclass__`` registers it when its module is imported above).
INSTRUMENT_CLASSES: tuple[type[Instrument], ...] = tuple(Instrument.registry.values())

#: ``kind`` → class, e.g. ``INSTRUMENT_KINDS["adoption_grant"] is AdoptionGrant``.
INSTRUMENT_KINDS: dict[str, type[Instrument]] = dict(Instrument.registry)

#: The tagged union the scenario schema validates ``[instruments.NAME]`` tables with: the
#: ``kind`` field selects the class. Derived from the registry, so a new kind is one class.
InstrumentSpec = Annotated[Union[*INSTRUMENT_CLASSES], Field(discriminator="kind")]

__all__ = [
    "INSTRUMENT_CLASSES",
    "INSTRUMENT_KINDS",
    "AdoptionGrant",
    "BrandSupport",
    "ClusterSupport",
    "Eligibility",
    "FirmInstrument",
    "HeadquartersAttraction",
    "Instrument",
    "InstrumentSpec",
    "ListingGrant",
    "LocalEmphasis",
    "LogisticsInvestment",
    "Park",
    "PerformanceReward",
    "PlatformAttraction",
    "PlatformAward",
    "Proposal",
    "StandingFund",
    "TalentSubsidy",
    "TaxRelief",
    "TrainingSubsidy",
]
