"""The proxy's tests; helpers live in `proxying` (and the correct servers in tests/suite)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "suite"))
