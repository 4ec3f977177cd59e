"""``python -m gardend``: the same command line as the ``gardend`` script.

Useful where the script's folder is not on ``PATH`` (``pip install --user``, a venv that is not
activated) and to be sure which interpreter runs gardend.
"""

from __future__ import annotations

from gardend.daemon.cli import main

if __name__ == "__main__":
    # prog_name: usage lines, error messages and shell completion all say `gardend`, whichever
    # way it was started.
    main(prog_name="gardend")
