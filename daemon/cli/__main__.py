"""`python -m gardend.daemon.cli`: the same command line as the `gardend` script."""

from __future__ import annotations

from . import main

main()
