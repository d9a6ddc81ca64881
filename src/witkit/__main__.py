"""``python -m witkit`` runs the command line."""

from witkit.cli.main import entry

entry()
