"""Vendored Lucide icon shapes (``icons.json``) and the script that builds them (:mod:`.build`).

The data is read by :mod:`gardend.renderers.icons`; this package only exists so that the data file
ships as package data and ``python -m gardend.renderers.lucide.build`` can regenerate it.
"""
