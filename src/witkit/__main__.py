"""``python -m witkit`` runs the command line.

The signal handler goes in first, so a Ctrl-C while the command's modules import
is held until ``entry`` can answer it (``witkit: interrupted``), not lost inside
the import system.
"""

from witkit import _signals

_signals.take_over_while_importing()

from witkit.cli.main import entry  # noqa: E402  (after the handler, on purpose)

entry()
