"""``python -m witkit`` runs the command line."""

import sys

from witkit.cli.main import main

sys.exit(main())
