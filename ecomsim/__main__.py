"""``python -m ecomsim`` runs the command line."""

import sys

from ecomsim.experiments.cli import main

sys.exit(main())
