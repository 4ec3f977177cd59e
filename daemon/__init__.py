"""gardend.daemon — the backend: config, vault discovery, scanner, index, watcher, query engine, CLI."""

from __future__ import annotations

# The one place the version is written: pyproject.toml reads it (`[tool.setuptools.dynamic]`,
# statically, without importing), and `gardend.__version__`, `gardend --version` and
# `gardend info` import it, so an installed wheel and a source checkout can never disagree.
__version__ = "0.1.0"
