"""Runs moto_server with this folder's extensions (every ``moto_ext_*.py`` module) loaded first.

moto lacks some APIs the product calls (SPEC section 11). Each extension registers the missing
responses when imported; this launcher imports them all, in name order, then hands the command line
to moto's own server (``python3 moto_launcher.py -H 127.0.0.1 -p 5000``).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_extensions() -> list[str]:
    sys.path.insert(0, str(HERE))
    names = sorted(path.stem for path in HERE.glob("moto_ext_*.py"))
    for name in names:
        importlib.import_module(name)
    return names


if __name__ == "__main__":
    load_extensions()
    from moto.server import main

    main(sys.argv[1:])
