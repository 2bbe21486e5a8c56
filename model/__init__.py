"""The model: ``EcommerceModel`` and its schedule, instruments, outputs and the run boundary."""

from ecomsim.model.calendar import Month
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.model.run import RunResult, run_scenario

__all__ = ["EcommerceModel", "Month", "RunResult", "run_scenario"]
