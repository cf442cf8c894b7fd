"""Make `kueport` importable when pytest runs as a script (`.venv/bin/pytest`).

`python -m pytest` puts the repository root on `sys.path` by itself; the bare `pytest` entry
point does not, and the package is not necessarily installed into the venv.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
