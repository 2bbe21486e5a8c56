"""Policy instruments: declared in scenario files, composed into the funder's portfolio.

Each kind is one class (see ``base.Instrument`` for the hooks). ``InstrumentSpec`` is the
tagged union the scenario schema uses: the ``kind`` field of an ``[instruments.NAME]`` table
selects the class, so adding an instrument kind means adding a class here and nothing else.
"""

from typing import Annotated

from pydantic import Field

from ecomsim.model.instruments.attraction import HeadquartersAttraction, PlatformAttraction
from ecomsim.model.instruments.base import Eligibility, FirmInstrument, Instrument, Proposal
from ecomsim.model.instruments.fiscal import TaxRelief
from ecomsim.model.instruments.fund import StandingFund
from ecomsim.model.instruments.grants import AdoptionGrant, ListingGrant
from ecomsim.model.instruments.local import LocalEmphasis
from ecomsim.model.instruments.logistics import LogisticsInvestment
from ecomsim.model.instruments.parks import Park
from ecomsim.model.instruments.rewards import PerformanceReward, PlatformAward
from ecomsim.model.instruments.skills import TalentSubsidy, TrainingSubsidy

INSTRUMENT_CLASSES: tuple[type[Instrument], ...] = (
    StandingFund,
    AdoptionGrant,
    PerformanceReward,
    TrainingSubsidy,
    TalentSubsidy,
    PlatformAward,
    Park,
    LogisticsInvestment,
    ListingGrant,
    PlatformAttraction,
    HeadquartersAttraction,
    TaxRelief,
    LocalEmphasis,
)

#: ``kind`` → class, e.g. ``INSTRUMENT_KINDS["adoption_grant"] is AdoptionGrant``.
INSTRUMENT_KINDS: dict[str, type[Instrument]] = {
    cls.model_fields["kind"].annotation.__args__[0]: cls for cls in INSTRUMENT_CLASSES
}

InstrumentSpec = Annotated[
    StandingFund
    | AdoptionGrant
    | PerformanceReward
    | TrainingSubsidy
    | TalentSubsidy
    | PlatformAward
    | Park
    | LogisticsInvestment
    | ListingGrant
    | PlatformAttraction
    | HeadquartersAttraction
    | TaxRelief
    | LocalEmphasis,
    Field(discriminator="kind"),
]

__all__ = [
    "INSTRUMENT_CLASSES",
    "INSTRUMENT_KINDS",
    "AdoptionGrant",
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
