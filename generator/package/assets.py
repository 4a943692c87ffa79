"""Small values shared by the render and package stages."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Asset:
    """A course file copied into the package."""

    source: Path
    package_path: str
