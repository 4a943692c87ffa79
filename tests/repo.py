"""Where the repository is, for tests in any folder. Tests read nothing outside it:
a fresh clone with nothing beside it passes scripts/test.sh."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
