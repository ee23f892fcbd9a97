"""The contract suite's own tests; helpers live in `suite_servers` (put on the path here)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
