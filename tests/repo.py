"""Where the repository and its shared/ folder are, for tests in any folder."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COURSEGEN_SHARED", REPO.parent / "shared"))
