"""ecomsim: an agent-based model of a city's e-commerce ecosystem under subsidy designs.

The package is split as the design card asks: ``ecomsim.agents`` (firms, platforms, logistics
providers, the government funder), ``ecomsim.model`` (the Mesa model, its schedule, policy
instruments and the run boundary), ``ecomsim.scenarios`` (scenario files and their schema) and
``ecomsim.experiments`` (the command line and result writers).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ecomsim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
